# Copyright (c) OpenMMLab. All rights reserved.
"""A frozen encoder with mean-pooled features, for linear probing."""
import torch
from mmaction.registry import MODELS
from torch import Tensor

from .motionmae_vit import MotionMAEVisionTransformer


@MODELS.register_module()
class MotionMAEFrozenVisionTransformer(MotionMAEVisionTransformer):
    """The pretrained encoder, frozen, returning mean-pooled tokens.

    Built with the pretraining layout (``use_mean_pooling=False``: the
    encoder's own final ``norm``), so a pretraining checkpoint loads with no
    missing key. Features are ``norm(tokens).mean(tokens)``, shape (B, C).
    Every parameter has ``requires_grad=False``, the module stays in eval
    mode (no dropout / drop path) and runs without autograd, which is what
    makes a linear probe cheap.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.update(use_mean_pooling=False, return_feat_map=True)
        super().__init__(**kwargs)
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True) -> 'MotionMAEFrozenVisionTransformer':
        """Stay in eval mode whatever the runner asks."""
        return super().train(False)

    def forward(self, x: Tensor, mask: Tensor = None) -> Tensor:
        """Mean of the final-norm tokens of ``x`` (B, C, T, H, W): (B, C)."""
        with torch.no_grad():
            return super().forward(x).mean(dim=(2, 3, 4))
