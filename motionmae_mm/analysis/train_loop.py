# Copyright (c) OpenMMLab. All rights reserved.
"""Clips per second of a config's real training loop."""
import tempfile
import time
from typing import Dict, List, Optional

from mmengine.hooks import Hook

from ..apis.runtime import adapt_cfg_to_machine, build_runner
from .build import load_config


class _Done(Exception):
    """Raised by :class:`_ClockHook` once the timed iterations are done."""


class _ClockHook(Hook):
    """Times iterations ``warmup`` .. ``warmup + iters`` of training, data
    loading included (it happens between two ``after_train_iter`` calls)."""

    priority = 'LOWEST'

    def __init__(self, warmup: int, iters: int) -> None:
        self.warmup, self.iters = warmup, iters
        self.start: Optional[float] = None
        self.seconds: Optional[float] = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        done = runner.iter + 1
        if done == self.warmup:
            self.start = time.perf_counter()
        elif done == self.warmup + self.iters:
            self.seconds = time.perf_counter() - self.start
            raise _Done


def time_train_loop(config: str,
                    cfg_options: Optional[List[str]] = None,
                    iters: int = 50,
                    warmup: int = 10) -> Dict[str, float]:
    """Run ``tools/train.py``'s loop on ``config`` and time it.

    The runner is the one training builds (dataset, pipeline, workers,
    optim wrapper, hooks), in a throw-away work dir, without validation;
    the loop stops after ``warmup + iters`` iterations.

    Returns:
        dict: ``seconds``, ``iters``, ``batch_size``, ``clips_per_s``,
        ``s_per_iter``.
    """
    if warmup < 1 or iters < 1:
        raise ValueError('warmup and iters must be >= 1')
    cfg = load_config(config, cfg_options)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.log_level = 'WARNING'
    cfg.launcher = 'none'
    cfg.setdefault('default_hooks', {})['checkpoint'] = dict(
        type='SafeCheckpointHook', interval=10**9)
    clock = _ClockHook(warmup, iters)
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        runner = build_runner(adapt_cfg_to_machine(cfg))
        runner.register_hook(clock)
        try:
            runner.train()
        except _Done:
            pass
        del runner
    if clock.seconds is None:
        raise ValueError(f'{config}: training ended before {warmup + iters} '
                         'iterations; lower --iters/--warmup')
    batch = cfg.train_dataloader.batch_size
    return dict(
        seconds=clock.seconds,
        iters=iters,
        batch_size=batch,
        clips_per_s=iters * batch / clock.seconds,
        s_per_iter=clock.seconds / iters)
