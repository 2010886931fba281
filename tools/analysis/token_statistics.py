# Copyright (c) OpenMMLab. All rights reserved.
"""How collapsed is an encoder? Token variance shares on real clips.

Encodes the centred clip of each video in an annotation list with every
token visible and prints where the final-norm token variance lives
(:mod:`motionmae_mm.evaluation.token_statistics`): ``position_share``
(layout), ``clip_share`` (what mean pooling sees), ``residual_share`` and
the effective rank of the pooled features. Without CHECKPOINT the encoder
is scored as initialised (seeded), the reference for a pretrained one.

Example::

    python tools/analysis/token_statistics.py \\
        configs/benchmarks/motionmae_shared_vit-tiny.py \\
        data/benchmark/test.txt --checkpoint work_dirs/x/epoch_4.pth
"""
import argparse
import os.path as osp

import torch

from motionmae_mm.apis import init_model, load_video_inputs
from motionmae_mm.evaluation.token_statistics import token_statistics
from motionmae_mm.utils.cli import add_traceback_flag, user_errors
from motionmae_mm.utils.report import print_result


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config of the encoder')
    parser.add_argument(
        'ann_file', help='annotation list (`path [label]` lines)')
    parser.add_argument('--checkpoint', help='default: as initialised')
    parser.add_argument(
        '--data-prefix',
        help='folder the list\'s paths are relative to (default: its own)')
    parser.add_argument(
        '--max-videos', type=int, default=160, help='first N videos')
    parser.add_argument('--seed', type=int, default=0, help='init seed')
    parser.add_argument('--json', action='store_true', help='print JSON')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Encode the listed videos and print the token statistics."""
    if not osp.isfile(args.ann_file):
        raise FileNotFoundError(f'ANN_FILE: no such file: {args.ann_file}')
    root = args.data_prefix or osp.dirname(osp.abspath(args.ann_file))
    with open(args.ann_file) as f:
        videos = [
            osp.join(root,
                     line.split()[0]) for line in f if line.strip()
        ][:args.max_videos]
    torch.manual_seed(args.seed)
    model = init_model(args.config, args.checkpoint)
    backbone = model.backbone
    clips = torch.cat([load_video_inputs(model, v)[:, 0] for v in videos])
    mask = torch.zeros(
        len(clips), backbone.pos_embed.shape[1], dtype=torch.bool)
    with torch.no_grad():
        tokens = torch.cat([
            backbone(clips[i:i + 32], mask[i:i + 32])
            for i in range(0, len(clips), 32)
        ])
    print_result('token_statistics',
                 dict(videos=len(videos), **token_statistics(tokens)),
                 args.json)


if __name__ == '__main__':
    main()
