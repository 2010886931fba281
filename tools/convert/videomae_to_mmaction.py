# Copyright (c) OpenMMLab. All rights reserved.
"""Convert an official VideoMAE checkpoint for mmaction2 / motionmae_mm.

    python tools/convert/videomae_to_mmaction.py IN.pth OUT.pth

Reads pretraining files (top key ``model``, encoder under ``encoder.``) and
fine-tuned files (top key ``model`` or ``module``, no prefix) and writes
``{'state_dict': {'backbone.*', 'cls_head.fc_cls.*'?}, 'meta': {...}}`` with
mmaction2 ``VisionTransformer`` key names (``prefix='backbone.'`` loads it;
it is plain data). The input is read by ``motionmae_mm.utils.read_checkpoint``
(data only). The encoder's final
``norm`` is kept (VOS uses it); decoder, ``encoder_to_decoder`` and
``mask_token`` are dropped. Unknown encoder keys stop the conversion.
"""
import argparse
import os.path as osp
import re
import sys
from typing import Dict, List, Tuple

import torch

from motionmae_mm.utils import read_checkpoint
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors

RENAMES: List[Tuple[str, str]] = [
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^(blocks\.\d+)\.mlp\.fc1\.', r'\1.mlp.layers.0.0.'),
    (r'^(blocks\.\d+)\.mlp\.fc2\.', r'\1.mlp.layers.1.'),
]
ENCODER_KEY = re.compile(
    r'^(pos_embed|patch_embed\.projection\.(weight|bias)|'
    r'blocks\.\d+\.(norm1|norm2)\.(weight|bias)|'
    r'blocks\.\d+\.attn\.(q_bias|v_bias|qkv\.weight|qkv\.bias|'
    r'proj\.weight|proj\.bias)|'
    r'blocks\.\d+\.mlp\.layers\.(0\.0|1)\.(weight|bias)|'
    r'blocks\.\d+\.gamma_[12]|(fc_norm|norm)\.(weight|bias))$')
DROPPED = ('decoder.', 'encoder_to_decoder.', 'mask_token', 'encoder.head.')


class ConversionError(UserError, ValueError):
    """An input file that is not an official VideoMAE checkpoint."""


def load_official(path: str) -> Dict[str, torch.Tensor]:
    """Tensors of an official file, read as data.

    VideoMAE's training checkpoints also hold the ``argparse.Namespace`` of
    the run; that class (plain attributes) is allowed, nothing else.
    """
    ckpt = read_checkpoint(path, 'cpu', 'IN', allow_videomae_args=True)
    state = ckpt.get('state_dict') if isinstance(ckpt, dict) else None
    if isinstance(state, dict) and any(
            k.startswith(('backbone.', 'cls_head.')) for k in state):
        raise ConversionError(f'{path}: this is already an mmaction2-format '
                              'checkpoint, no conversion needed')
    for key in ('model', 'module', 'state_dict'):
        if isinstance(ckpt, dict) and isinstance(ckpt.get(key), dict):
            return ckpt[key]
    if isinstance(ckpt, dict) and all(
            isinstance(v, torch.Tensor) for v in ckpt.values()):
        return ckpt
    raise ConversionError(f'{path}: no "model" or "module" state dict')


def convert(state: Dict[str, torch.Tensor],
            source: str = 'IN') -> Tuple[Dict[str, torch.Tensor], dict]:
    """Map official VideoMAE keys to ``backbone.*`` / ``cls_head.fc_cls.*``.

    Returns:
        tuple: ``(state_dict, meta)``; ``meta`` holds plain types only.

    Raises:
        ConversionError: on an unknown encoder key or a patch embedding
            that is not a 3-D (tubelet) convolution.
    """
    state = {re.sub(r'^module\.', '', k): v for k, v in state.items()}
    pretrain = any(k.startswith('encoder.') for k in state)
    out, dropped = {}, []
    for key, value in state.items():
        if key.startswith(DROPPED):
            dropped.append(key)
            continue
        if pretrain:
            if not key.startswith('encoder.'):
                raise ConversionError(f'{source}: unknown key {key!r} '
                                      '(pretraining file)')
            key = key[len('encoder.'):]
        if key.startswith('head.'):  # fine-tuned classifier
            out['cls_head.fc_cls.' + key[len('head.'):]] = value
            continue
        new = key
        for pattern, repl in RENAMES:
            new = re.sub(pattern, repl, new)
        if not ENCODER_KEY.match(new):
            raise ConversionError(f'{source}: unknown encoder key {key!r}')
        if new.endswith('attn.qkv.bias'):
            raise ConversionError(
                f'{source}: {key!r} is a fused q/k/v bias; mmaction2 keeps '
                'q_bias and v_bias with a zero k-bias (timm/mmpretrain ViT?)')
        out['backbone.' + new] = value
    proj = out.get('backbone.patch_embed.projection.weight')
    if proj is None or proj.ndim != 5 or proj.shape[1] != 3:
        shape = None if proj is None else tuple(proj.shape)
        raise ConversionError(
            f'{source}: patch_embed.proj.weight should be (C, 3, t, p, p), '
            f'got {shape}')
    depth = len({k.split('.')[2] for k in out if '.blocks.' in k})
    head = out.get('cls_head.fc_cls.weight')
    meta = dict(
        converted_from=osp.basename(source),
        converter='tools/convert/videomae_to_mmaction.py',
        kind='pretrain' if pretrain else 'finetune',
        embed_dims=int(proj.shape[0]),
        tubelet_size=int(proj.shape[2]),
        patch_size=int(proj.shape[3]),
        depth=depth,
        num_classes=None if head is None else int(head.shape[0]),
        dropped=sorted({k.split('.')[0]
                        for k in dropped}))
    return out, meta


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert an official VideoMAE checkpoint to mmaction2 '
        'VisionTransformer keys')
    parser.add_argument('src', metavar='IN', help='official .pth file')
    parser.add_argument('dst', metavar='OUT', help='converted .pth file')
    add_traceback_flag(parser)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback):
        state, meta = convert(load_official(args.src), args.src)
    torch.save(dict(state_dict=state, meta=meta), args.dst)
    print(f'{meta["kind"]} VideoMAE encoder: {meta["depth"]} blocks x '
          f'{meta["embed_dims"]}, patch {meta["tubelet_size"]}x'
          f'{meta["patch_size"]}x{meta["patch_size"]}, classes '
          f'{meta["num_classes"]}; {len(state)} tensors -> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
