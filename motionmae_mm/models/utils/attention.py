# Copyright (c) OpenMMLab. All rights reserved.
"""Fused attention for mmaction2's ViT blocks."""
import torch
import torch.nn.functional as F
from mmaction.models.backbones.vit_mae import Attention
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
