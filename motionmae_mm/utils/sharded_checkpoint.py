# Copyright (c) OpenMMLab. All rights reserved.
"""Sharded checkpoints: a directory of ``torch.distributed.checkpoint``
shards that any world size can read.

Layout of ``epoch_4.pth/`` (a directory under the usual name, as
mmengine's DeepSpeed strategy writes)::

    .metadata          DCP's index: every tensor, its slices, their files
    __0_0.distcp       rank 0's slices (model and optimizer tensors)
    __1_0.distcp       rank 1's slices ...
    extra.pth          plain data: meta, message hub, schedulers, RNG
                       states, optimizer hyper-parameters (rank 0)

Only tensors go through DCP (its non-tensor items would be unpickled
without restriction); ``extra.pth`` is read by :func:`read_checkpoint`
and DCP's ``.metadata`` (a pickle of DCP's own dataclasses) by a reader
that allows those classes and nothing else, so loading one stays data
only, as the project's checkpoint policy requires.
"""
import io
import os
import os.path as osp
import pickle
import sys
from typing import Any, Dict, List, Optional

import torch
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint import FileSystemReader
from torch.distributed.checkpoint.metadata import (Metadata,
                                                   TensorStorageMetadata)

from .checkpoint import CheckpointError, read_checkpoint

METADATA = '.metadata'
EXTRA = 'extra.pth'
CONSOLIDATE = 'tools/convert/consolidate_checkpoint.py'
_DCP_MODULES = ('torch.distributed.checkpoint.metadata',
                'torch.distributed.checkpoint.filesystem')
_DCP_CLASSES = frozenset({
    'ChunkStorageMetadata', '_MEM_FORMAT_ENCODING', 'TensorProperties',
    'TensorStorageMetadata', 'BytesStorageMetadata', 'StorageMeta', 'Metadata',
    'MetadataIndex', '_StorageInfo'
})
_PATHS = frozenset(
    {'PosixPath', 'PurePosixPath', 'WindowsPath', 'PureWindowsPath'})


class _MetadataUnpickler(pickle.Unpickler):
    """Unpickles DCP's index: its dataclasses, ``torch.Size``, dtypes,
    layouts (by name) and paths; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if module in _DCP_MODULES and name in _DCP_CLASSES:
            return super().find_class(module, name)
        if module == 'torch' or module.startswith('torch.'):
            # dtypes pickle under whichever torch module pickle finds first
            found = getattr(sys.modules.get(module), name, None)
            if found is torch.Size or isinstance(
                    found, (torch.dtype, torch.layout, torch.memory_format)):
                return found
        if module in ('pathlib', 'pathlib._local') and name in _PATHS:
            return super().find_class(module, name)
        if (module, name) == ('torch.serialization', '_get_layout'):
            return torch.serialization._get_layout  # a name -> torch.layout
        if (module, name) == ('collections', 'OrderedDict'):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f'GLOBAL {module}.{name} is not allowed')


class SafeFileSystemReader(FileSystemReader):
    """DCP's file reader with the restricted ``.metadata`` unpickler."""

    def read_metadata(self, *args, **kwargs) -> Metadata:
        path = osp.join(str(self.path), METADATA)
        try:
            with open(path, 'rb') as file:
                metadata = _MetadataUnpickler(io.BytesIO(file.read())).load()
        except pickle.UnpicklingError as err:
            raise CheckpointError(f'{path}: refused to load ({err})') from None
        except (OSError, EOFError, ValueError) as err:
            raise CheckpointError(
                f'{path}: corrupt or truncated ({err})') from None
        if not isinstance(metadata, Metadata):
            raise CheckpointError(f'{path}: not a DCP index')
        if getattr(metadata, 'storage_meta', None) is not None:
            metadata.storage_meta.load_id = self.load_id
        return metadata


def is_sharded(path: str) -> bool:
    """Whether ``path`` is a sharded checkpoint directory."""
    return osp.isdir(path) and osp.isfile(osp.join(path, METADATA))


def read_metadata(path: str) -> Metadata:
    """The DCP index of the sharded checkpoint ``path`` (data only)."""
    reader = SafeFileSystemReader(path)
    return reader.read_metadata()


