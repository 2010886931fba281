# Copyright (c) OpenMMLab. All rights reserved.
"""What a reconstruction target is: the contract the head relies on."""
from abc import ABCMeta, abstractmethod

import torch
from mmaction.registry import MODELS
from torch import Tensor, nn

from .patchify import patch_norm, select_patches

#: Every target's loss unless its config says otherwise: MSE, weight 1.
DEFAULT_LOSS = dict(type='MotionMAEReconstructionLoss', loss_weight=1.)


class BaseTarget(nn.Module, metaclass=ABCMeta):
    """A video the model reconstructs at masked tokens, and its loss.

    A target is named by its key in ``model.targets``; the head gives each
    name one linear predictor, the decoder one branch, the log one
    ``loss_<name>``. Subclasses say which video the tokens are cut from
    (:meth:`source`) and how many channels it has (:meth:`channels`); the
    gather of the masked tokens and the per-patch normalisation are shared,
    so every target is scored the same way.

    Args:
        norm_pix (bool): Normalise each token per channel over its pixels
            (VideoMAE's ``normlize_target``). Defaults to True.
        loss (dict): Loss between predicted and target tokens, with its
            ``loss_weight``. Defaults to
            ``dict(type='MotionMAEReconstructionLoss', loss_weight=1.)``.
    """

    #: True when :meth:`source` is the input clip itself (pixels): pictures
    #: show no separate target row, and exports map it to a pixel decoder.
    is_input_space: bool = False

    def __init__(self,
                 norm_pix: bool = True,
                 loss: dict = DEFAULT_LOSS) -> None:
        super().__init__()
        self.norm_pix = norm_pix
        self.loss_module = MODELS.build(loss)

    @abstractmethod
    def source(self, clip: Tensor) -> Tensor:
        """The un-normalised video the target tokens are cut from.

        Args:
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).

        Returns:
            Tensor: (B, C', T, H, W) with C' = :meth:`channels` of C.
        """

    def channels(self, in_channels: int) -> int:
        """Channels of :meth:`source` for a clip of ``in_channels``."""
        return in_channels

    def check_frames(self, name: str, num_frames: int) -> None:
        """Raise ``ValueError`` when clips of ``num_frames`` cannot give
        this target (``name`` is its key in ``model.targets``)."""

    def display(self, video: Tensor) -> Tensor:
        """Map a video in :meth:`source` units to [0, 1] for pictures."""
        return video

    @torch.no_grad()
    def forward(self, clip: Tensor, mask: Tensor, tubelet_size: int,
                patch_size: int) -> Tensor:
        """Target tokens at ``mask``, in one vectorised gather.

        Only the masked tokens' pixels are gathered (no unfolding of the
        whole clip); equal to ``patchify3d(source)[mask]``, then per-patch
        normalised with ``norm_pix``.

        Args:
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).
            mask (Tensor): (B, N) bool, True = scored.
            tubelet_size (int): Frames per token.
            patch_size (int): Pixels per token side.

        Returns:
            Tensor: (B, N_mask, tubelet * patch * patch * C').
        """
        src = self.source(clip)
        tokens = select_patches(src, mask, tubelet_size, patch_size)
        if self.norm_pix:
            tokens = patch_norm(tokens, src.shape[1])
        return tokens

    def loss(self, pred: Tensor, target: Tensor) -> Tensor:
        """Weighted loss of ``pred`` against ``target`` (B, N, D)."""
        return self.loss_module(pred, target)
