# Copyright (c) OpenMMLab. All rights reserved.
"""Where an encoder's token variance lives: position, clip, or both.

A diagnostic for collapsed encoders. Over N clips of L tokens, the
variance of the tokens splits exactly (population variances, summed over
channels) into

* ``position_share``: the per-position mean over clips varies with the
  position (spatial/temporal layout the encoder keeps);
* ``clip_share``: the per-clip mean over positions varies with the clip
  (what mean pooling sees);
* ``residual_share``: the rest, clip- and position-specific content.

``pooled_rank`` is the effective rank (exp of the entropy of the
normalised squared singular values) of the centred per-clip means: how
many directions the mean-pooled features really use.
"""
from typing import Dict

import torch
from torch import Tensor


def effective_rank(x: Tensor) -> float:
    """exp(entropy) of the normalised squared singular values of centred
    rows (N, C): how many directions the rows really use (1 = collapsed)."""
    x = x.double()
    sv2 = torch.linalg.svdvals(x - x.mean(0)).pow(2)
    p = sv2 / sv2.sum().clamp(min=1e-300)
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def token_statistics(tokens: Tensor) -> Dict[str, float]:
    """Variance shares and pooled effective rank of (N, L, C) tokens."""
    if tokens.ndim != 3 or tokens.shape[0] < 2:
        raise ValueError('token_statistics needs (N >= 2, L, C) tokens, got '
                         f'shape {tuple(tokens.shape)}')
    tokens = tokens.double()
    grand = tokens.mean(dim=(0, 1))
    total = (tokens - grand).pow(2).mean(dim=(0, 1)).sum()
    per_pos = tokens.mean(0) - grand  # (L, C)
    per_clip = tokens.mean(1) - grand  # (N, C)
    position = per_pos.pow(2).mean(0).sum() / total
    clip = per_clip.pow(2).mean(0).sum() / total
    return dict(
        position_share=float(position),
        clip_share=float(clip),
        residual_share=float(1 - position - clip),
        pooled_rank=effective_rank(per_clip))
