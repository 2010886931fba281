# Copyright (c) OpenMMLab. All rights reserved.
"""A ``Pretrained`` initializer that fails on mismatches instead of logging.

mmengine's ``PretrainedInit`` loads with ``strict=False`` and only logs
missing, unexpected and wrongly shaped keys, so a fine-tune can silently
start from a half-random encoder. This class keeps the config contract
(``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``)
and is registered under the same name in mmaction2's ``WEIGHT_INITIALIZERS``
(the registry every ``default_scope='mmaction'`` config resolves through),
so it replaces the lax one for our configs without touching mmengine's.

The tensors load through :func:`motionmae_mm.utils.load_state` under the
``'encoder'`` policy (docs/design.md §3): the pooling norm one layout has
and the other lacks, and a fixed ``pos_embed``, are tolerated; a frozen
encoder (the linear probe) missing its final norm, and anything else,
raise one ``CheckpointError`` line. ``strict=False`` in the ``init_cfg``
restores mmengine's behaviour.
"""
from typing import Dict, Optional

import torch
from mmaction.registry import WEIGHT_INITIALIZERS
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

from ...utils.checkpoint import read_checkpoint, state_dict_of
from ...utils.state_policy import get_policy, load_state, select_prefix


@WEIGHT_INITIALIZERS.register_module(name='Pretrained')
class MotionMAEPretrainedInit(PretrainedInit):
    """Load a (prefixed) part of a checkpoint and fail on any mismatch.

    Args:
        checkpoint (str): Checkpoint file (``--cfg-options
            model.backbone.init_cfg.checkpoint=PATH``) or an URL mmengine
            can fetch.
        prefix (str, optional): Keep only keys under this prefix (and strip
            it), e.g. ``'backbone.'`` for a pretraining checkpoint.
        map_location (str): Where tensors go. Defaults to 'cpu'.
        strict (bool): False gives mmengine's log-only behaviour.
        policy (str): A :data:`motionmae_mm.utils.POLICIES` name. Defaults
            to 'encoder'.

    Raises:
        ValueError: an unknown policy, or another argument (the removed
            ``allow_missing`` / ``allow_unexpected``), in one line.
    """

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 prefix: Optional[str] = None,
                 map_location: str = 'cpu',
                 strict: bool = True,
                 policy: str = 'encoder',
                 **removed) -> None:
        if removed:
            raise ValueError(
                f'init_cfg: {", ".join(sorted(removed))}: not an argument of '
                "Pretrained (allow_missing / allow_unexpected became policy="
                "'encoder' or 'exact', docs/design.md §3)")
        super().__init__(checkpoint, prefix=prefix, map_location=map_location)
        self.strict = strict
        get_policy(policy)  # an unknown name fails when the model is built
        self.policy = policy

    def _load(self) -> Dict[str, torch.Tensor]:
        """Read the checkpoint tensors under ``prefix`` (prefix stripped)."""
        where = 'init_cfg.checkpoint'
        if not self.checkpoint:
            raise ValueError(
                f'{where} is not set: pass --cfg-options '
                'model.backbone.init_cfg.checkpoint=PATH (a pretraining '
                'checkpoint or a converted VideoMAE file)')
        path = str(self.checkpoint)
        if '://' in path:  # mmengine's http/s3 schemes
            ckpt = _load_checkpoint(path, map_location=self.map_location)
        else:
            ckpt = read_checkpoint(path, self.map_location, where)
        return select_prefix(
            state_dict_of(ckpt, path), self.prefix or '', path)

    def __call__(self, module: nn.Module) -> None:
        """Load into ``module``; raise on keys the policy does not allow."""
        if not self.strict:
            super().__call__(module)
            return
        state = self._load()
        name = f'{self.checkpoint} (prefix {self.prefix!r})'
        skipped = load_state(module, state, self.policy, name)
        loaded = len([k for k in state if k not in set(skipped)])
        print_log(
            f'loaded {loaded} tensors from {name}; not loaded (policy '
            f'{self.policy!r}): {", ".join(sorted(skipped)) or "none"}',
            logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())
