# Copyright (c) OpenMMLab. All rights reserved.
import warnings
from typing import Dict, Optional

import torch
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.dist import all_reduce, is_distributed
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from .amp_optim_wrapper import AmpOptimWrapper


class NonFiniteLossError(RuntimeError):
    """Training stopped on non-finite losses (one line in the tools)."""


def non_finite_terms() -> str:
    """The loss terms of this step that are not finite, e.g. 'loss_motion'.

    Models that report their terms (``MotionMAE.parse_losses``, under the
    message hub's ``loss_terms``) are named; others read as 'loss'.
    """
    terms = MessageHub.get_current_instance().get_info('loss_terms') or {}
    bad = [name for name, value in terms.items()
           if name != 'loss' and not torch.isfinite(value).all()]
    return ', '.join(bad) or 'loss'


class NonFiniteSkipMixin:
    """Skip the update when the loss is NaN/Inf; stop after too many.

    One bad batch (a corrupt clip, an fp16 overflow) must not write NaNs
    into the weights of a week-long run. A non-finite loss skips backward
    and step on every rank (the ranks agree through one all-reduce), is
    counted in the ``train/skipped_steps`` log scalar, and after
    ``max_consecutive`` skips in a row the run stops with a
    :class:`NonFiniteLossError` naming the iteration, the loss and the last
    good checkpoint; the weights, and so the checkpoints, stay finite. In
    fp32 a non-finite loss is a diverged run, not an overflow: by default
    it stops at the first one.

    With gradient accumulation (``accumulative_counts=k``) a skipped
    micro-batch still counts towards the window of ``k``, so windows stay
    aligned with iterations; it contributes no gradient, and a window whose
    every micro-batch was skipped makes no update. In a distributed run a
    window whose *closing* micro-batch is skipped makes no update either:
    the earlier micro-batches' gradients are reduced across ranks only by
    the closing backward (DDP's ``no_sync``, FSDP2's gradient sync), so
    stepping on them would let each rank's weights drift apart; they are
    dropped (``dropped_window`` tells the model wrapper to drop what it
    keeps, :class:`~motionmae_mm.engine.fsdp.MMFullyShardedModel`).

    Args:
        max_consecutive (int, optional): Non-finite losses in a row that
            stop the run. Defaults to None: 10 under mixed precision, 1 in
            fp32.
    """

    def __init__(self, *args, max_consecutive: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if max_consecutive is None:
            max_consecutive = 10 if self._mixed_precision() else 1
        self.max_consecutive = max_consecutive
        self.skipped_steps = 0
        self.skipped_in_a_row = 0
        self._window_has_grad = False
        self.dropped_window = False

    def _mixed_precision(self) -> bool:
        """Whether steps run under fp16/bf16 autocast or loss scaling."""
        return getattr(self, 'loss_scaler', None) is not None or getattr(
            self, 'cast_dtype', None) in (torch.float16, torch.bfloat16)

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        self.dropped_window = False
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
            if self._window_has_grad and is_distributed():
                self.dropped_window = True  # never reduced: see above
            elif self._window_has_grad:
                self.step(**(step_kwargs or {}))
            self.zero_grad(**(zero_kwargs or {}))
            self._window_has_grad = False
        hub = MessageHub.get_current_instance()
        hub.update_scalar('train/skipped_steps', self.skipped_steps)
        it = (hub.get_info('iter') or 0) + 1  # 1-based, as in the log
        terms = non_finite_terms()
        if self.skipped_in_a_row >= self.max_consecutive:
            last = hub.get_info('last_ckpt') or 'none saved yet'
            what = f'a non-finite {terms}' if self.skipped_in_a_row == 1 \
                else (f'{self.skipped_in_a_row} non-finite losses in a row, '
                      f'the last ({terms})')
            raise NonFiniteLossError(
                f'{what} at iteration {it}: training stopped before the '
                f'step; last good checkpoint: {last}')
        warnings.warn(f'non-finite {terms} at iteration {it}: step skipped '
                      f'({self.skipped_in_a_row} in a row)')


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipOptimWrapper(NonFiniteSkipMixin, OptimWrapper):
    """``OptimWrapper`` that skips non-finite losses."""


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipAmpOptimWrapper(NonFiniteSkipMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` that skips non-finite losses."""
