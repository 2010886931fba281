# Copyright (c) OpenMMLab. All rights reserved.
"""Compatibility shims for torch >= 2.6 and CPU-only distributed runs.

* Checkpoints are read as data only (``weights_only=True`` with an
  allow-list): that lives in :mod:`motionmae_mm.utils.checkpoint`; the
  names below stay importable from here.
* mmengine 0.10.7 assumes CUDA when it sets up distributed training. On a
  CPU-only machine we initialise a gloo process group ourselves.
"""
import datetime
import os
from typing import Optional

import torch
import torch.distributed as dist

from .utils.checkpoint import (CheckpointError,  # noqa: F401
                               UnsafeCheckpointError, load_from_local,
                               register_checkpoint_loader,
                               register_checkpoint_safe_globals)


def _slurm_env_to_torch_env() -> None:
    """Export torchrun's variables from Slurm's (single-node CPU jobs)."""
    if 'SLURM_PROCID' not in os.environ or 'RANK' in os.environ:
        return
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['WORLD_SIZE'] = os.environ.get('SLURM_NTASKS', '1')
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
    os.environ.setdefault('MASTER_PORT', '29500')


def init_cpu_dist_if_needed(launcher: str = 'pytorch',
                            timeout: Optional[float] = None) -> bool:
    """Initialise a gloo process group when launched distributed on CPU.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device``, which fails
    without a GPU. When a launcher started the processes (one or more) and
    CUDA is absent we set up gloo here; mmengine then finds the group
    initialised and skips its own set-up. ``launcher='slurm'`` reads
    Slurm's task variables. ``timeout`` (seconds,
    ``env_cfg.dist_cfg.timeout``) bounds how long a collective waits for a
    rank that hangs (torch's default: 30 minutes).

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
        kwargs = {} if timeout is None else dict(
            timeout=datetime.timedelta(seconds=float(timeout)))
        dist.init_process_group(backend='gloo', **kwargs)
    return True
