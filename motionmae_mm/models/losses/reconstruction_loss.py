# Copyright (c) OpenMMLab. All rights reserved.
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class MotionMAEReconstructionLoss(nn.Module):
    """Mean error between predicted and target tokens (masked ones only).

    The head passes only the scored tokens, so the mean runs over exactly
    them (VideoMAE's ``MSELoss`` on the gathered labels). The prediction is
    taken in fp32, so a bf16 autocast forward scores like an fp32 one.

    Args:
        criterion (str): ``'L2'`` (mean squared error, VideoMAE) or ``'L1'``.
            Defaults to ``'L2'``.
    """

    def __init__(self, criterion: str = 'L2') -> None:
        super().__init__()
        if criterion not in ('L1', 'L2'):
            raise ValueError(f"model.head.loss.criterion='{criterion}' must "
                             "be 'L1' or 'L2'")
        self.criterion = criterion

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """Scalar loss of ``pred`` against ``target``, both (B, N, D)."""
        fn = F.mse_loss if self.criterion == 'L2' else F.l1_loss
        return fn(pred.float(), target)
