# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional, Sequence

import torch
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor

from ...evaluation.health import representation_health
from ..fsdp.wrapper import skip_when_sharded

DATA_BATCH = Optional[dict]


@HOOKS.register_module()
class MotionMAEHealthHook(Hook):
    """Logs representation health every N iterations, beside the losses.

    A falling loss does not say the encoder's features are any good: a
    masked autoencoder can reach its loss floor with every token pointing
    one way. Every ``interval`` iterations (and after the first and the
    last) this hook scores the encoder on one fixed batch of clips (the
    first ``num_clips`` clips of the first batch it sees, kept, so the
    figures change only with the model) with
    :func:`~motionmae_mm.evaluation.health.representation_health`, and sends
    them as ``health/<name>`` scalars to the visualizer (``scalars.json``,
    TensorBoard) and one line to the log. Main process only; eval mode
    under ``no_grad``, so training's state and random stream are untouched.
    The cost is one full-token forward of ``num_clips`` clips.

    Args:
        interval (int): Every ``interval`` training iterations. Defaults to
            500.
        num_clips (int): Clips scored. Defaults to 8.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 500, num_clips: int = 8) -> None:
        if interval < 1 or num_clips < 2:
            raise ValueError(
                f'MotionMAEHealthHook: interval={interval} must be >= 1 and '
                f'num_clips={num_clips} >= 2')
        self.interval = interval
        self.num_clips = num_clips
        self._clips: Optional[Tensor] = None

    def _keep_clips(self, model: torch.nn.Module, data_batch: dict) -> None:
        first = {
            key: value[:self.num_clips]
            if isinstance(value, (Sequence, Tensor)) else value
            for key, value in data_batch.items()
        }
        inputs = model.data_preprocessor(first, training=False)['inputs']
        self._clips = model._clip(inputs)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        """Score and log every ``interval`` iterations."""
        if skip_when_sharded(runner, self):
            return
        if not is_main_process() or data_batch is None:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if self._clips is None:
            self._keep_clips(model, data_batch)
        if not (runner.iter == 0
                or self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            return
        health = representation_health(model.backbone, self._clips)
        runner.visualizer.add_scalars(
            {f'health/{k}': v
             for k, v in health.items()}, step=runner.iter + 1)
        entropies = [v for k, v in health.items() if k.startswith('attn_')]
        runner.logger.info(
            f'health iter {runner.iter + 1}: token_cosine '
            f'{health["token_cosine"]:.3f}, token_rank '
            f'{health["token_rank"]:.1f}, clip_rank {health["clip_rank"]:.1f},'
            f' clip_share {health["clip_share"]:.3f}, attn_entropy '
            + ' '.join(f'{e:.2f}' for e in entropies))
