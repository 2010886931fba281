# Copyright (c) OpenMMLab. All rights reserved.
"""Save and stop on a preemption notice (SIGTERM, Slurm's ``--signal``).

A cluster that preempts a job sends SIGTERM (or, with
``sbatch --signal=USR1@120``, SIGUSR1 some time before it ends the job).
Without a handler the run dies where it stands and loses everything since
its last epoch checkpoint.
"""
import os.path as osp
import signal
import threading
import time
from typing import Optional, Sequence, Tuple

import torch
from mmaction.registry import HOOKS
from mmengine.dist import (all_reduce, barrier, is_distributed,
                           is_main_process)
from mmengine.hooks import CheckpointHook, Hook
from mmengine.optim import OptimWrapperDict

from ..checkpoint_files import PREEMPTED_PREFIX, write_atomically
from .rng_state_hook import RNGStateHook

#: The exit code of a preempted run (sysexits' EX_TEMPFAIL: try again);
#: ``tools/slurm_train.sh`` requeues the job on it.
PREEMPTED_EXIT_CODE = 75


class TrainingPreempted(SystemExit):
    """Raised once the preemption checkpoint is written: exits with 75."""

    def __init__(self, checkpoint: str) -> None:
        super().__init__(PREEMPTED_EXIT_CODE)
        self.checkpoint = checkpoint


@HOOKS.register_module()
class PreemptionHook(Hook):
    """On SIGTERM / SIGUSR1: finish the iteration, save, exit with 75.

    The signal only sets a flag. After each iteration the ranks agree
    through one all-reduce, so all of them stop after the same iteration
    (the first at which any rank has the flag, at the end of a gradient
    accumulation window). Rank 0 then writes ``preempted_iter_<N>.pth``
    atomically, with the optimizer, schedulers, every rank's RNG states and
    the iteration (``ResumableEpochBasedTrainLoop`` continues the epoch from
    there on ``--resume``), points ``last_checkpoint`` at it, logs one line
    and the run raises :class:`TrainingPreempted`. The next regular
    checkpoint replaces it (``SafeCheckpointHook``). A notice in an epoch's
    last iteration stops after the epoch's own hooks, before validation.

    Args:
        signals (Sequence[str]): The notices. Defaults to SIGTERM and
            SIGUSR1 (``sbatch --signal=USR1@120``).
    """

    priority = 'LOWEST'  # after logging, schedulers and checkpoints

    def __init__(self, signals: Sequence[str] = ('SIGTERM', 'SIGUSR1')):
        unknown = [s for s in signals if not hasattr(signal, s)]
        if unknown:
            raise ValueError(f'default_hooks.preemption.signals: unknown '
                             f'signal(s) {unknown}, e.g. SIGTERM, SIGUSR1')
        self.signals = [getattr(signal, s) for s in signals]
        self._notice: Optional[Tuple[str, float]] = None
        self._previous: dict = {}

    def _on_signal(self, signum: int, frame) -> None:
        if self._notice is None:
            self._notice = (signal.Signals(signum).name, time.time())

    def before_train(self, runner) -> None:
        if threading.current_thread() is not threading.main_thread():
            runner.logger.warning('training outside the main thread: '
                                  'preemption signals are not handled')
            return
        for sig in self.signals:
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def after_train(self, runner) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        # an epoch's last iteration: stop after the epoch's hooks instead
        if not self.end_of_epoch(runner.train_dataloader, batch_idx) and \
                self._agreed(runner):
            self._save_and_stop(runner, mid_epoch=True)

    def after_train_epoch(self, runner) -> None:
        if self._agreed(runner):
            self._save_and_stop(runner, mid_epoch=False)

    def _agreed(self, runner) -> bool:
        """Whether any rank got a notice, at an optimizer update boundary."""
        flag = torch.tensor([float(self._notice is not None)])
        if is_distributed():
            all_reduce(flag, op='max')
        if flag.item() == 0:
            return False
        wrappers = runner.optim_wrapper.values() if isinstance(
            runner.optim_wrapper, OptimWrapperDict) else [runner.optim_wrapper]
        return all(w._inner_count % w._accumulative_counts == 0
                   for w in wrappers)

    def _save_and_stop(self, runner, mid_epoch: bool) -> None:
        start = time.time()
        for hook in runner.hooks:  # every rank's RNG states (collective)
            if isinstance(hook, RNGStateHook):
                hook.gather()
        ckpt = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        out_dir = ckpt.out_dir if ckpt is not None else runner.work_dir
        done = runner.iter + 1 if mid_epoch else runner.iter
        epoch = runner.epoch if mid_epoch else runner.epoch + 1
        filename = f'{PREEMPTED_PREFIX}{done}.pth'
        path = osp.join(out_dir, filename)
        runner.save_checkpoint(
            out_dir, filename, meta=dict(epoch=epoch, iter=done))
        runner.message_hub.update_info('last_ckpt', path)
        if is_main_process():
            write_atomically(
                osp.join(runner.work_dir, 'last_checkpoint'), path)
        barrier()  # no rank leaves before the checkpoint is complete
        name, received = self._notice or ('a notice on another rank', start)
        runner.logger.warning(
            f'preempted ({name}): stopped after iteration {done}, saved '
            f'{path} {time.time() - received:.1f} s after the notice; '
            f'exiting with code {PREEMPTED_EXIT_CODE}, run again with '
            '--resume to continue')
        raise TrainingPreempted(path)
