# Copyright (c) OpenMMLab. All rights reserved.
"""The one checkpoint-reading path: data only, one error type, one line.

Every checkpoint the project reads comes through :func:`read_checkpoint`:
mmengine's local-file scheme (``load_from``, ``--resume``, ``Pretrained``
init), the strict fine-tune init, the VOS encoder, the converter and the
tools. ``.pth`` files unpickle with ``weights_only=True`` and an explicit
allow-list (:mod:`.checkpoint_allowlist`; docs/design.md: mmengine's
``HistoryBuffer`` and numpy data, nothing else); ``.safetensors`` files hold
tensors only by construction (:mod:`.safetensors_reader`). Problems raise
:class:`CheckpointError` (:mod:`.checkpoint_errors`; a ``ValueError``, so
the tools' one-line ``error:`` handling covers it) with a message that names
the file and the fix; official VideoMAE files are recognised by
:mod:`.official_videomae`. What the tensors then load into, and what a load
may leave out, is :func:`motionmae_mm.utils.state_policy.load_state`'s job.

The names of those modules stay importable from here.
"""
import os.path as osp
import pickle
import re
from argparse import Namespace
from typing import Any, Callable, Dict, Optional, Union

import torch
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor

from .checkpoint_allowlist import (refused_global,
                                   register_checkpoint_safe_globals)
from .checkpoint_errors import (CheckpointError, CheckpointNotFoundError,
                                OfficialVideoMAEError, UnsafeCheckpointError)
from .official_videomae import CONVERTER, is_official, official_error
from .safetensors_reader import read_safetensors

__all__ = [
    'CONVERTER', 'CheckpointError', 'CheckpointNotFoundError', 'MapLocation',
    'OfficialVideoMAEError', 'PICKLE_MAGIC', 'TORCH_MAGIC',
    'UnsafeCheckpointError', 'ZIP_MAGIC', 'load_from_local',
    'read_checkpoint', 'read_safetensors', 'register_checkpoint_loader',
    'register_checkpoint_safe_globals', 'state_dict_of'
]

MapLocation = Optional[Union[str, torch.device, Callable]]
ZIP_MAGIC = b'PK\x03\x04'  # torch.save's zip format
PICKLE_MAGIC = b'\x80'  # torch's legacy format: a pickle
TORCH_MAGIC = (ZIP_MAGIC, PICKLE_MAGIC)


def read_checkpoint(filename: str,
                    map_location: MapLocation = 'cpu',
                    what: str = 'checkpoint',
                    allow_videomae_args: bool = False) -> Any:
    """Read a ``.pth`` (data only) or ``.safetensors`` checkpoint.

    Args:
        filename: The file.
        map_location: Where tensors go (``torch.load``'s argument).
        what: How the caller names the file in messages (``CHECKPOINT``,
            ``init_cfg.checkpoint``, ...).
        allow_videomae_args: Also allow ``argparse.Namespace`` (plain
            attributes), which official VideoMAE files store (converter).

    Raises:
        CheckpointNotFoundError: the file does not exist.
        OfficialVideoMAEError: an official VideoMAE file (its ``args``).
        UnsafeCheckpointError: it asks for anything not allow-listed.
        CheckpointError: it is not a checkpoint, or corrupt.
    """
    filename = osp.expanduser(str(filename))
    if osp.isfile(osp.join(filename, '.metadata')):
        raise CheckpointError(
            f'{filename}: a sharded checkpoint (a directory): consolidate it '
            'with tools/convert/consolidate_checkpoint.py, or resume it with '
            "strategy=dict(type='FSDP2')")
    if not osp.isfile(filename):
        raise CheckpointNotFoundError(f'{what}: no such file: {filename}')
    if filename.endswith('.safetensors'):
        device = map_location if isinstance(map_location, str) else 'cpu'
        return read_safetensors(filename, device)
    with open(filename, 'rb') as file:
        head = file.read(4)
    if not head.startswith(TORCH_MAGIC):
        raise CheckpointError(
            f'{filename}: not a checkpoint (neither a torch.save file nor '
            '.safetensors)')
    extra = [Namespace] if allow_videomae_args else []
    try:
        with torch.serialization.safe_globals(extra):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        refused = refused_global(err)
        if refused == 'argparse.Namespace' and is_official(
                read_checkpoint(filename, 'cpu', what, True)):
            raise official_error(filename) from None
        raise UnsafeCheckpointError(
            f'{filename}: refused to load: it asks for {refused}, which is '
            'not plain data (checkpoints load with weights_only=True); '
            're-save it as tensors only') from None
    except Exception as err:  # zip, storage and pickle-stream errors
        detail = ' '.join(str(err).split())[:60] or type(err).__name__
        raise CheckpointError(
            f'{filename}: corrupt or truncated checkpoint ({detail})'
        ) from None


def state_dict_of(ckpt: Any, filename: str) -> Dict[str, Tensor]:
    """The tensors of a checkpoint: ``state_dict`` or a plain tensor dict.

    Raises:
        OfficialVideoMAEError: top key ``model``/``module`` (official file).
        CheckpointError: no tensor dict at all.
    """
    if is_official(ckpt):
        raise official_error(filename)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state or not all(
            isinstance(v, Tensor) for v in state.values()):
        raise CheckpointError(f'{filename}: not a checkpoint (no tensor dict '
                              'under "state_dict")')
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """mmengine's loader for local files: :func:`read_checkpoint`.

    Registered as mmengine's default scheme, so ``load_from``, ``--resume``
    and ``Pretrained`` init read data only, ``.safetensors`` included.
    """
    return read_checkpoint(filename, map_location)


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local` mmengine's local-file loader."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
