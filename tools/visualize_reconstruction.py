# Copyright (c) OpenMMLab. All rights reserved.
"""Picture of a MotionMAE reconstruction of one video.

Rows: original frames / masked input / appearance reconstruction / motion
target / motion prediction (the last three only for the targets the model
predicts). Zero motion shows as mid-grey.

Example::

    python tools/visualize_reconstruction.py CONFIG CHECKPOINT VIDEO \\
        --out recon.png
"""
import argparse
import os
import os.path as osp

import torch

from motionmae_mm.apis import init_model, load_video_inputs
from motionmae_mm.visualization import (make_grid, reconstruction_rows,
                                        save_image)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('video', help='video file to reconstruct')
    parser.add_argument('--out', required=True, help='output .png')
    parser.add_argument('--seed', type=int, default=0, help='mask seed')
    parser.add_argument('--scale', type=int, default=2, help='zoom factor')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.video):
        raise SystemExit(f'video not found: {args.video}')
    model = init_model(args.config, args.checkpoint, args.device)
    torch.manual_seed(args.seed)
    rows = reconstruction_rows(model, load_video_inputs(model, args.video))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    save_image(args.out, make_grid(rows, scale=args.scale))
    print(f'reconstruction: {osp.abspath(args.out)}')


if __name__ == '__main__':
    main()
