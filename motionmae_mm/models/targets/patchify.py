# Copyright (c) OpenMMLab. All rights reserved.
"""Space-time patch (un)folding and per-patch normalisation.

Token order is the Conv3d patch-embedding flatten order: t-major, then h,
then w. Inside a token the values are laid out (dt, dy, dx, c), VideoMAE's
target layout, so ``patch_norm`` can normalise each channel over the
``tubelet * patch * patch`` pixels of a token.
"""
from typing import Tuple

import torch
from torch import Tensor


def patchify3d(x: Tensor, tubelet_size: int, patch_size: int) -> Tensor:
    """Fold a clip into per-token vectors.

    Args:
        x (Tensor): (B, C, T, H, W).
        tubelet_size (int): Frames per token.
        patch_size (int): Pixels per token side.

    Returns:
        Tensor: (B, N, tubelet * patch * patch * C) with
        N = (T / tubelet) * (H / patch) * (W / patch).
    """
    B, C, T, H, W = x.shape
    t, p = tubelet_size, patch_size
    x = x.reshape(B, C, T // t, t, H // p, p, W // p, p)
    x = x.permute(0, 2, 4, 6, 3, 5, 7, 1)
    return x.reshape(B, (T // t) * (H // p) * (W // p), t * p * p * C)


def select_patches(x: Tensor,
                   mask: Tensor,
                   tubelet_size: int,
                   patch_size: int,
                   channels_last: bool = True) -> Tensor:
    """Pixels of the tokens where ``mask`` is True, without unfolding the
    whole clip.

    With ``channels_last`` equal to
    ``patchify3d(x, tubelet_size, patch_size)[mask].reshape(B, -1, D)``, but
    one gather from a strided view copies only the selected tokens.

    Args:
        x (Tensor): Clip (B, C, T, H, W).
        mask (Tensor): (B, N) bool, the same count per sample, tokens in
            t-major (t, h, w) order.
        tubelet_size (int): Frames per token.
        patch_size (int): Pixels per token side.
        channels_last (bool): Token layout (dt, dy, dx, c) (the targets')
            if True (default), else (c, dt, dy, dx) (a Conv3d weight's).

    Returns:
        Tensor: (B, N_selected, C * tubelet * patch * patch).
    """
    B, C, T, H, W = x.shape
    t, p = tubelet_size, patch_size
    gh, gw = H // p, W // p
    view = x.reshape(B, C, T // t, t, gh, p, gw, p)
    order = (0, 2, 4, 6, 3, 5, 7, 1) if channels_last else (0, 2, 4, 6, 1, 3,
                                                            5, 7)
    view = view.permute(*order)
    b, n = mask.nonzero(as_tuple=True)  # row-major: b, then token order
    hw = gh * gw
    tokens = view[b, n // hw, n % hw // gw, n % gw]
    return tokens.reshape(B, -1, C * t * p * p)


def unpatchify3d(tokens: Tensor, grid: Tuple[int, int, int], tubelet_size: int,
                 patch_size: int) -> Tensor:
    """Inverse of :func:`patchify3d`.

    Args:
        tokens (Tensor): (B, N, tubelet * patch * patch * C).
        grid (tuple[int]): Token grid (T', H', W') with N = T' * H' * W'.
        tubelet_size (int): Frames per token.
        patch_size (int): Pixels per token side.

    Returns:
        Tensor: (B, C, T' * tubelet, H' * patch, W' * patch).
    """
    B = tokens.shape[0]
    gt, gh, gw = grid
    t, p = tubelet_size, patch_size
    x = tokens.reshape(B, gt, gh, gw, t, p, p, -1)
    x = x.permute(0, 7, 1, 4, 2, 5, 3, 6)
    return x.reshape(B, -1, gt * t, gh * p, gw * p)


def patch_norm(tokens: Tensor, channels: int, eps: float = 1e-6) -> Tensor:
    """Normalise each token per channel over its pixels (VideoMAE target).

    ``(v - mean) / (std + eps)`` with the unbiased std, computed over the
    ``tubelet * patch * patch`` values of one channel of one token.

    Args:
        tokens (Tensor): (..., P * channels) in (pixels, channel) layout.
        channels (int): Number of channels C.
        eps (float): Added to the std. Defaults to 1e-6.

    Returns:
        Tensor: Same shape as ``tokens``.
    """
    shape = tokens.shape
    v = tokens.reshape(*shape[:-1], -1, channels)
    std, mean = torch.std_mean(v, dim=-2, keepdim=True)
    return ((v - mean) / (std + eps)).reshape(shape)
