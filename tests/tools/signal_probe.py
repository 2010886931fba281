# Copyright (c) OpenMMLab. All rights reserved.
"""Test helper: one rank sends itself a real signal after an iteration."""
import os
import signal

from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook


@HOOKS.register_module()
class SignalAtIterHook(Hook):
    """After iteration ``iteration`` (1-based), ``rank`` gets ``signame``.

    Runs before ``PreemptionHook`` (lowest priority), so the notice
    arrives in the middle of the iteration's hooks, as a real one can.
    """

    def __init__(self, iteration: int, rank: int = 0,
                 signame: str = 'SIGTERM') -> None:
        self.iteration = iteration
        self.rank = rank
        self.signum = getattr(signal, signame)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == self.iteration and get_rank() == self.rank:
            os.kill(os.getpid(), self.signum)
