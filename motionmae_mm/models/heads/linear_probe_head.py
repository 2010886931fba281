# Copyright (c) OpenMMLab. All rights reserved.
"""Linear classifier on frozen features (MAE's linear-probe head)."""
from mmaction.models.heads import TimeSformerHead
from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class MotionMAELinearProbeHead(TimeSformerHead):
    """``BatchNorm1d`` without affine parameters, then a linear layer.

    MAE's linear probe: frozen features have very different scales per
    channel, and a parameter-free batch norm lets one learning rate fit all
    of them. Arguments are ``TimeSformerHead``'s (``num_classes``,
    ``in_channels``, ``init_std``, ``dropout_ratio``, ...).
    """

    def __init__(self, num_classes: int, in_channels: int, **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.bn = nn.BatchNorm1d(in_channels, affine=False, eps=1e-6)

    def forward(self, x: Tensor, **kwargs) -> Tensor:
        """Scores (N, num_classes) from pooled features (N, in_channels)."""
        return super().forward(self.bn(x), **kwargs)
