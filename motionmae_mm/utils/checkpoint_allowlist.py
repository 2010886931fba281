# Copyright (c) OpenMMLab. All rights reserved.
"""What a ``.pth`` checkpoint may hold when unpickled with ``weights_only``.

mmengine's checkpoints hold a ``HistoryBuffer`` (message hub) and numpy
data besides tensors; torch >= 2.6 refuses both unless they are
allow-listed. :func:`register_checkpoint_safe_globals` adds exactly those
(docs/design.md), nothing that can run code; :func:`refused_global` names
what a refused file asked for, for the reader's one-line message.
"""
import pickle
import re
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

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


def refused_global(err: Exception) -> str:
    """The global a refused unpickling asked for, e.g. ``posix.system``.

    Parsed from torch's (long, multi-line) message so the reader's error
    names it in one line; falls back to the message's first line.
    """
    found = re.search(r'GLOBAL (\S+?)[\s,]', str(err) + ' ')
    if found:
        return found.group(1)
    first = str(err).strip().splitlines()[0] if str(err).strip() else ''
    return first[:80] or type(err).__name__
