# Copyright (c) OpenMMLab. All rights reserved.
"""Telling an official VideoMAE checkpoint from an mmaction2-format one.

Official VideoMAE files keep their tensors under ``model`` (or ``module``)
and must be converted first; the reader and :func:`state_dict_of` refuse
them with one line naming the converter.
"""
from typing import Any

from .checkpoint_errors import OfficialVideoMAEError

CONVERTER = 'tools/convert/videomae_to_mmaction.py'


def is_official(ckpt: Any) -> bool:
    """An official VideoMAE layout: tensors under ``model``/``module``."""
    return isinstance(ckpt, dict) and 'state_dict' not in ckpt and any(
        isinstance(ckpt.get(k), dict) for k in ('model', 'module'))


def official_error(filename: str) -> OfficialVideoMAEError:
    """The error for an official VideoMAE ``filename``: convert it first."""
    return OfficialVideoMAEError(
        f'{filename}: this is an official VideoMAE file: convert it with '
        f'{CONVERTER}')
