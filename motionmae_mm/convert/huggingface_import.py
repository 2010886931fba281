# Copyright (c) OpenMMLab. All rights reserved.
"""Bring a Hugging Face VideoMAE folder back as one of our checkpoints.

Writes ``{'state_dict': {...}, 'meta': {...plain types}}`` (the converter
format of ``tools/convert/videomae_to_mmaction.py``) with mmaction2
``VisionTransformer`` keys under ``backbone.``, so ``init_cfg=dict(
type='Pretrained', checkpoint=..., prefix='backbone.')`` loads it into a
stock ``Recognizer3D``. ``meta['cfg']`` holds a config our tools rebuild
the model from: a VideoMAE ``MotionMAE`` (pixel target only) for a
``VideoMAEForPreTraining`` folder, a ``Recognizer3D`` for a
classification one, a backbone-only config for a bare ``VideoMAEModel``.
"""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import torch
from mmaction.models.backbones.vit_mae import get_sinusoid_encoding

from ..models.targets import PixelTarget
from .checkpoint_model import build_model, load_file_as_data
from .errors import ConversionError
from .huggingface_config import (backbone_cfg_from_hf, pretrain_cfg_from_hf,
                                 recognizer_cfg_from_hf)
from .huggingface_keys import decoder_from_hf, encoder_from_hf
from .stored_config import config_text

WEIGHT_FILES = ('model.safetensors', 'model.safetensors.index.json',
                'pytorch_model.bin')


def read_hf_config(hf_dir: str):
    """The folder's ``VideoMAEConfig``; other model types are refused."""
    from transformers import VideoMAEConfig
    if not osp.isdir(hf_dir):
        raise ConversionError(f'{hf_dir}: no such folder')
    path = osp.join(hf_dir, 'config.json')
    if not osp.isfile(path):
        raise ConversionError(f'{path}: not found (not a Hugging Face model '
                              'folder)')
    try:
        with open(path) as f:
            raw = json.load(f)
    except (OSError, ValueError) as err:
        raise ConversionError(f'{path}: not JSON: {err}') from None
    if raw.get('model_type') != 'videomae':
        raise ConversionError(f'{path}: model_type {raw.get("model_type")!r}'
                              ", only 'videomae' folders convert")
    return VideoMAEConfig.from_dict(raw)


def read_hf_tensors(hf_dir: str) -> Dict[str, torch.Tensor]:
    """Every tensor of the folder (safetensors, shards or a .bin as data)."""
    from safetensors.torch import load_file
    found = [n for n in WEIGHT_FILES if osp.isfile(osp.join(hf_dir, n))]
    if not found:
        names = ', '.join(WEIGHT_FILES)
        raise ConversionError(f'{hf_dir}: no weights ({names})')
    path = osp.join(hf_dir, found[0])
    try:
        if found[0] == 'model.safetensors':
            return load_file(path)
        if found[0].endswith('.index.json'):
            with open(path) as f:
                shards = sorted(set(json.load(f)['weight_map'].values()))
            out = {}
            for shard in shards:
                out.update(load_file(osp.join(hf_dir, shard)))
            return out
        return load_file_as_data(path)
    except ConversionError:
        raise
    except Exception as err:
        first = (str(err).strip().splitlines() or [repr(err)])[0]
        raise ConversionError(
            f'{path}: cannot read tensors: {first}') from None


def _split(hf: Dict[str, torch.Tensor]) -> Tuple[str, dict, dict]:
    """``(kind, encoder tensors without 'videomae.', the rest)``."""
    if any(k.startswith('videomae.') for k in hf):
        enc = {k[9:]: v for k, v in hf.items() if k.startswith('videomae.')}
        rest = {k: v for k, v in hf.items() if not k.startswith('videomae.')}
    else:
        enc, rest = dict(hf), {}
    if 'classifier.weight' in rest:
        kind = 'finetune'
    elif 'decoder.head.weight' in rest:
        kind = 'pretrain'
    else:
        kind = 'encoder'
    return kind, enc, rest


def convert_from_hf(hf_dir: str) -> dict:
    """``{'state_dict', 'meta'}`` of the VideoMAE folder ``hf_dir``.

    Raises:
        ConversionError: not a VideoMAE folder, unreadable weights, keys or
            settings ours cannot hold.
    """
    config = read_hf_config(hf_dir)
    kind, enc, rest = _split(read_hf_tensors(hf_dir))
    if kind == 'finetune':
        for name in ('fc_norm.weight', 'fc_norm.bias'):
            if name in rest:
                enc[name] = rest.pop(name)
    try:
        backbone = encoder_from_hf(enc)
    except ConversionError as err:
        raise ConversionError(f'{hf_dir}: {err}') from None
    try:
        cfg = backbone_cfg_from_hf(config)
        if kind == 'finetune':
            model_cfg = recognizer_cfg_from_hf(config)
        elif kind == 'pretrain':
            model_cfg = pretrain_cfg_from_hf(config)
        else:
            model_cfg = dict(backbone=cfg)
    except ConversionError as err:
        raise ConversionError(f'{hf_dir}/config.json: {err}') from None
    grid = cfg['img_size'] // cfg['patch_size']
    num_tokens = grid * grid * (cfg['num_frames'] // cfg['tubelet_size'])
    backbone['pos_embed'] = get_sinusoid_encoding(num_tokens,
                                                  cfg['embed_dims'])
    state = {f'backbone.{k}': v for k, v in backbone.items()}
    if kind == 'finetune':
        state['cls_head.fc_cls.weight'] = rest.pop('classifier.weight')
        state['cls_head.fc_cls.bias'] = rest.pop('classifier.bias')
    elif kind == 'pretrain':
        try:
            neck, head = decoder_from_hf(rest, PixelTarget.default_name)
        except (ConversionError, KeyError) as err:
            raise ConversionError(f'{hf_dir}: decoder: {err}') from None
        rest = {}
        state.update({f'neck.{k}': v for k, v in neck.items()})
        state.update({f'head.{k}': v for k, v in head.items()})
    if rest:
        raise ConversionError(f'{hf_dir}: unknown keys {sorted(rest)[:4]}')
    build_model(model_cfg, state, hf_dir)  # the stored config fits
    meta = dict(
        cfg=config_text(model_cfg),
        converted_from=osp.basename(osp.normpath(hf_dir)),
        converter='tools/convert/hf_to_mmaction.py',
        kind=kind,
        hf_architecture=(config.architectures or ['?'])[0],
        embed_dims=cfg['embed_dims'],
        depth=cfg['depth'],
        patch_size=cfg['patch_size'],
        tubelet_size=cfg['tubelet_size'],
        num_frames=cfg['num_frames'],
        num_classes=int(config.num_labels) if kind == 'finetune' else None)
    return dict(state_dict=state, meta=meta)


def import_from_hf(hf_dir: str, out: str) -> dict:
    """Convert ``hf_dir`` and save it to ``out`` (written then renamed)."""
    ckpt = convert_from_hf(hf_dir)
    tmp = out + '.tmp'
    torch.save(ckpt, tmp)
    os.replace(tmp, out)
    return ckpt
