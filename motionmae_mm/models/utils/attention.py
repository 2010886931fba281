# Copyright (c) OpenMMLab. All rights reserved.
"""Fused attention for mmaction2's ViT blocks."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn
from mmaction.models.backbones.vit_mae import Attention
from torch import Tensor


class SDPAAttention(Attention):
    """mmaction2's ``Attention`` computed with fused SDPA kernels.

    Same parameters (``qkv.weight``, ``q_bias``, ``v_bias``, zero k-bias) and
    the same maths as the parent; ``scaled_dot_product_attention`` avoids
    materialising the attention matrix and picks flash / memory-efficient
    kernels on GPU.
    """

    def qkv_heads(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Per-head queries, keys and values (B, heads, N, C / heads), with
        the queries and keys layer-normalised when the module has
        ``q_norm`` / ``k_norm`` (:func:`add_qk_norm`)."""
        B, N, C = x.shape
        bias = None
        if hasattr(self, 'q_bias'):
            bias = torch.cat(
                (self.q_bias, torch.zeros_like(self.v_bias), self.v_bias))
        qkv = F.linear(x, self.qkv.weight, bias)
        q, k, v = qkv.view(B, N, 3, self.num_heads, -1).permute(2, 0, 3, 1,
                                                                4).unbind(0)
        if hasattr(self, 'q_norm'):
            q, k = self.q_norm(q), self.k_norm(k)
        return q, k, v

    def forward(self, x: Tensor) -> Tensor:
        B, N, C = x.shape
        q, k, v = self.qkv_heads(x)
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


def add_qk_norm(module: torch.nn.Module, eps: float = 1e-6) -> None:
    """Give every ``SDPAAttention`` in ``module`` QK-LayerNorm.

    A LayerNorm over each head's channels on queries and keys bounds the
    attention logits, which otherwise grow at high learning rates in small
    models until the attention collapses to one token (Wortsman et al.,
    arXiv 2309.14322). Adds ``attn.q_norm`` / ``attn.k_norm`` parameters, so
    an encoder trained with it needs it again to load (stock mmaction2
    ``VisionTransformer`` does not have it).
    """
    for m in module.modules():
        if isinstance(m, SDPAAttention):
            dims = m.qkv.weight.shape[1] // m.num_heads
            m.q_norm = nn.LayerNorm(dims, eps=eps)
            m.k_norm = nn.LayerNorm(dims, eps=eps)
