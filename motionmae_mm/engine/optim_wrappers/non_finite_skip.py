# Copyright (c) OpenMMLab. All rights reserved.
import warnings
from typing import Dict, Optional

import torch
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.dist import all_reduce, is_distributed
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from .amp_optim_wrapper import AmpOptimWrapper


class NonFiniteSkipMixin:
    """Skip the update when the loss is NaN/Inf; stop after too many.

    One bad batch (a corrupt clip, an fp16 overflow) must not write NaNs
    into the weights of a week-long run. A non-finite loss skips backward
    and step on every rank (the ranks agree through one all-reduce), is
    counted in the ``train/skipped_steps`` log scalar, and after
    ``max_consecutive`` skips in a row the run stops with an error naming
    the iteration and the last good checkpoint.

    With gradient accumulation (``accumulative_counts=k``) a skipped
    micro-batch still counts towards the window of ``k``, so windows stay
    aligned with iterations; it contributes no gradient, and a window whose
    every micro-batch was skipped makes no update.

    Args:
        max_consecutive (int): Skips in a row before raising. Defaults to 10.
    """

    def __init__(self, *args, max_consecutive: int = 10, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_consecutive = max_consecutive
        self.skipped_steps = 0
        self.skipped_in_a_row = 0
        self._window_has_grad = False

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        finite = torch.isfinite(loss.detach()).all().float()
        if is_distributed():
            all_reduce(finite, op='min')
        if finite.item() == 1:
            self.skipped_in_a_row = 0
            # should_sync(): whether this backward closes the window
            self._window_has_grad = not self.should_sync()
            return super().update_params(loss, step_kwargs, zero_kwargs)
        self.skipped_steps += 1
        self.skipped_in_a_row += 1
        self._inner_count += 1  # the micro-batch still fills its window
        if self.should_update():
            if self._window_has_grad:
                self.step(**(step_kwargs or {}))
            self.zero_grad(**(zero_kwargs or {}))
            self._window_has_grad = False
        hub = MessageHub.get_current_instance()
        hub.update_scalar('train/skipped_steps', self.skipped_steps)
        it = hub.get_info('iter')
        if self.skipped_in_a_row >= self.max_consecutive:
            last = hub.get_info('last_ckpt') or 'none saved yet'
            raise RuntimeError(
                f'{self.skipped_in_a_row} non-finite losses in a row, the '
                f'last at iteration {it}; last good checkpoint: {last}')
        warnings.warn(f'non-finite loss at iteration {it}: step skipped '
                      f'({self.skipped_in_a_row} in a row)')


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipOptimWrapper(NonFiniteSkipMixin, OptimWrapper):
    """``OptimWrapper`` that skips non-finite losses."""


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipAmpOptimWrapper(NonFiniteSkipMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` that skips non-finite losses."""
