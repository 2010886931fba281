# Copyright (c) OpenMMLab. All rights reserved.
"""The motion target: temporal difference of nearby frames."""
import torch
from torch import Tensor

# ITU-R BT.601 luma weights, for the grayscale motion variant.
_LUMA = (0.299, 0.587, 0.114)


def frame_difference(clip: Tensor,
                     gap: int = 1,
                     signed: bool = True,
                     grayscale: bool = False) -> Tensor:
    """Per-frame motion map ``D[t] = u[t] - u[t - gap]``.

    One map per frame keeps the motion target the same size as the
    appearance target; the first ``gap`` frames have no predecessor and
    repeat ``D[gap]`` (the official MotionMAE GIF shows identical first two
    motion frames).

    Args:
        clip (Tensor): Un-normalised clip (B, C, T, H, W).
        gap (int): Frame distance within the sampled clip. Defaults to 1.
        signed (bool): Keep the sign (direction of change); False takes the
            absolute difference. Defaults to True.
        grayscale (bool): Difference of BT.601 luma instead of RGB, giving
            one channel. Defaults to False.

    Returns:
        Tensor: (B, C or 1, T, H, W).
    """
    T = clip.shape[2]
    if not 0 < gap < T:
        raise ValueError(f'gap={gap} must be in [1, {T - 1}] for {T} frames')
    if grayscale:
        weights = clip.new_tensor(_LUMA).view(1, 3, 1, 1, 1)
        clip = (clip * weights).sum(1, keepdim=True)
    out = torch.empty_like(clip)
    diff = torch.sub(clip[:, :, gap:], clip[:, :, :-gap], out=out[:, :, gap:])
    if not signed:
        diff.abs_()
    out[:, :, :gap] = diff[:, :, :1]
    return out
