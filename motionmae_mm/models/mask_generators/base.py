# Copyright (c) OpenMMLab. All rights reserved.
from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple

import torch
from torch import Tensor


class BaseMaskGenerator(metaclass=ABCMeta):
    """Draws token masks inside the model, on the clip's device.

    A mask is a (B, N) bool tensor, True = masked, over tokens in t-major
    (t, h, w) order, with the same number of masked tokens in every sample
    (so visible tokens form a dense (B, N_vis, C) batch).

    Args:
        mask_ratio (float): Fraction of tokens to mask, in (0, 1).
    """

    def __init__(self, mask_ratio: float = 0.9) -> None:
        if not 0. < mask_ratio < 1.:
            raise ValueError(
                f'model.mask_generator.mask_ratio={mask_ratio} must be in '
                '(0, 1)')
        self.mask_ratio = mask_ratio

    @abstractmethod
    def __call__(self,
                 batch_size: int,
                 grid: Tuple[int, int, int],
                 device: torch.device = torch.device('cpu'),
                 clip: Optional[Tensor] = None,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        """Draw a mask.

        Args:
            batch_size (int): B.
            grid (tuple[int]): Token grid (T', H', W').
            device (torch.device): Where to draw the mask.
            clip (Tensor, optional): Un-normalised clip (B, C, T, H, W), for
                generators that look at the content.
            generator (torch.Generator, optional): RNG to draw from (on
                ``device``); the global RNG when None.

        Returns:
            Tensor: (B, T' * H' * W') bool.
        """

    @staticmethod
    def _count(total: int, ratio: float, what: str) -> int:
        """Masked count out of ``total``; at least one masked and one kept."""
        count = int(ratio * total)
        if not 0 < count < total:
            raise ValueError(
                f'mask_ratio={ratio} masks {count} of {total} {what}: at '
                'least one token must be masked and one visible')
        return count

    @staticmethod
    def _lowest(scores: Tensor, count: int) -> Tensor:
        """Bool mask of the ``count`` lowest scores along the last dim."""
        idx = scores.argsort(dim=-1)[..., :count]
        return torch.zeros_like(scores, dtype=torch.bool).scatter_(-1, idx,
                                                                    True)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(mask_ratio={self.mask_ratio})'
