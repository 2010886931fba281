# Copyright (c) OpenMMLab. All rights reserved.
import random
from typing import List

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook


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
    numpy, python (and CUDA) generators of each rank are gathered into
    ``checkpoint['rng_states']`` and put back on resume, so a resumed run
    continues step for step (with ``num_workers=0`` or non-persistent
    workers, whose seeds mmengine derives from the seed alone).
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        states: List[dict] = all_gather_object(_local_rng_state())
        # plain types only: the checkpoint must load with weights_only=True
        checkpoint['rng_states'] = [{
            key: (list(value) if key == 'numpy' else value)
            for key, value in state.items()
        } for state in states]

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
