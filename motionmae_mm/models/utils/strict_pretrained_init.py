# Copyright (c) OpenMMLab. All rights reserved.
"""A ``Pretrained`` initializer that fails on mismatches instead of logging.

mmengine's ``PretrainedInit`` loads with ``strict=False`` and only logs
missing, unexpected and wrongly shaped keys, so a fine-tune can silently
start from a half-random encoder. This class keeps the config contract
(``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``)
and is registered under the same name in mmaction2's ``WEIGHT_INITIALIZERS``
(the registry every ``default_scope='mmaction'`` config resolves through),
so it replaces the lax one for our configs without touching mmengine's.

Tolerated, because fine-tuning expects them:

* missing ``fc_norm.*`` / ``norm.*``: the pooling norm a recognizer adds
  (pretraining keeps the final ``norm``, mean pooling uses a fresh
  ``fc_norm``);
* a missing or differently shaped ``pos_embed`` when the model's is the
  fixed sinusoid buffer (it is recomputed for the configured grid);
* unexpected ``norm.*`` / ``fc_norm.*`` (the other pooling norm).

Anything else missing or unexpected, and every other shape mismatch, raises
a one-line ``CheckpointError`` (a ``ValueError``) that names the checkpoint
and the keys. The file is read by :func:`motionmae_mm.utils.read_checkpoint`
(data only; ``.pth`` or ``.safetensors``).
``strict=False`` in the ``init_cfg`` restores mmengine's behaviour.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmaction.registry import WEIGHT_INITIALIZERS
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

from ...utils.checkpoint import (CheckpointError, read_checkpoint,
                                 state_dict_of)

POOLING_NORMS = ('fc_norm.', 'norm.')


def _listing(keys: Sequence[str], limit: int = 6) -> str:
    """``a, b, c (+N more)`` for error messages that stay on one line."""
    keys = sorted(keys)
    more = f' (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def _starts(key: str, prefixes: Sequence[str]) -> bool:
    return any(key.startswith(p) for p in prefixes)


def compare_state_dicts(
    model: nn.Module,
    state_dict: Dict[str, torch.Tensor],
    allow_missing: Sequence[str] = POOLING_NORMS,
    allow_unexpected: Sequence[str] = POOLING_NORMS
) -> Tuple[List[str], List[str], List[str], List[str]]:
    """Sort checkpoint keys against ``model`` the way fine-tuning needs.

    Args:
        model (nn.Module): The module to load into.
        state_dict (dict): Checkpoint tensors, prefix already stripped.
        allow_missing (Sequence[str]): Key prefixes that may be absent.
        allow_unexpected (Sequence[str]): Key prefixes that may be extra.

    Returns:
        tuple: ``(missing, unexpected, mismatched, skipped)``: keys that are
        errors (missing / unexpected / wrong shape as ``key: ckpt vs
        model``) and keys that are tolerated and not loaded (``skipped``).
    """
    own = model.state_dict()
    buffers = {name for name, _ in model.named_buffers()}
    missing, unexpected, mismatched, skipped = [], [], [], []
    for key, value in own.items():
        fixed_table = key.endswith('pos_embed') and key in buffers
        if key not in state_dict:
            if _starts(key, allow_missing) or fixed_table:
                skipped.append(key)
            else:
                missing.append(key)
        elif tuple(state_dict[key].shape) != tuple(value.shape):
            if fixed_table:
                skipped.append(key)
            else:
                mismatched.append(f'{key}: checkpoint '
                                  f'{tuple(state_dict[key].shape)} vs model '
                                  f'{tuple(value.shape)}')
    for key in state_dict:
        if key not in own:
            (skipped
             if _starts(key, allow_unexpected) else unexpected).append(key)
    return missing, unexpected, mismatched, skipped


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
        allow_missing (Sequence[str]): Key prefixes that may be absent.
        allow_unexpected (Sequence[str]): Key prefixes that may be extra.
    """

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 prefix: Optional[str] = None,
                 map_location: str = 'cpu',
                 strict: bool = True,
                 allow_missing: Sequence[str] = POOLING_NORMS,
                 allow_unexpected: Sequence[str] = POOLING_NORMS) -> None:
        super().__init__(checkpoint, prefix=prefix, map_location=map_location)
        self.strict = strict
        self.allow_missing = tuple(allow_missing)
        self.allow_unexpected = tuple(allow_unexpected)

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
        state = state_dict_of(ckpt, path)
        if self.prefix:
            prefix = self.prefix if self.prefix.endswith(
                '.') else self.prefix + '.'
            found = {
                k[len(prefix):]: v
                for k, v in state.items() if k.startswith(prefix)
            }
            if not found:
                hint = ' (official VideoMAE file? convert it with ' \
                    'tools/convert/videomae_to_mmaction.py)' if any(
                        k.startswith('encoder.') for k in state) else ''
                raise CheckpointError(f'{path}: no key starts with '
                                      f'{prefix!r}{hint}')
            state = found
        return state

    def __call__(self, module: nn.Module) -> None:
        """Load into ``module``; raise on keys fine-tuning does not expect."""
        if not self.strict:
            super().__call__(module)
            return
        state = self._load()
        missing, unexpected, mismatched, skipped = compare_state_dicts(
            module, state, self.allow_missing, self.allow_unexpected)
        name = f'{self.checkpoint} (prefix {self.prefix!r})'
        if mismatched:
            raise CheckpointError(f'{name}: shape mismatch for '
                                  f'{len(mismatched)} key(s): '
                                  f'{_listing(mismatched, 3)}')
        if missing:
            raise CheckpointError(f'{name}: missing encoder key(s): '
                                  f'{_listing(missing)}')
        if unexpected:
            raise CheckpointError(f'{name}: unexpected key(s) (another '
                                  f'architecture?): {_listing(unexpected)}')
        skip = set(skipped)
        module.load_state_dict(
            {
                k: v
                for k, v in state.items() if k not in skip
            }, strict=False)
        print_log(
            f'loaded {len(state) - len([k for k in skipped if k in state])} '
            f'tensors from {name}; not loaded (expected for fine-tuning): '
            f'{_listing(skipped, 20) or "none"}',
            logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())
