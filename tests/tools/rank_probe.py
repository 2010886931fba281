# Copyright (c) OpenMMLab. All rights reserved.
"""Test helper: records, per rank, the iterations run and the masks drawn."""
import json
import os.path as osp

import torch
import torch.distributed as dist
from mmaction.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class RankProbeHook(Hook):
    """Writes ``rank<r>.jsonl`` in the work dir: one line per iteration."""

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        draw = model.mask_generator
        self._masks = []

        def recording(*args, **kwargs):
            mask = draw(*args, **kwargs)
            self._masks.append(mask.flatten().int().tolist())
            return mask

        model.mask_generator = recording
        self._path = osp.join(runner.work_dir, f'rank{get_rank()}.jsonl')
        # the collective time-out of the (gloo) process group, seconds
        group = dist.distributed_c10d._get_default_group()
        backend = group._get_backend(torch.device('cpu'))
        self._timeout = backend.options._timeout.total_seconds()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        with open(self._path, 'a') as f:
            f.write(json.dumps(dict(iter=runner.iter, mask=self._masks[-1],
                                    loss=float(outputs['loss']),
                                    timeout=self._timeout)) + '\n')
