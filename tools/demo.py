# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo`: build the demo data, pretrain a tiny MotionMAE, draw it.

Ends with two lines other tools parse::

    checkpoint: <absolute path>.pth
    reconstruction: <absolute path>.png
"""
import argparse
import os.path as osp
import subprocess
import sys
import time

import torch
from mmengine.config import Config

from motionmae_mm.apis import (adapt_cfg_to_machine, build_runner,
                               init_model, load_video_inputs)
from motionmae_mm.utils.cli import (ErrorContext, UserError,
                                    add_traceback_flag, user_errors)
from motionmae_mm.visualization import (make_grid, reconstruction_rows,
                                        row_labels, save_image)

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
        pretrain(args, ctx)


def pretrain(args: argparse.Namespace, ctx: ErrorContext) -> None:
    """Build the data if needed, pretrain, draw a reconstruction."""
    start = time.time()
    if not osp.isfile(osp.join(args.data_root, 'pretrain.txt')):
        build = subprocess.run([
            sys.executable,
            osp.join(REPO, 'tools/data/build_demo_dataset.py'), '--out-dir',
            args.data_root
        ])
        if build.returncode:
            raise UserError('tools/data/build_demo_dataset.py failed '
                            f'(exit {build.returncode}), see above')
    ctx.cfg = cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'
    cfg.train_dataloader.dataset.ann_file = osp.join(args.data_root,
                                                     'pretrain.txt')
    cfg.train_dataloader.dataset.data_prefix = dict(video=args.data_root)
    runner = build_runner(adapt_cfg_to_machine(cfg))
    runner.train()
    losses = {  # mean of the last 10 iterations
        key: runner.message_hub.get_scalar(f'train/{key}').mean(10)
        for key in ('loss', 'loss_appearance', 'loss_motion')
    }
    with open(osp.join(args.work_dir, 'last_checkpoint')) as f:
        checkpoint = osp.abspath(f.read().strip())

    video = args.video or osp.join(args.data_root, 'val/right/right_0000.mp4')
    model = init_model(cfg, checkpoint)
    torch.manual_seed(0)
    rows = reconstruction_rows(model, load_video_inputs(model, video))
    picture = osp.abspath(osp.join(args.work_dir, 'reconstruction.png'))
    save_image(picture, make_grid(rows, labels=row_labels(model)))

    print('demo finished in {:.0f} s; losses (last 10 iters): {}'.format(
        time.time() - start,
        ', '.join(f'{k} {v:.4f}' for k, v in losses.items())))
    print(f'checkpoint: {checkpoint}')
    print(f'reconstruction: {picture}')


if __name__ == '__main__':
    main()
