# Copyright (c) OpenMMLab. All rights reserved.
"""Per-rank memory and time of real training steps, DDP against FSDP2.

``tools/train.py`` trains the config under ``torchrun`` (gloo on CPU, NCCL
on GPUs) for a few iterations on moving digits rendered at the config's
clip size, with :class:`StepMemoryHook`, which records on every rank:

* the training state this rank holds, in bytes of the local tensors
  (a DTensor counts its local shard): parameters, gradients (read just
  before the optimizer step, the only moment they all exist) and the
  optimizer's state (after the step);
* the peak memory of each measured step: on CPU the high-water mark of the
  process's resident memory, reset before the step (Linux
  ``/proc/self/clear_refs``); on a GPU ``torch.cuda.max_memory_allocated``,
  reset likewise;
* the seconds of each measured step.
"""
import json
import os
import os.path as osp
import socket
import statistics
import subprocess
import sys
import time
from typing import Dict, Optional, Sequence

import torch
from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from .build import load_config
from .preemption import REPO
from .timing import peak_memory_bytes, reset_peak_memory, sync

GIB = 2**30


def local_bytes(tensor: torch.Tensor) -> int:
    """Bytes this rank holds of ``tensor`` (a DTensor: its local shard)."""
    if hasattr(tensor, 'to_local'):
        tensor = tensor.to_local()
    return tensor.numel() * tensor.element_size()


@HOOKS.register_module()
class StepMemoryHook(Hook):
    """Record state bytes, peak memory and seconds of training steps.

    Iterations ``warmup + 1 .. warmup + iters`` are measured; the record
    is written to ``{out}/rank{rank}.json`` after the last one.

    Args:
        out (str): Folder of the per-rank records.
        warmup (int): Iterations before the measured ones.
        iters (int): Measured iterations.
    """

    priority = 'LOWEST'

    def __init__(self, out: str, warmup: int = 2, iters: int = 3) -> None:
        self.out, self.warmup, self.iters = out, warmup, iters
        self.record: Dict = dict(peak_bytes=[], seconds=[])

    def before_train(self, runner) -> None:
        optimizer = runner.optim_wrapper.optimizer
        optimizer.register_step_pre_hook(self._count_gradients)
        optimizer.register_step_post_hook(self._count_optimizer_state)
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self.device = next(model.parameters()).device
        self.record['param_bytes'] = sum(
            local_bytes(p) for p in model.parameters() if p.requires_grad)

    def _count_gradients(self, optimizer, args, kwargs) -> None:
        self.record['grad_bytes'] = sum(
            local_bytes(p.grad) for group in optimizer.param_groups
            for p in group['params'] if p.grad is not None)

    def _count_optimizer_state(self, optimizer, args, kwargs) -> None:
        self.record['optimizer_bytes'] = sum(
            local_bytes(value) for state in optimizer.state.values()
            for value in state.values() if torch.is_tensor(value))

    def _measured(self, runner) -> bool:
        return self.warmup <= runner.iter < self.warmup + self.iters

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self._measured(runner):
            reset_peak_memory(self.device)
            self._start = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if not self._measured(runner):
            return
        sync(self.device)
        self.record['seconds'].append(time.perf_counter() - self._start)
        self.record['peak_bytes'].append(peak_memory_bytes(self.device))
        if runner.iter + 1 == self.warmup + self.iters:
            os.makedirs(self.out, exist_ok=True)
            with open(osp.join(self.out, f'rank{get_rank()}.json'), 'w') as f:
                json.dump(self.record, f)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run_config(config: str, out: str, strategy: Optional[dict],
                batch_size: int, ranks: int, warmup: int,
                iters: int) -> str:
    """A config file: ``config`` on rendered digits, measured, no saving."""
    cfg = load_config(config)
    backbone = cfg.model.backbone
    size, frames = backbone.img_size, backbone.num_frames
    path = osp.join(out, 'config.py')
    with open(path, 'w') as f:
        f.write(f"""
_base_ = [{osp.abspath(config)!r}]
custom_imports = dict(imports=['motionmae_mm.analysis.step_memory'],
                      allow_failed_imports=False)
strategy = {strategy!r}
train_dataloader = dict(
    batch_size={batch_size}, num_workers=0, persistent_workers=False,
    dataset=dict(
        _delete_=True, type='MovingDigitsDataset',
        num_clips={batch_size * ranks * (warmup + iters)},
        size={size}, num_frames={frames}, digit_size={size // 4},
        pipeline=[dict(type='FormatShape', input_format='NCTHW'),
                  dict(type='PackActionInputs')]))
train_cfg = dict(max_epochs=1)
val_cfg = val_dataloader = val_evaluator = None
default_hooks = dict(checkpoint=dict(interval=10**9, save_last=False))
custom_hooks = [dict(type='StepMemoryHook', out={out!r}, warmup={warmup},
                     iters={iters})]
""")
    return path


def measure_step_memory(config: str,
                        out: str,
                        strategy: Optional[dict] = None,
                        ranks: int = 2,
                        batch_size: int = 1,
                        warmup: int = 2,
                        iters: int = 3,
                        timeout: float = 3600.) -> Dict:
    """Train ``config`` on ``ranks`` processes and measure its steps.

    Args:
        config: A pretraining config file.
        out: Folder of this run (config, logs, per-rank records).
        strategy: The config's ``strategy`` (None: DDP).
        ranks: Processes (``torchrun --nproc_per_node``).
        batch_size: Clips per rank and step.
        warmup, iters: Untimed, then measured iterations.
        timeout: Seconds the run may take.

    Returns:
        dict: per-rank GiB of ``params``, ``grads``, ``optimizer`` and
        their ``state`` sum, ``peak`` (the largest step peak) and the
        median step ``seconds``, each the largest over ranks.
    """
    os.makedirs(out, exist_ok=True)
    path = _run_config(config, out, strategy, batch_size, ranks, warmup,
                       iters)
    command = [
        sys.executable, '-m', 'torch.distributed.run',
        f'--nproc_per_node={ranks}', f'--master_port={_free_port()}',
        osp.join(REPO, 'tools', 'train.py'), path, '--launcher', 'pytorch',
        '--work-dir', out
    ]
    with open(osp.join(out, 'output.txt'), 'w') as log:
        code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                              timeout=timeout, cwd=REPO).returncode
    paths = [osp.join(out, f'rank{r}.json') for r in range(ranks)]
    if code != 0 or not all(osp.isfile(p) for p in paths):
        raise RuntimeError(f'{config} on {ranks} rank(s) failed (exit '
                           f'{code}); see {out}/output.txt')
    records = []
    for path in paths:
        with open(path) as f:
            records.append(json.load(f))
    return summarise(records)


def summarise(records: Sequence[Dict]) -> Dict:
    """The largest figure over ranks of each quantity, in GiB and s."""
    def most(fn) -> float:
        return max(fn(r) for r in records)

    return dict(
        params=most(lambda r: r['param_bytes']) / GIB,
        grads=most(lambda r: r['grad_bytes']) / GIB,
        optimizer=most(lambda r: r['optimizer_bytes']) / GIB,
        state=most(lambda r: r['param_bytes'] + r['grad_bytes'] + r[
            'optimizer_bytes']) / GIB,
        peak=most(lambda r: max(r['peak_bytes'])) / GIB,
        seconds=most(lambda r: statistics.median(r['seconds'])))
