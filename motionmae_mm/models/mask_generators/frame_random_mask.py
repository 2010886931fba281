# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from torch import Tensor

from .base import BaseMaskGenerator


@MODELS.register_module()
class FrameRandomMaskGenerator(BaseMaskGenerator):
    """Per-time-slot random masking, the MotionMAE default.

    Every tubelet slot independently masks ``int(mask_ratio * H' * W')`` of
    its spatial positions (the pattern in the official MotionMAE GIF: equal
    visible counts per slot, different positions between slots).
    """

    def __call__(self,
                 batch_size: int,
                 grid: Tuple[int, int, int],
                 device: torch.device = torch.device('cpu'),
                 clip: Optional[Tensor] = None,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        gt, gh, gw = grid
        count = self._count(gh * gw, self.mask_ratio, 'positions per slot')
        scores = torch.rand(
            batch_size, gt, gh * gw, device=device, generator=generator)
        return self._lowest(scores, count).reshape(batch_size, -1)
