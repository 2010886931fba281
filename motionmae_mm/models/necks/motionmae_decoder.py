# Copyright (c) OpenMMLab. All rights reserved.
from typing import Dict, Optional, Sequence, Union

import torch
from mmaction.models.backbones.vit_mae import Block, get_sinusoid_encoding
from mmaction.registry import MODELS
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule, ModuleList
from torch import Tensor, nn

from ..utils import add_qk_norm, run_blocks, use_sdpa_attention


class DecoderStack(BaseModule):
    """Transformer blocks plus final norm: one decoder branch."""

    def __init__(self,
                 embed_dims: int,
                 depth: int,
                 num_heads: int,
                 mlp_ratio: float,
                 norm_cfg: dict,
                 with_cp: bool = False) -> None:
        super().__init__()
        self.with_cp = with_cp
        self.blocks = ModuleList([
            Block(
                embed_dims=embed_dims,
                num_heads=num_heads,
                mlp_ratio=mlp_ratio,
                norm_cfg=norm_cfg) for _ in range(depth)
        ])
        self.norm = build_norm_layer(norm_cfg, embed_dims)[1]

    def forward(self, x: Tensor, num_out: int) -> Tensor:
        """Decode ``x`` and return its last ``num_out`` tokens, normed."""
        x = run_blocks(self.blocks, x, self.with_cp)
        return self.norm(x[:, -num_out:])


@MODELS.register_module()
class MotionMAEDecoder(BaseModule):
    """VideoMAE-style light decoder with one or several target branches.

    Encoded visible tokens are projected to the decoder width, joined by a
    learnable mask token at every masked position (fixed sinusoid positions
    over the flattened t-h-w index, as the encoder), decoded, and only the
    masked tokens are returned, for the heads to predict. With a
    ``target_mask`` (VideoMAE V2's decoder masking) only that subset of the
    masked tokens gets a mask token, which shortens the decoder's sequence.

    ``mode='shared'`` runs one decoder whose output feeds every target head
    (no extra cost over VideoMAE); ``mode='independent'`` runs one decoder
    per target (the paper's ablation setting, slower). Both share the
    projection and the mask token.

    Args:
        in_dims (int): Encoder width. Defaults to 768.
        embed_dims (int): Decoder width. Defaults to 384.
        depth (int): Blocks per decoder. Defaults to 4.
        num_heads (int): Attention heads. Defaults to 6.
        mlp_ratio (float): FFN expansion. Defaults to 4.
        mode (str): ``'shared'`` or ``'independent'``. Defaults to
            ``'shared'``.
        branches (Sequence[str]): Target names, one output each; the
            ``MotionMAE`` model fills this from ``model.targets``. Required
            (at least one).
        norm_cfg (dict): Norm layers. Defaults to LN with eps 1e-6.
        with_cp (bool): Activation checkpointing of the decoder blocks (same
            results, less memory, more compute). Defaults to False.
        qk_norm (bool): QK-LayerNorm in every block (:func:`add_qk_norm`).
            Defaults to False (VideoMAE's decoder).
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_dims: int = 768,
                 embed_dims: int = 384,
                 depth: int = 4,
                 num_heads: int = 6,
                 mlp_ratio: float = 4.,
                 mode: str = 'shared',
                 branches: Sequence[str] = (),
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 with_cp: bool = False,
                 qk_norm: bool = False,
                 init_cfg: Optional[Union[dict, list]] = [
                     dict(type='TruncNormal', layer='Linear', std=0.02,
                          bias=0.),
                     dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
                 ]) -> None:
        super().__init__(init_cfg=init_cfg)
        if mode not in ('shared', 'independent'):
            raise ValueError(f"model.neck.mode='{mode}' must be 'shared' or "
                             "'independent'")
        if not branches:
            raise ValueError('model.neck.branches is empty: name the targets '
                             'in model.targets (MotionMAE fills it)')
        self.mode = mode
        self.branches = tuple(branches)
        self.embed_dims = embed_dims
        self.proj = nn.Linear(in_dims, embed_dims, bias=False)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        names = ('shared', ) if mode == 'shared' else self.branches
        self.decoders = nn.ModuleDict({
            name: DecoderStack(embed_dims, depth, num_heads, mlp_ratio,
                               norm_cfg, with_cp)
            for name in names
        })
        use_sdpa_attention(self)
        if qk_norm:
            add_qk_norm(self)
        self.register_buffer(
            'pos_embed', torch.zeros(1, 0, embed_dims), persistent=False)

    def init_weights(self) -> None:
        super().init_weights()
        nn.init.trunc_normal_(self.mask_token, std=.02)

    def _positions(self, num_tokens: int, like: Tensor) -> Tensor:
        """Fixed sinusoid table for ``num_tokens``, cached on the module."""
        if self.pos_embed.shape[1] != num_tokens:
            self.pos_embed = get_sinusoid_encoding(
                num_tokens, self.embed_dims).to(like.device)
        return self.pos_embed.to(like.dtype)

    def forward(self,
                x: Tensor,
                mask: Tensor,
                target_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Decode.

        Args:
            x (Tensor): Encoded visible tokens (B, N_vis, in_dims).
            mask (Tensor): (B, N) bool, True = masked.
            target_mask (Tensor, optional): (B, N) bool, the masked tokens to
                decode (a subset of ``mask``, the same count per clip).
                Defaults to every masked token.

        Returns:
            dict[str, Tensor]: per branch name, the decoded tokens of
            ``target_mask`` (B, N_target, embed_dims) in ascending token
            order.
        """
        B, N = mask.shape
        if target_mask is None:
            target_mask = mask
        pos = self._positions(N, x).expand(B, -1, -1)
        vis = self.proj(x) + pos[~mask].reshape(B, -1, self.embed_dims)
        masked = self.mask_token + pos[target_mask].reshape(
            B, -1, self.embed_dims)
        tokens = torch.cat([vis, masked], dim=1)
        num_masked = masked.shape[1]
        if self.mode == 'shared':
            out = self.decoders['shared'](tokens, num_masked)
            return {name: out for name in self.branches}
        return {
            name: self.decoders[name](tokens, num_masked)
            for name in self.branches
        }
