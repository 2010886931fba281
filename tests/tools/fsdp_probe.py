# Copyright (c) OpenMMLab. All rights reserved.
"""Test helper: the live model's gathered weights before and after training.

Rank 0 writes ``weights_before.pth`` / ``weights_after.pth`` in the work
dir: every tensor of the model at full size (all-gathered from the shards
under FSDP2), for comparison with consolidated checkpoints.
"""
import os.path as osp

import torch
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch.distributed.checkpoint.state_dict import (StateDictOptions,
                                                     get_model_state_dict)


def _write(runner, name: str) -> None:
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    state = get_model_state_dict(  # collective under FSDP2
        model,
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
