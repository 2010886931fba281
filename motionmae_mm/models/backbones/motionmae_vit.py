# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional

import torch.nn.functional as F
from mmaction.models import VisionTransformer
from mmaction.registry import MODELS
from torch import Tensor, nn

from ..targets import select_patches
from ..utils import add_qk_norm, run_blocks, use_sdpa_attention


@MODELS.register_module()
class MotionMAEVisionTransformer(VisionTransformer):
    """mmaction2's VideoMAE ``VisionTransformer`` that can encode visible
    tokens only, with SDPA attention.

    Constructor, defaults and state-dict keys are the parent's, so a
    pretraining checkpoint loads into a stock ``Recognizer3D`` with
    ``prefix='backbone.'``. ``VisionTransformer`` stays in the class name so
    mmaction2's ``LearningRateDecayOptimizerConstructor`` recognises it.

    With a mask, only the visible tokens are embedded (one gather of their
    pixels and one matmul with the Conv3d weight instead of the convolution
    over the whole clip), which equals embedding all tokens and selecting.

    Args:
        with_cp (bool): Activation checkpointing of the blocks in the masked
            (pretraining) forward, for large encoders. Defaults to False.
        qk_norm (bool): QK-LayerNorm in every block (:func:`add_qk_norm`);
            adds parameters a stock mmaction2 encoder lacks. Defaults to
            False (VideoMAE's encoder).
        **kwargs: mmaction2 ``VisionTransformer`` arguments.

    Raises:
        ValueError: if ``img_size`` is not divisible by ``patch_size`` or
            ``num_frames`` by ``tubelet_size``.
    """

    def __init__(self,
                 img_size: int = 224,
                 patch_size: int = 16,
                 num_frames: int = 16,
                 tubelet_size: int = 2,
                 with_cp: bool = False,
                 qk_norm: bool = False,
                 **kwargs) -> None:
        if img_size % patch_size:
            raise ValueError(
                f'model.backbone.img_size={img_size} is not divisible by '
                f'model.backbone.patch_size={patch_size}')
        if num_frames % tubelet_size:
            raise ValueError(
                f'model.backbone.num_frames={num_frames} is not divisible by '
                f'model.backbone.tubelet_size={tubelet_size}')
        super().__init__(
            img_size=img_size,
            patch_size=patch_size,
            num_frames=num_frames,
            tubelet_size=tubelet_size,
            **kwargs)
        self.num_frames = num_frames
        self.tubelet_size = tubelet_size
        self.with_cp = with_cp
        use_sdpa_attention(self)
        if qk_norm:
            add_qk_norm(self)

    def _can_embed_visible(self) -> bool:
        """Whether the patch embedding is a plain strided Conv3d."""
        embed = self.patch_embed
        conv = embed.projection
        return (isinstance(conv, nn.Conv3d) and embed.norm is None
                and embed.adaptive_padding is None
                and conv.stride == conv.kernel_size
                and conv.padding == (0, 0, 0) and conv.dilation == (1, 1, 1)
                and conv.groups == 1)

    def embed_visible(self, x: Tensor, mask: Tensor) -> Tensor:
        """Patch-embed the visible tokens only, (B, N_vis, C).

        Equals ``self.patch_embed(x)[0][~mask].reshape(B, -1, C)``.
        """
        B = x.shape[0]
        if not self._can_embed_visible():
            tokens = self.patch_embed(x)[0]
            return tokens[~mask].reshape(B, -1, tokens.shape[-1])
        conv = self.patch_embed.projection
        patches = select_patches(
            x, ~mask, self.tubelet_size, self.patch_size, channels_last=False)
        return F.linear(patches, conv.weight.flatten(1), conv.bias)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        """Encode a clip.

        Args:
            x (Tensor): Clip of shape (B, C, T, H, W).
            mask (Tensor, optional): (B, N) bool, True = masked, with the
                same count per sample, over tokens in t-major (t, h, w)
                order. None runs the parent's full forward.

        Returns:
            Tensor: the parent's output without a mask; with a mask the
            visible tokens after the final norm, (B, N_vis, C).
        """
        if mask is None:
            return super().forward(x)
        T, H, W = x.shape[2:]
        num_tokens = (T // self.tubelet_size) * (H // self.patch_size) * (
            W // self.patch_size)
        if num_tokens != self.pos_embed.shape[1] or T % self.tubelet_size \
                or H % self.patch_size or W % self.patch_size:
            raise ValueError(
                f'masked encoding needs the configured clip size: got '
                f'{num_tokens} tokens for {tuple(x.shape[2:])}, the '
                f'position table has {self.pos_embed.shape[1]}')
        if mask.shape != (x.shape[0], num_tokens):
            raise ValueError(f'mask of shape {tuple(mask.shape)} for '
                             f'{x.shape[0]} clips of {num_tokens} tokens')
        tokens = self.embed_visible(x, mask)
        B, _, C = tokens.shape
        pos = self.pos_embed.to(tokens.dtype).expand(B, -1, -1)
        x = tokens + pos[~mask].reshape(B, -1, C)
        x = self.pos_drop(x)
        x = run_blocks(self.blocks, x, self.with_cp)
        return self.norm(x)
