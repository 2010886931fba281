# Copyright (c) OpenMMLab. All rights reserved.
import random
from typing import List, Optional

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook


def _local_rng_state() -> dict:
    state = dict(
        torch=torch.get_rng_state(),
        numpy=np.random.get_state(),
        python=random.getstate())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _restore_rng_state(state: dict) -> None:
    torch.set_rng_state(state['torch'])
    np.random.set_state(state['numpy'])
    random.setstate(state['python'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Saves every rank's RNG states in checkpoints and restores them.

    mmengine saves no RNG state, so a resumed run draws different masks and
    augmentations than the run it continues. With this hook the torch,
    numpy, python (and CUDA) generators of each rank are stored in
    ``checkpoint['rng_states']`` and put back on resume, so a resumed run
    continues step for step (with ``num_workers=0`` or non-persistent
    workers, whose seeds mmengine derives from the seed alone).

    Only the main process writes checkpoints, so the states are gathered
    from all ranks just before the ``CheckpointHook`` saves (this hook runs
    first, with the same schedule); a checkpoint saved at another moment
    carries the main process's state only.
    """

    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    def __init__(self) -> None:
        self._gathered: Optional[List[dict]] = None

    @staticmethod
    def _checkpoint_hook(runner) -> Optional[CheckpointHook]:
        return next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)

    def gather(self) -> None:
        """Collect every rank's states for the next save (collective)."""
        states = all_gather_object(_local_rng_state())
        # plain types only: the checkpoint must load with weights_only=True
        self._gathered = [{
            key: (list(value) if key == 'numpy' else value)
            for key, value in state.items()
        } for state in states]

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and not ckpt.by_epoch and (
                self.every_n_train_iters(runner, ckpt.interval,
                                         ckpt.save_begin) or
            (ckpt.save_last and self.is_last_train_iter(runner))):
            self.gather()

    def after_train_epoch(self, runner) -> None:
        ckpt = self._checkpoint_hook(runner)
        if ckpt is not None and ckpt.by_epoch and (
                self.every_n_epochs(runner, ckpt.interval, ckpt.save_begin)
                or (ckpt.save_last and self.is_last_train_epoch(runner))):
            self.gather()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        states = self._gathered or [{
            key: (list(value) if key == 'numpy' else value)
            for key, value in _local_rng_state().items()
        }]
        checkpoint['rng_states'] = states
        self._gathered = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        states = checkpoint.get('rng_states')
        if states is None or not runner._resume:  # plain load_from: no
            return
        if len(states) != get_world_size():
            runner.logger.warning(
                f'checkpoint has RNG states of {len(states)} ranks, this run '
                f'has {get_world_size()}: RNG states not restored')
            return
        state = dict(states[get_rank()])
        state['numpy'] = tuple(state['numpy'])
        _restore_rng_state(state)
