# Copyright (c) OpenMMLab. All rights reserved.
"""Decoder masking (VideoMAE V2's dual masking): decode fewer tokens."""
from typing import Optional, Tuple

import torch
from torch import Tensor

DECODER_MASK_MODES = ('random', 'running_cell')


def running_cell_keep(grid: Tuple[int, int, int], keep_ratio: float,
                      device: torch.device) -> Tensor:
    """VideoMAE V2's running-cell pattern over the token grid, (N,) bool.

    The grid is tiled by 2 x 2 cells; in each cell ``round(4 * keep_ratio)``
    of the 4 positions are kept, and the kept positions move one step
    around the cell every time slot, so over 4 slots every position is
    reconstructed equally often.
    """
    T, H, W = grid
    keep = max(1, min(4, round(4 * keep_ratio)))
    cell = (torch.arange(H, device=device)[:, None] % 2 * 2 +
            torch.arange(W, device=device)[None] % 2)  # 0 1 / 2 3
    ring = torch.tensor([0, 1, 3, 2], device=device)  # around the cell
    slot = torch.empty(4, dtype=torch.long, device=device)
    slot[ring] = torch.arange(4, device=device)
    pos = slot[cell]  # (H, W): place along the ring
    t = torch.arange(T, device=device)[:, None, None]
    return ((pos[None] - t) % 4 < keep).flatten()


def select_decoder_targets(mask: Tensor,
                           ratio: float,
                           mode: str = 'random',
                           grid: Optional[Tuple[int, int, int]] = None,
                           generator: Optional[torch.Generator] = None
                           ) -> Tensor:
    """The masked tokens the decoder reconstructs and the loss scores.

    ``ratio`` is the share of the encoder's masked tokens left out of the
    decoder; the same count, ``round(M * (1 - ratio))`` of the ``M`` masked
    tokens, is kept in every clip (a dense batch). ``'random'`` keeps a
    uniform random subset; ``'running_cell'`` keeps masked tokens of the
    running-cell pattern first (random among them) and fills up at random.
    ``ratio=0`` returns ``mask`` itself and draws nothing.

    Args:
        mask (Tensor): Encoder mask (B, N) bool, True = masked.
        ratio (float): Decoder mask ratio in [0, 1).
        mode (str): ``'random'`` or ``'running_cell'``.
        grid (tuple[int], optional): Token grid, for ``'running_cell'``.
        generator (torch.Generator, optional): RNG (global when None).

    Returns:
        Tensor: (B, N) bool, a subset of ``mask``.
    """
    if ratio == 0:
        return mask
    if mode not in DECODER_MASK_MODES:
        raise ValueError(f"model.decoder_mask_mode='{mode}' must be one of "
                         f'{DECODER_MASK_MODES}')
    num_masked = int(mask[0].sum())
    keep = round(num_masked * (1 - ratio))
    if not 0 < keep:
        raise ValueError(f'model.decoder_mask_ratio={ratio} keeps none of '
                         f'the {num_masked} masked tokens')
    scores = torch.rand(
        mask.shape, device=mask.device, generator=generator)
    if mode == 'running_cell':
        scores = scores + running_cell_keep(grid, 1 - ratio, mask.device)
    scores = scores.masked_fill(~mask, -1.)
    idx = scores.topk(keep, dim=1).indices
    return torch.zeros_like(mask).scatter_(1, idx, True)
