# Copyright (c) OpenMMLab. All rights reserved.
from typing import Optional

import torch
import torch.nn.functional as F
from mmaction.models import VisionTransformer
from mmaction.models.backbones.vit_mae import Attention
from mmaction.registry import MODELS
from torch import Tensor


class SDPAAttention(Attention):
    """mmaction2's ``Attention`` computed with fused SDPA kernels.

    Same parameters (``qkv.weight``, ``q_bias``, ``v_bias``, zero k-bias) and
    the same maths as the parent; ``scaled_dot_product_attention`` avoids
    materialising the attention matrix and picks flash / memory-efficient
    kernels on GPU.
    """

    def forward(self, x: Tensor) -> Tensor:
        B, N, C = x.shape
        bias = None
        if hasattr(self, 'q_bias'):
            bias = torch.cat(
                (self.q_bias, torch.zeros_like(self.v_bias), self.v_bias))
        qkv = F.linear(x, self.qkv.weight, bias)
        q, k, v = qkv.view(B, N, 3, self.num_heads, -1).permute(2, 0, 3, 1,
                                                                4).unbind(0)
        x = F.scaled_dot_product_attention(
            q,
            k,
            v,
            dropout_p=self.attn_drop.p if self.training else 0.,
            scale=self.scale)
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


def use_sdpa_attention(module: torch.nn.Module) -> None:
    """Switch every mmaction2 ``Attention`` inside ``module`` to SDPA.

    Only the class changes; parameters and state-dict keys stay, so
    checkpoints move freely between the two implementations.
    """
    for m in module.modules():
        if type(m) is Attention:
            m.__class__ = SDPAAttention


@MODELS.register_module()
class MotionMAEVisionTransformer(VisionTransformer):
    """mmaction2's VideoMAE ``VisionTransformer`` that can encode visible
    tokens only, with SDPA attention.

    Constructor, defaults and state-dict keys are the parent's, so a
    pretraining checkpoint loads into a stock ``Recognizer3D`` with
    ``prefix='backbone.'``. ``VisionTransformer`` stays in the class name so
    mmaction2's ``LearningRateDecayOptimizerConstructor`` recognises it.

    Raises:
        ValueError: if ``img_size`` is not divisible by ``patch_size`` or
            ``num_frames`` by ``tubelet_size``.
    """

    def __init__(self,
                 img_size: int = 224,
                 patch_size: int = 16,
                 num_frames: int = 16,
                 tubelet_size: int = 2,
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
        use_sdpa_attention(self)

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
        tokens = self.patch_embed(x)[0]
        if tokens.shape[1] != self.pos_embed.shape[1]:
            raise ValueError(
                f'masked encoding needs the configured clip size: got '
                f'{tokens.shape[1]} tokens for {tuple(x.shape[2:])}, the '
                f'position table has {self.pos_embed.shape[1]}')
        tokens = tokens + self.pos_embed.to(tokens.dtype)
        B, _, C = tokens.shape
        x = tokens[~mask].reshape(B, -1, C)
        x = self.pos_drop(x)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)