def sharded_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete sharded checkpoint, or None.

    Every shard file the index names must exist and hold the bytes it
    points into; ``extra.pth`` must be there.
    """
    if not osp.isdir(path):
        return 'no such directory'
    if not osp.isfile(osp.join(path, METADATA)):
        return f'no {METADATA} (the save did not finish)'
    try:
        metadata = read_metadata(path)
    except CheckpointError as err:
        return str(err)
    ends: Dict[str, int] = {}
    for info in metadata.storage_data.values():
        end = info.offset + info.length
        ends[info.relative_path] = max(ends.get(info.relative_path, 0), end)
    missing = sorted(f for f in ends if not osp.isfile(osp.join(path, f)))
    if missing:
        return (f'shard file(s) missing: {", ".join(missing)} (of '
                f'{len(ends)})')
    short = sorted(f for f, end in ends.items()
                   if osp.getsize(osp.join(path, f)) < end)
    if short:
        return f'shard file(s) truncated: {", ".join(short)}'
    if not osp.isfile(osp.join(path, EXTRA)):
        return f'no {EXTRA} (meta, schedulers and RNG states)'
    return None


def check_sharded(path: str) -> None:
    """Raise one :class:`CheckpointError` line if ``path`` is incomplete."""
    problem = sharded_problem(path)
    if problem is not None:
        raise CheckpointError(f'{path}: incomplete sharded checkpoint: '
                              f'{problem}')


def tensor_shapes(path: str, prefix: str) -> Dict[str, torch.Size]:
    """Full shapes of the tensors under ``prefix`` (``'state_dict.'``)."""
    metadata = read_metadata(path)
    return {
        key[len(prefix):]: item.size
        for key, item in metadata.state_dict_metadata.items()
        if key.startswith(prefix) and isinstance(item, TensorStorageMetadata)
    }


def check_keys(path: str,
               expected: Dict[str, torch.Size],
               what: str,
               prefix: str = 'state_dict.') -> None:
    """One :class:`CheckpointError` line when the checkpoint's tensors
    under ``prefix`` are not ``expected`` (names and full shapes)."""
    found = tensor_shapes(path, prefix)
    missing = sorted(k for k in expected if k not in found)
    unexpected = sorted(k for k in found if k not in expected)
    other = sorted(f'{k} {tuple(found[k])} vs {tuple(v)}'
                   for k, v in expected.items()
                   if k in found and tuple(found[k]) != tuple(v))
    problems = [
        f'{len(keys)} {label} ({", ".join(keys[:2])})'
        for label, keys in (('missing', missing), ('unexpected', unexpected),
                            ('of another shape', other)) if keys
    ]
    if problems:
        raise CheckpointError(
            f'{path} does not fit {what}: {"; ".join(problems)}; is it from '
            'another model or config?')


def save_sharded(path: str, tensors: Dict[str, Any],
                 extra: Optional[Dict[str, Any]], distributed: bool) -> None:
    """Write ``tensors`` (each rank its own slices) and, where given (one
    rank), ``extra`` (plain data) into the directory ``path``."""
    os.makedirs(path, exist_ok=True)
    writer = dcp.FileSystemWriter(path, overwrite=True)
    dcp.save(tensors, storage_writer=writer, no_dist=not distributed)
    if extra is not None:
        torch.save(extra, osp.join(path, EXTRA))


def load_sharded(path: str, tensors: Dict[str, Any],
                 distributed: bool) -> None:
    """Fill ``tensors`` (full tensors or this rank's DTensor slices) in
    place from ``path``, whatever world size wrote it."""
    dcp.load(
        tensors,
        storage_reader=SafeFileSystemReader(path),
        no_dist=not distributed)


def read_extra(path: str) -> Dict[str, Any]:
    """The plain-data part (meta, schedulers, RNG states) of ``path``."""
    return read_checkpoint(osp.join(path, EXTRA), 'cpu', 'sharded checkpoint')


def consolidate(path: str) -> Dict[str, Any]:
    """A regular checkpoint (``meta`` and full ``state_dict``) from the
    sharded checkpoint ``path``, in this process, without a process group.
    """
    check_sharded(path)
    metadata = read_metadata(path)
    state: Dict[str, torch.Tensor] = {}
    for key, item in metadata.state_dict_metadata.items():
        if key.startswith('state_dict.') and isinstance(
                item, TensorStorageMetadata):
            state[key[len('state_dict.'):]] = torch.empty(
                item.size, dtype=item.properties.dtype)
    if not state:
        raise CheckpointError(f'{path}: a sharded checkpoint without model '
                              'tensors')
    load_sharded(path, dict(state_dict=state), distributed=False)
    extra = read_extra(path)
    return dict(meta=extra.get('meta', {}), state_dict=state)


def sharded_keys(path: str) -> List[str]:
    """The model's tensor names in the sharded checkpoint ``path``."""
    return sorted(tensor_shapes(path, 'state_dict.'))
