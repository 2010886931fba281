# Copyright (c) OpenMMLab. All rights reserved.
"""Rebuild the model a checkpoint was trained as, from its stored config.

The architecture comes from the checkpoint itself (``meta['cfg']``, read
as data by :mod:`.stored_config`) or from a config file the user names;
the tensors load strictly, so what is exported is exactly what was
trained.
"""
import os.path as osp
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from torch import nn

from ..utils import register_all_modules
from .errors import ConversionError
from .stored_config import StoredConfigError, model_cfg_from_text


def load_file_as_data(path: str):
    """Unpickle ``path`` as data: the one place the converters read a
    ``.pth`` / ``.bin``, through the project's one loading path
    (:func:`motionmae_mm.utils.checkpoint.read_checkpoint`)."""
    from ..utils.checkpoint import read_checkpoint
    if not osp.isfile(path):
        raise ConversionError(f'{path}: no such file')
    try:
        return read_checkpoint(path)
    except Exception as err:  # torch raises several unpickling types
        first = (str(err).strip().splitlines() or [repr(err)])[0]
        raise ConversionError(f'{path}: cannot be read as a checkpoint: '
                              f'{first}') from None


def read_checkpoint(path: str) -> dict:
    """``{'state_dict', 'meta'}`` of one of our checkpoints, as data."""
    ckpt = load_file_as_data(path)
    state = ckpt.get('state_dict') if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not any(
            k.startswith('backbone.') for k in state):
        raise ConversionError(
            f'{path}: no state_dict with backbone.* tensors, not a '
            'motionmae_mm / mmaction2 checkpoint (an official VideoMAE '
            'file: convert it with tools/convert/videomae_to_mmaction.py)')
    meta = ckpt.get('meta') if isinstance(ckpt.get('meta'), dict) else {}
    return dict(state_dict=state, meta=meta)


def model_cfg(ckpt: dict, path: str, config: Optional[str] = None) -> dict:
    """The ``model`` config: from ``config`` if given, else ``meta['cfg']``."""
    if config is not None:
        if not osp.isfile(config):
            raise ConversionError(f'--config {config}: no such file')
        return Config.fromfile(config).model.to_dict()
    text = ckpt['meta'].get('cfg')
    if not isinstance(text, str):
        raise ConversionError(
            f"{path}: no meta['cfg'] (the config mmengine stores), so the "
            'architecture is unknown; give the training config with '
            '--config CONFIG')
    try:
        return model_cfg_from_text(text)
    except StoredConfigError as err:
        raise ConversionError(f"{path}: meta['cfg']: {err}; give the "
                              'training config with --config') from None


class EncoderOnly(nn.Module):
    """Holder for a backbone-only config (``model = dict(backbone=...)``)."""

    def __init__(self, backbone: dict) -> None:
        super().__init__()
        self.backbone = MODELS.build(backbone)


def build_model(cfg: dict, state: dict, path: str) -> nn.Module:
    """Build ``cfg`` (in eval mode) and load ``state`` into it strictly.

    A backbone-only config (no ``type``) builds the encoder alone. A
    missing ``backbone.fc_norm`` is allowed (an encoder imported from a
    VideoMAE folder without it keeps its initial values).
    """
    register_all_modules()
    cfg = dict(cfg)
    try:
        if 'type' not in cfg:
            model = EncoderOnly(cfg['backbone'])
        else:
            model = MODELS.build(cfg)
    except Exception as err:
        raise ConversionError(f'{path}: cannot build its model from the '
                              f'stored config: {err}') from None
    result = model.load_state_dict(state, strict=False)
    missing = [
        k for k in result.missing_keys if not k.startswith('backbone.fc_norm.')
    ]
    if missing or result.unexpected_keys:
        raise ConversionError(
            f'{path}: tensors do not match its config: missing {missing[:4]}'
            f', unexpected {result.unexpected_keys[:4]}')
    return model.eval()


def load_source(path: str,
                config: Optional[str] = None) -> Tuple[nn.Module, dict]:
    """``(model, meta)`` of a checkpoint, rebuilt and loaded strictly."""
    ckpt = read_checkpoint(path)
    model = build_model(
        model_cfg(ckpt, path, config), ckpt['state_dict'], path)
    return model, ckpt['meta']


@torch.no_grad()
def encoder_tokens(backbone: nn.Module, clip: torch.Tensor) -> torch.Tensor:
    """Every token after the encoder's final norm, (B, N, C).

    mmaction2's ``VisionTransformer`` forward pools; this is the same
    computation up to its final norm (``Identity`` with mean pooling).
    """
    x = backbone.patch_embed(clip)[0] + backbone.pos_embed
    for blk in backbone.blocks:
        x = blk(x)
    return backbone.norm(x)
