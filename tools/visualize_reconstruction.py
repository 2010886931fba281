# Copyright (c) OpenMMLab. All rights reserved.
"""Picture of a MotionMAE reconstruction of one video.

Rows: original frames / masked input / then per target of
``model.targets`` its target (unless it is the clip itself) and its
reconstruction (MotionMAE: appearance reconstruction / motion target /
motion prediction). Zero motion shows as mid-grey. ``--gif`` also writes an
animated GIF next to the PNG (same rows, one frame per time step).

Example::

    python tools/visualize_reconstruction.py CONFIG CHECKPOINT VIDEO \\
        --out recon.png --gif
"""
import argparse
import os
import os.path as osp
import sys

import torch
from PIL import Image

from motionmae_mm.apis import init_model, load_video_inputs
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors
from motionmae_mm.visualization import (make_grid, reconstruction_rows,
                                        row_labels, save_image)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('video', help='video file to reconstruct')
    parser.add_argument('--out', required=True, help='output .png')
    parser.add_argument('--seed', type=int, default=0, help='mask seed')
    parser.add_argument('--scale', type=int, default=2, help='zoom factor')
    parser.add_argument(
        '--device', default='cpu', help='cpu, cuda or cuda:N (default cpu)')
    parser.add_argument(
        '--gif',
        action='store_true',
        help='also write an animated GIF (OUT with .gif)')
    parser.add_argument(
        '--fps', type=float, default=4., help='GIF frames per second')
    add_traceback_flag(parser)
    return parser.parse_args()


def save_gif(path: str, rows: dict, scale: int, fps: float,
             labels: dict) -> int:
    """Animated GIF of the rows, one frame per time step; returns frames."""
    num = len(next(iter(rows.values())))
    frames = []
    for t in range(num):
        grid = make_grid({k: v[t:t + 1]
                          for k, v in rows.items()}, scale, labels=labels)
        frames.append(Image.fromarray(grid))
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        duration=int(round(1000 / fps)),
        loop=0)
    return num


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback):
        if not osp.isfile(args.video):
            raise UserError(f'VIDEO: no such file: {args.video}')
        model = init_model(args.config, args.checkpoint, args.device)
        inputs = load_video_inputs(model, args.video)
    torch.manual_seed(args.seed)
    rows = reconstruction_rows(model, inputs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    labels = row_labels(model)
    save_image(args.out, make_grid(rows, scale=args.scale, labels=labels))
    print(f'reconstruction: {osp.abspath(args.out)}')
    if args.gif:
        gif = osp.splitext(osp.abspath(args.out))[0] + '.gif'
        save_gif(gif, rows, args.scale, args.fps, labels)
        print(f'gif: {gif}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
