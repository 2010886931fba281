# Copyright (c) OpenMMLab. All rights reserved.
"""Publish a checkpoint for users: weights + meta, hash-named, safetensors.

    python tools/publish_model.py work_dirs/run/epoch_800.pth \\
        motionmae_vitb_k400.pth

writes ``motionmae_vitb_k400-<8 hex of sha256>.pth`` (optimizer, message
hub, scheduler and RNG states stripped) and a ``.safetensors`` twin with the
same tensors. Both load wherever a checkpoint is read (``init_cfg``,
``tools/test.py``, ``tools/eval_vos.py``,
``tools/visualize_reconstruction.py``).
"""
import argparse
import sys

from motionmae_mm.utils import CheckpointError, publish_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Strip a training checkpoint to weights + meta and '
        'write it as OUT-<hash>.pth and OUT-<hash>.safetensors')
    parser.add_argument('src', metavar='IN', help='training checkpoint')
    parser.add_argument('dst', metavar='OUT', help='published name (.pth)')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    try:
        pth, safetensors = publish_checkpoint(args.src, args.dst)
    except CheckpointError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'published: {pth}')
    print(f'published: {safetensors}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
