# Copyright (c) OpenMMLab. All rights reserved.
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class MotionMAEReconstructionLoss(nn.Module):
    """Mean error between predicted and target tokens (masked ones only).

    The head passes only the scored tokens, so the mean runs over exactly
    them (VideoMAE's ``MSELoss`` on the gathered labels). The prediction is
    taken in fp32, so a bf16 autocast forward scores like an fp32 one. Each
    target (``model.targets.<name>.loss``) has its own.

    Args:
        criterion (str): ``'L2'`` (mean squared error, VideoMAE) or ``'L1'``.
            Defaults to ``'L2'``.
        loss_weight (float): Factor of the loss (>= 0). Defaults to 1.
    """

    def __init__(self, criterion: str = 'L2', loss_weight: float = 1.) -> None:
        super().__init__()
        if criterion not in ('L1', 'L2'):
            raise ValueError(f"loss.criterion='{criterion}' must be 'L1' or "
                             "'L2'")
        if not loss_weight >= 0:  # NaN fails too
            raise ValueError(f'loss.loss_weight={loss_weight} must be >= 0')
        self.criterion = criterion
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """Weighted scalar loss of ``pred`` against ``target``, both
        (B, N, D)."""
        fn = F.mse_loss if self.criterion == 'L2' else F.l1_loss
        return self.loss_weight * fn(pred.float(), target)
