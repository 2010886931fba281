# Copyright (c) OpenMMLab. All rights reserved.
"""Rebuild the model a checkpoint was trained as, from its stored config.

The architecture comes from the checkpoint itself (``meta['cfg']``, read
as data by :mod:`.stored_config`) or from a config file the user names;
the tensors load strictly, so what is exported is exactly what was
trained.
"""
import os.path as osp
from typing import Optional, Tuple

from mmaction.registry import MODELS
from mmengine.config import Config
from torch import nn

from ..utils import register_all_modules
from ..utils.checkpoint import CheckpointError, read_checkpoint
from ..utils.state_policy import load_state
from .errors import ConversionError
from .stored_config import StoredConfigError, model_cfg_from_text


def load_file_as_data(path: str):
    """Read ``path`` as data through the project's one reader
    (:func:`motionmae_mm.utils.read_checkpoint`); its errors become
    :class:`ConversionError`."""
    try:
        return read_checkpoint(path)
    except CheckpointError as err:
        raise ConversionError(str(err)) from None


def read_source(path: str) -> dict:
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
    """Build ``cfg`` (in eval mode) and load ``state`` into it.

    A backbone-only config (no ``type``) builds the encoder alone. The
    backbone loads under the ``'encoder'`` policy, as fine-tuning does (an
    encoder imported from a VideoMAE folder without ``fc_norm`` keeps its
    initial values); the rest of the model loads exactly.
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
    try:
        load_state(model, state, 'encoder', path, within='backbone.')
    except CheckpointError as err:
        raise ConversionError(str(err)) from None
    return model.eval()


def load_source(path: str,
                config: Optional[str] = None) -> Tuple[nn.Module, dict]:
    """``(model, meta)`` of a checkpoint, rebuilt and loaded strictly."""
    ckpt = read_source(path)
    model = build_model(
        model_cfg(ckpt, path, config), ckpt['state_dict'], path)
    return model, ckpt['meta']
