# Copyright (c) OpenMMLab. All rights reserved.
"""A frozen encoder with mean-pooled features, for linear probing."""
from typing import Optional

import torch
from mmaction.registry import MODELS
from torch import Tensor

from ..utils import encoder_features
from .motionmae_vit import MotionMAEVisionTransformer


@MODELS.register_module()
class MotionMAEFrozenVisionTransformer(MotionMAEVisionTransformer):
    """The pretrained encoder, frozen, returning mean-pooled tokens.

    Built with the pretraining layout (``use_mean_pooling=False``: the
    encoder's own final ``norm``), so a pretraining checkpoint loads with no
    missing key; a fine-tuned one (``fc_norm``, no ``norm``) is refused by
    the ``'encoder'`` load policy rather than probed behind an untrained
    norm. Features are :func:`encoder_features`: the mean of the
    final-norm tokens, (B, C). Every parameter has ``requires_grad=False``,
    the module stays in eval mode (no dropout / drop path) and runs without
    autograd, which is what makes a linear probe cheap.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.update(use_mean_pooling=False, return_feat_map=False)
        super().__init__(**kwargs)
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True) -> 'MotionMAEFrozenVisionTransformer':
        """Stay in eval mode whatever the runner asks."""
        return super().train(False)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        """Mean of the final-norm tokens of ``x`` (B, C, T, H, W): (B, C).

        With ``mask`` ((B, N) bool, True = masked) the mean is over the
        visible tokens, encoded alone as in pretraining.
        """
        with torch.no_grad():
            if mask is not None:
                return super().forward(x, mask).mean(dim=1)
            if self.return_feat_map:  # set by encoder_features for its call
                return super().forward(x)
            return encoder_features(self, x)
