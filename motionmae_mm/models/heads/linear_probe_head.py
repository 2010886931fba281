# Copyright (c) OpenMMLab. All rights reserved.
"""Linear classifier on batch-normalised features (MAE's linear probe)."""
import torch
import torch.nn.functional as F
from mmaction.models.heads import TimeSformerHead
from mmaction.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class MotionMAELinearProbeHead(TimeSformerHead):
    """Batch norm without affine parameters, then a linear layer.

    MAE's linear-probe head: pooled encoder features share a large offset
    and have very different scales per channel; a parameter-free batch norm
    removes both, so one learning rate fits all channels. The norm is
    functional (running-statistics buffers, no ``BatchNorm1d`` module) so
    the head also works with mmaction2's
    ``LearningRateDecayOptimizerConstructor``, which refuses BN modules.
    Other arguments are ``TimeSformerHead``'s.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature channels.
        momentum (float): Running statistics momentum. Defaults to 0.1.
        eps (float): Variance floor. Defaults to 1e-6 (MAE).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 momentum: float = 0.1,
                 eps: float = 1e-6,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.momentum = momentum
        self.eps = eps
        self.register_buffer('running_mean', torch.zeros(in_channels))
        self.register_buffer('running_var', torch.ones(in_channels))

    def forward(self, x: Tensor, **kwargs) -> Tensor:
        """Scores (N, num_classes) from pooled features (N, in_channels)."""
        x = F.batch_norm(x, self.running_mean, self.running_var, None, None,
                         self.training, self.momentum, self.eps)
        return super().forward(x, **kwargs)
