# Copyright (c) OpenMMLab. All rights reserved.
"""Is this checkpoint's encoder healthy? Side by side with random init.

Prints :func:`motionmae_mm.evaluation.health.representation_health` (token
cosine, token and clip effective rank, between-clip share, attention
entropy per block) of the checkpoint's encoder and of the same
architecture at random init (seeded), on the first ``--num-clips`` clips
of the config's training dataset (its own pipeline; point it at your data
with ``--cfg-options``).

Example::

    python tools/analysis/health.py configs/digits/motionmae_vit-tiny_digits.py \\
        work_dirs/motionmae_vit-tiny_digits/epoch_16.pth
"""
import argparse

import torch

from motionmae_mm.analysis.build import load_config
from motionmae_mm.apis import init_model
from motionmae_mm.evaluation.health import dataset_clips, health_table
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('checkpoint', help='checkpoint of that config')
    parser.add_argument(
        '--num-clips', type=int, default=16, help='clips scored (>= 2)')
    parser.add_argument('--seed', type=int, default=0, help='init seed')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], help='key=value overrides')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        cfg = load_config(args.config, args.cfg_options)
        trained = init_model(cfg, args.checkpoint)
        torch.manual_seed(args.seed)
        random = init_model(cfg)
        clips = dataset_clips(trained, cfg, args.num_clips)
        print(health_table(
            {'random init': random.backbone, 'checkpoint': trained.backbone},
            clips))


if __name__ == '__main__':
    main()
