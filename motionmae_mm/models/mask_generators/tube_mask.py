# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from torch import Tensor

from .base import BaseMaskGenerator


@MODELS.register_module()
class TubeMaskGenerator(BaseMaskGenerator):
    """VideoMAE tube masking: one spatial mask repeated over time.

    Masks ``int(mask_ratio * H' * W')`` spatial positions per sample, the
    same positions in every time slot, so a masked patch cannot be copied
    from a neighbouring tubelet.
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
            batch_size, gh * gw, device=device, generator=generator)
        spatial = self._lowest(scores, count)
        return spatial.unsqueeze(1).expand(-1, gt, -1).reshape(batch_size, -1)
