# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo`: build the demo data, pretrain a tiny MotionMAE, draw it.

Ends with two lines other tools parse::

    checkpoint: <absolute path>.pth
    reconstruction: <absolute path>.png
"""
import argparse
import os.path as osp
import time

from mmengine.config import Config

from motionmae_mm.apis import configure_pretrain, draw_reconstruction, pretrain
from motionmae_mm.datasets import check_demo_style, make_demo_dataset
from motionmae_mm.utils.cli import (ErrorContext, add_traceback_flag,
                                    user_errors)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default=osp.join(REPO, 'configs/demo/motionmae_vit-tiny_demo.py'))
    parser.add_argument('--data-root', default='data/demo')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--video',
        default=None,
        help='clip to reconstruct (default: a val clip of the demo data)')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback) as ctx:
        run_demo(args, ctx)


def run_demo(args: argparse.Namespace, ctx: ErrorContext) -> None:
    """Build the data if needed, pretrain, draw a reconstruction."""
    start = time.time()
    if not osp.isfile(osp.join(args.data_root, 'pretrain.txt')):
        make_demo_dataset(args.data_root)
    check_demo_style(args.data_root)
    ctx.cfg = cfg = configure_pretrain(
        Config.fromfile(args.config), args.data_root, args.work_dir)
    result = pretrain(cfg)  # loss and every target's loss_<name>

    video = args.video or osp.join(args.data_root, 'val/right/right_0000.mp4')
    picture = osp.abspath(osp.join(args.work_dir, 'reconstruction.png'))
    draw_reconstruction(cfg, result['checkpoint'], video, picture)

    print('demo finished in {:.0f} s; losses (last 10 iters): {}'.format(
        time.time() - start,
        ', '.join(f'{k} {v:.4f}' for k, v in result['losses'].items())))
    print(f'checkpoint: {result["checkpoint"]}')
    print(f'reconstruction: {picture}')


if __name__ == '__main__':
    main()
