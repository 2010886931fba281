# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from torch import Tensor

from .base import BaseMaskGenerator


@MODELS.register_module()
class RandomMaskGenerator(BaseMaskGenerator):
    """Uniform random masking over all space-time tokens (ST-MAE style).

    Masks ``int(mask_ratio * N)`` tokens per sample, anywhere in the clip.
    """

    def __call__(self,
                 batch_size: int,
                 grid: Tuple[int, int, int],
                 device: torch.device = torch.device('cpu'),
                 clip: Optional[Tensor] = None,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        n = grid[0] * grid[1] * grid[2]
        count = self._count(n, self.mask_ratio, 'tokens')
        scores = torch.rand(
            batch_size, n, device=device, generator=generator)
        return self._lowest(scores, count)
