# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import Tensor

from ..targets import frame_difference
from .base import BaseMaskGenerator


@MODELS.register_module()
class MotionGuidedMaskGenerator(BaseMaskGenerator):
    """Masks high-motion tokens preferentially, from frame differences.

    The cheap cousin of MGMAE's optical-flow-guided masking: a token's
    motion energy is the mean ``|u[t] - u[t - gap]|`` over its pixels and
    channels (un-normalised clip, [0, 1] units). Energies are divided by
    ``max(clip's largest token energy, energy_floor)``, so they lie in
    [0, 1] and a near-static clip (largest energy below the floor) stays
    near-uniform instead of amplifying noise. Masked tokens are drawn
    without replacement with probabilities ``softmax(energy / temperature)``
    (Gumbel-top-k), so masking stays stochastic: the most-moving token is
    at most ``exp(1 / temperature)`` times as likely to be picked first as
    a static one. A static clip (all energies equal) masks uniformly.

    Args:
        mask_ratio (float): Fraction of tokens to mask. Defaults to 0.9.
        per_slot (bool): Mask ``int(mask_ratio * H' * W')`` tokens in every
            time slot (like ``FrameRandomMaskGenerator``); False masks
            ``int(mask_ratio * N)`` anywhere in the clip. Defaults to True.
        temperature (float): Softmax temperature on the normalised energy;
            lower = more greedy. Defaults to 0.25.
        gap (int): Frame distance of the difference. Defaults to 1.
        energy_floor (float): Smallest normaliser, in [0, 1] pixel units
            (0.01 is about 2.5 grey levels of mean change). Defaults to 0.01.
    """

    def __init__(self,
                 mask_ratio: float = 0.9,
                 per_slot: bool = True,
                 temperature: float = 0.25,
                 gap: int = 1,
                 energy_floor: float = 0.01) -> None:
        super().__init__(mask_ratio)
        if temperature <= 0:
            raise ValueError('model.mask_generator.temperature='
                             f'{temperature} must be positive')
        if energy_floor <= 0:
            raise ValueError('model.mask_generator.energy_floor='
                             f'{energy_floor} must be positive')
        self.per_slot = per_slot
        self.temperature = temperature
        self.gap = gap
        self.energy_floor = energy_floor

    @torch.no_grad()
    def token_energy(self, clip: Tensor, grid: Tuple[int, int, int]) -> Tensor:
        """Mean absolute frame difference per token.

        Args:
            clip (Tensor): Un-normalised clip (B, C, T, H, W).
            grid (tuple[int]): Token grid (T', H', W').

        Returns:
            Tensor: (B, T', H', W') float energies.
        """
        shape = tuple(clip.shape[-3:])
        if clip.dim() != 5 or any(s % g for s, g in zip(shape, grid)):
            raise ValueError(
                f'MotionGuidedMaskGenerator: clip of shape '
                f'{tuple(clip.shape)} does not tile into the token grid '
                f'{tuple(grid)} (expected (B, C, T, H, W))')
        diff = frame_difference(clip.float(), self.gap, signed=False)
        kernel = tuple(s // g for s, g in zip(shape, grid))
        return F.avg_pool3d(diff.mean(1), kernel)

    def __call__(self,
                 batch_size: int,
                 grid: Tuple[int, int, int],
                 device: torch.device = torch.device('cpu'),
                 clip: Optional[Tensor] = None,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        if clip is None:
            raise ValueError(
                'MotionGuidedMaskGenerator needs the un-normalised clip '
                '(clip=(B, C, T, H, W)) to measure motion')
        if clip.shape[0] != batch_size:
            raise ValueError(
                f'MotionGuidedMaskGenerator: clip has {clip.shape[0]} '
                f'samples, batch_size is {batch_size}')
        gt, gh, gw = grid
        energy = self.token_energy(clip, grid).to(device)
        energy = energy.reshape(batch_size, -1)
        scale = energy.amax(-1, keepdim=True).clamp(min=self.energy_floor)
        logits = energy / scale / self.temperature
        u = torch.rand(
            logits.shape,
            device=device,
            generator=generator,
            dtype=logits.dtype)
        tiny = torch.finfo(u.dtype).tiny
        gumbel = -torch.log(-torch.log(u.clamp(min=tiny)))
        scores = -(logits + gumbel)  # masked = highest perturbed logits
        if self.per_slot:
            count = self._count(gh * gw, self.mask_ratio, 'positions per slot')
            scores = scores.view(batch_size, gt, gh * gw)
        else:
            count = self._count(gt * gh * gw, self.mask_ratio, 'tokens')
        return self._lowest(scores, count).reshape(batch_size, -1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(mask_ratio={self.mask_ratio}, '
                f'per_slot={self.per_slot}, '
                f'temperature={self.temperature}, gap={self.gap}, '
                f'energy_floor={self.energy_floor})')
