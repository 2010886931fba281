# Copyright (c) OpenMMLab. All rights reserved.
"""Which checkpoint in a work dir can be resumed, and saving failures.

A week-long run meets truncated checkpoints (a node lost mid-copy, a full
disk before checkpoints were written atomically) and full disks. These
helpers let the runner skip a broken newest checkpoint for the one before
it and turn a failed save into one line that says what happened.
"""
import glob
import os
import os.path as osp
import re
import shutil
import zipfile
from typing import Callable, List, Optional

from ..utils.checkpoint import PICKLE_MAGIC, ZIP_MAGIC, load_from_local
from ..utils.sharded_checkpoint import sharded_problem


#: Checkpoints written on a preemption notice (``PreemptionHook``) are
#: named ``preempted_iter_<N>.pth``; the next regular one replaces them.
PREEMPTED_PREFIX = 'preempted_iter_'


class UnreadableCheckpointError(ValueError):
    """A checkpoint file exists but cannot be read (truncated, corrupt)."""


class CheckpointSaveError(OSError):
    """Writing a checkpoint failed (e.g. the disk is full)."""


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be read as a checkpoint, or None if it can.

    Cheap for the usual (zip) format: a truncated file has lost its zip
    central directory, which sits at the end, so opening the directory
    finds it without reading the tensors. Files in torch's legacy format
    are loaded in full through the project's (data-only) loader; other
    formats (``.safetensors``) are left to their loaders. A directory is a
    sharded checkpoint: every shard its index names must be whole.
    """
    if osp.isdir(path):
        return sharded_problem(path)
    if not osp.isfile(path):
        return 'no such file'
    if osp.getsize(path) == 0:
        return 'empty file'
    with open(path, 'rb') as f:
        magic = f.read(4)
    if magic == ZIP_MAGIC:
        try:
            with zipfile.ZipFile(path) as archive:
                if not any(n.endswith('/data.pkl') or n == 'data.pkl'
                           for n in archive.namelist()):
                    return 'a zip file without a torch checkpoint in it'
        except (zipfile.BadZipFile, OSError) as err:
            return f'truncated or corrupt ({err})'
        return None
    if magic[:1] != PICKLE_MAGIC:  # e.g. .safetensors: its own loader
        return None if not path.endswith(('.pth', '.pt')) else \
            'not a torch checkpoint (neither zip nor pickle)'
    try:
        load_from_local(path, map_location='cpu')
    except Exception as err:  # any failure to read means: not resumable
        first = str(err).strip().splitlines()[0] if str(err) else ''
        first = first if len(first) <= 80 else first[:77] + '...'
        return f'not a readable checkpoint ({type(err).__name__}: {first})'
    return None


def _step(path: str) -> int:
    """Epoch or iteration number in mmengine's ``epoch_N.pth`` names."""
    match = re.search(r'(\d+)\.pth$', osp.basename(path))
    return int(match.group(1)) if match else -1


def resume_candidates(work_dir: str) -> List[str]:
    """Checkpoints in ``work_dir``, the one to resume from first.

    ``last_checkpoint`` (mmengine's record of the last save) comes first,
    then the other ``*.pth`` files, newest first.
    """
    found = [
        p for p in glob.glob(osp.join(work_dir, '*.pth'))
        if not osp.basename(p).startswith('.')
    ]
    found.sort(key=lambda p: (osp.getmtime(p), _step(p)), reverse=True)
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record) as f:
            last = f.read().strip()
        if last:
            found = [last] + [
                p for p in found if osp.abspath(p) != osp.abspath(last)
            ]
    return found


def find_resumable_checkpoint(
        work_dir: str, warn: Callable[[str], None]) -> Optional[str]:
    """Newest readable checkpoint in ``work_dir``; warns for each skipped.

    Returns:
        str or None: The path, or None when the work dir holds none.
    """
    for path in resume_candidates(work_dir):
        if '://' in path:  # a remote backend's record: trust it
            return path
        problem = checkpoint_problem(path)
        if problem is None:
            return path
        warn(f'skipping checkpoint {path}: {problem}; trying the one '
             'before it')
    return None


def check_checkpoint(path: str) -> None:
    """Raise :class:`UnreadableCheckpointError` naming an unreadable file.

    Paths that are not local files (URLs, ``open-mmlab://``) and missing
    files (the loader names those itself) pass through; a directory is
    checked as a sharded checkpoint.
    """
    local = osp.expanduser(path)
    if '://' in path or not (osp.isfile(local) or osp.isdir(local)):
        return
    problem = checkpoint_problem(osp.expanduser(path))
    if problem is not None:
        raise UnreadableCheckpointError(
            f'cannot read checkpoint {path}: {problem}; pass an older '
            'checkpoint, or --resume without a path to take the newest '
            'readable one in the work dir')


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename
    (``last_checkpoint``: a kill mid-write must not leave it empty)."""
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def remove_preempted(out_dir: str) -> None:
    """Delete the preemption checkpoints in ``out_dir`` (superseded),
    files or sharded directories."""
    for path in glob.glob(osp.join(out_dir, f'{PREEMPTED_PREFIX}*.pth')):
        if osp.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            remove_quietly(path)


def remove_quietly(path: str) -> None:
    """Delete a partly written file, ignoring a missing one."""
    try:
        os.remove(path)
    except OSError:
        pass
