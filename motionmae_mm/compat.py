# Copyright (c) OpenMMLab. All rights reserved.
"""Compatibility shims for torch >= 2.6 and CPU-only distributed runs.

* ``torch.load`` defaults to ``weights_only=True`` since torch 2.6, which
  refuses the few non-tensor objects that mmengine puts in its checkpoints
  (``HistoryBuffer`` in the message hub, numpy arrays and scalars). We
  allow-list exactly those classes instead of turning ``weights_only`` off:
  a checkpoint is data, never code.
* mmengine 0.10.7 assumes CUDA when it sets up distributed training. On a
  CPU-only machine we initialise a gloo process group ourselves.
"""
import os
import os.path as osp
import pickle
from typing import Any, Callable, Optional, Union

import numpy as np
import torch
import torch.distributed as dist
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


# filled lazily by mmengine at the first HistoryBuffer(): list them here
_DEFAULT_STATISTICS = frozenset(('min', 'max', 'current', 'mean'))


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """Stand-in for ``getattr`` inside checkpoints.

    ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Allowing the real ``getattr`` would
    let a checkpoint reach arbitrary attributes, so only those lookups pass.
    """
    allowed = _DEFAULT_STATISTICS.union(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise torch.serialization.pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}), which is not '
        'allowed: checkpoints are loaded as data (weights_only=True)')


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


def _slurm_env_to_torch_env() -> None:
    """Export torchrun's variables from Slurm's (single-node CPU jobs)."""
    if 'SLURM_PROCID' not in os.environ or 'RANK' in os.environ:
        return
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['WORLD_SIZE'] = os.environ.get('SLURM_NTASKS', '1')
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
    os.environ.setdefault('MASTER_PORT', '29500')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list (possibly code)."""


def load_from_local(filename: str,
                          map_location: Optional[Union[str,
                                                       Callable]] = None):
    """mmengine's loader for local files, with data-only unpickling.

    Replaces mmengine's default scheme so every load (``load_from``,
    ``--resume``, ``Pretrained`` init, tools) unpickles with
    ``weights_only=True`` and turns a refusal into one line that names the
    file and the refused global.

    Raises:
        FileNotFoundError: if ``filename`` does not exist.
        UnsafeCheckpointError: if the file asks for anything not allowed.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint not found: {filename}')
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        detail = next((line.strip() for line in str(err).splitlines()
                       if 'GLOBAL' in line or 'getattr' in line),
                      str(err).splitlines()[0])
        raise UnsafeCheckpointError(
            f'{filename}: refused to load, it holds objects that are not '
            f'plain data ({detail}). Checkpoints load with '
            'weights_only=True; re-save it as tensors only') from None


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local` mmengine's local-file loader."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


def init_cpu_dist_if_needed(launcher: str = 'pytorch') -> bool:
    """Initialise a gloo process group when launched distributed on CPU.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device``, which fails
    without a GPU. When a launcher started the processes (one or more) and
    CUDA is absent we set up gloo here; mmengine then finds the group
    initialised and skips its own set-up. ``launcher='slurm'`` reads Slurm's task variables.

    Returns:
        bool: True if this call initialised (or found) a CPU process group.
    """
    if torch.cuda.is_available():
        return False
    if launcher == 'slurm':
        _slurm_env_to_torch_env()
    if 'WORLD_SIZE' not in os.environ:  # not started by a launcher
        return False
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    return True
