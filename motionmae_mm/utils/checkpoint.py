# Copyright (c) OpenMMLab. All rights reserved.
"""The one checkpoint-reading path: data only, one error type, one line.

Every checkpoint the project reads comes through :func:`read_checkpoint`:
mmengine's local-file scheme (``load_from``, ``--resume``, ``Pretrained``
init), the strict fine-tune init, the VOS encoder, the converter and the
tools. ``.pth`` files unpickle with ``weights_only=True`` and an explicit
allow-list (docs/design.md: mmengine's ``HistoryBuffer`` and numpy data,
nothing else); ``.safetensors`` files hold tensors only by construction.
Problems raise :class:`CheckpointError` (a ``ValueError``, so the tools'
one-line ``error:`` handling covers it) with a message that names the file
and the fix. What the tensors then load into, and what a load may leave out,
is :func:`motionmae_mm.utils.state_policy.load_state`'s job.
"""
import json
import os.path as osp
import pickle
import re
from argparse import Namespace
from typing import Any, Callable, Dict, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor

MapLocation = Optional[Union[str, torch.device, Callable]]
CONVERTER = 'tools/convert/videomae_to_mmaction.py'
# filled lazily by mmengine at the first HistoryBuffer(): list them here
_DEFAULT_STATISTICS = frozenset(('min', 'max', 'current', 'mean'))
ZIP_MAGIC = b'PK\x03\x04'  # torch.save's zip format
PICKLE_MAGIC = b'\x80'  # torch's legacy format: a pickle
TORCH_MAGIC = (ZIP_MAGIC, PICKLE_MAGIC)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is one line."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list (possibly code)."""


class OfficialVideoMAEError(CheckpointError):
    """An official VideoMAE file where an mmaction2-format one is needed."""


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """Stand-in for ``getattr`` inside checkpoints.

    ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Allowing the real ``getattr`` would
    let a checkpoint reach arbitrary attributes, so only those lookups pass.
    """
    allowed = _DEFAULT_STATISTICS.union(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'GLOBAL getattr({obj!r}, {name!r}) is not allowed')


def _numpy_safe_globals() -> list:
    """Numpy objects a checkpoint may hold: arrays, scalars, dtypes."""
    core = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    dtype_classes = [
        type(np.dtype(name)) for name in ('bool', 'int8', 'int16', 'int32',
                                          'int64', 'uint8', 'uint16',
                                          'uint32', 'uint64', 'float16',
                                          'float32', 'float64', 'U', 'O')
    ]
    return [core._reconstruct, core.scalar, np.ndarray, np.dtype
            ] + dtype_classes


def register_checkpoint_safe_globals() -> None:
    """Allow-list what mmengine checkpoints contain for ``weights_only``."""
    torch.serialization.add_safe_globals(
        [HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')] +
        _numpy_safe_globals())


def _refused_global(err: Exception) -> str:
    """The global a refused unpickling asked for, e.g. ``posix.system``."""
    found = re.search(r'GLOBAL (\S+?)[\s,]', str(err) + ' ')
    if found:
        return found.group(1)
    first = str(err).strip().splitlines()[0] if str(err).strip() else ''
    return first[:80] or type(err).__name__


def _is_official(ckpt: Any) -> bool:
    """An official VideoMAE layout: tensors under ``model``/``module``."""
    return isinstance(ckpt, dict) and 'state_dict' not in ckpt and any(
        isinstance(ckpt.get(k), dict) for k in ('model', 'module'))


def _official_error(filename: str) -> OfficialVideoMAEError:
    return OfficialVideoMAEError(
        f'{filename}: this is an official VideoMAE file: convert it with '
        f'{CONVERTER}')


def read_safetensors(filename: str, device: str = 'cpu') -> dict:
    """``{'state_dict': tensors, 'meta': metadata}`` of a ``.safetensors``.

    ``meta`` is the JSON stored under the metadata key ``meta`` (as
    :func:`motionmae_mm.utils.publish_checkpoint` writes it), else the raw
    string metadata, else an empty dict.
    """
    from safetensors import SafetensorError, safe_open
    try:
        with safe_open(filename, framework='pt', device=device) as file:
            state = {key: file.get_tensor(key) for key in file.keys()}
            raw = file.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(f'{filename}: not a readable .safetensors file '
                              f'({" ".join(str(err).split())[:80]})') from None
    meta: Any = dict(raw)
    if 'meta' in raw:
        try:
            meta = json.loads(raw['meta'])
        except ValueError:
            pass
    return dict(state_dict=state, meta=meta)


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
        refused = _refused_global(err)
        if refused == 'argparse.Namespace' and _is_official(
                read_checkpoint(filename, 'cpu', what, True)):
            raise _official_error(filename) from None
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
    if _is_official(ckpt):
        raise _official_error(filename)
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
