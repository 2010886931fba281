# Copyright (c) OpenMMLab. All rights reserved.
"""Test helpers: the live model's gathered weights before and after
training, and a non-finite loss on one rank.

Rank 0 writes ``weights_before.pth`` / ``weights_after.pth`` in the work
dir: every tensor of the model at full size (all-gathered from the shards
under FSDP2), for comparison with consolidated checkpoints. Without
sharding every rank holds all weights, and the other ranks write theirs
at the end too (``weights_after_rank<r>.pth``).
"""
import os.path as osp

import torch
from mmaction.registry import HOOKS
from mmengine.dist import get_rank, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch.distributed.checkpoint.state_dict import (StateDictOptions,
                                                     get_model_state_dict)
from torch.distributed.fsdp import FSDPModule


def _inner(runner) -> torch.nn.Module:
    return runner.model.module if is_model_wrapper(
        runner.model) else runner.model


def _write(runner, name: str) -> None:
    state = get_model_state_dict(  # collective under FSDP2
        _inner(runner),
        options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    if is_main_process():
        torch.save({
            k: v.clone()
            for k, v in state.items()
        }, osp.join(runner.work_dir, name))


@HOOKS.register_module()
class WeightsProbeHook(Hook):
    """Saves the gathered weights when training starts and ends."""

    def before_train(self, runner) -> None:
        _write(runner, 'weights_before.pth')

    def after_train(self, runner) -> None:
        _write(runner, 'weights_after.pth')
        model = _inner(runner)
        if not is_main_process() and not isinstance(model, FSDPModule):
            torch.save({k: v.clone() for k, v in model.state_dict().items()},
                       osp.join(runner.work_dir,
                                f'weights_after_rank{get_rank()}.pth'))


def make_next_loss_non_finite(model: torch.nn.Module) -> None:
    """The next ``model.loss`` call returns NaN losses; later calls are
    the model's own again."""
    loss = model.loss

    def non_finite(*args, **kwargs):
        del model.loss  # one call only
        return {k: v * float('nan') for k, v in loss(*args, **kwargs).items()}

    model.loss = non_finite


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Makes the loss of iteration ``iteration`` (0-based) NaN on ``rank``."""

    def __init__(self, iteration: int, rank: int) -> None:
        self.iteration, self.rank = iteration, rank

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter != self.iteration or get_rank() != self.rank:
            return
        make_next_loss_non_finite(_inner(runner))
