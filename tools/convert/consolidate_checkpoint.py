# Copyright (c) OpenMMLab. All rights reserved.
"""Turn a sharded (FSDP2) checkpoint into a regular one.

    python tools/convert/consolidate_checkpoint.py CKPT OUT.pth

``CKPT`` is the directory an ``strategy=dict(type='FSDP2')`` run saved
(``work_dirs/<name>/epoch_N.pth/``), whatever number of ranks wrote it.
``OUT.pth`` holds ``{'state_dict': full tensors, 'meta': {...}}`` with the
model's usual keys, so it loads like any checkpoint of the config: as
``load_from``, as ``init_cfg.checkpoint`` of a fine-tune config (a stock
``Recognizer3D`` with ``prefix='backbone.'``), in ``tools/test.py`` and in
the Hugging Face export. No process group is needed; the shards are read as
data only. It is written through a temporary file and a rename.
"""
import argparse
import os
import os.path as osp
import sys

import torch

from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors
from motionmae_mm.utils.sharded_checkpoint import consolidate


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Consolidate a sharded checkpoint into one .pth file')
    parser.add_argument(
        'src', metavar='CKPT', help='sharded checkpoint directory')
    parser.add_argument('dst', metavar='OUT', help='regular .pth file')
    add_traceback_flag(parser)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback):
        if not osp.isdir(args.src):
            raise UserError(f'CKPT {args.src}: ' + (
                'a regular checkpoint file already, nothing to consolidate'
                if osp.isfile(args.src) else 'no such directory'))
        ckpt = consolidate(args.src)
        out_dir = osp.dirname(osp.abspath(args.dst))
        if not osp.isdir(out_dir):
            raise UserError(f'OUT {args.dst}: no such directory {out_dir}')
    tmp = osp.join(out_dir, f'.{osp.basename(args.dst)}.tmp')
    torch.save(ckpt, tmp)
    os.replace(tmp, args.dst)
    meta = ckpt['meta']
    count = sum(t.numel() for t in ckpt['state_dict'].values())
    print(f'{len(ckpt["state_dict"])} tensors ({count:,} values) from '
          f'{meta.get("world_size", "?")} rank(s), epoch '
          f'{meta.get("epoch")}, iter {meta.get("iter")} -> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
