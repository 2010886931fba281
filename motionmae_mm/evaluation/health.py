# Copyright (c) OpenMMLab. All rights reserved.
"""Representation health: is a (pre)trained encoder collapsing?

A masked autoencoder's loss can fall while its encoder maps every clip to
nearly the same tokens (then every probe does worse than random init).
These figures, computed on one batch of clips with every token visible,
tell the two apart while a run is still going:

* ``token_cosine``: mean pairwise cosine of the final-norm tokens, across
  clips and positions (1 = every token points one way);
* ``token_rank``: effective rank of those tokens; ``clip_rank``: of the
  mean-pooled clip features (what a linear probe sees);
* ``clip_share``: the between-clip share of the token variance (0 = the
  features do not depend on the clip; see :mod:`.token_statistics`);
* ``attn_entropy/<i>``: mean entropy (nats) of block ``i``'s attention
  rows, against ``log(tokens)`` for uniform attention (collapsed attention
  looks at one token: 0).
"""
from typing import Dict, List

import torch
from torch import Tensor, nn

from ..models.utils import SDPAAttention
from .token_statistics import effective_rank, token_statistics


def token_cosine(tokens: Tensor) -> float:
    """Mean cosine over all pairs of distinct rows of (N, C) tokens."""
    unit = nn.functional.normalize(tokens.double(), dim=-1)
    n = unit.shape[0]
    total = unit.sum(0).pow(2).sum()
    return float((total - n) / (n * (n - 1)))


@torch.no_grad()
def attention_entropy(attn: SDPAAttention, x: Tensor) -> float:
    """Mean entropy (nats) of the attention rows of ``attn`` on input ``x``.

    Recomputes the softmax the fused kernel never materialises, with the
    module's own queries and keys (QK-norm included).
    """
    q, k, _ = attn.qkv_heads(x)
    probs = torch.softmax((q @ k.transpose(-2, -1)).double() * attn.scale, -1)
    return float(-(probs * probs.clamp(min=1e-30).log()).sum(-1).mean())


@torch.no_grad()
def representation_health(backbone: nn.Module,
                          clips: Tensor) -> Dict[str, float]:
    """Health figures of ``backbone`` on normalised ``clips`` (B, C, T, H, W).

    Runs the encoder once with every token visible (eval mode, restored
    afterwards). Needs at least 2 clips.
    """
    attns = [m for m in backbone.modules() if isinstance(m, SDPAAttention)]
    entropies: List[float] = []
    handles = [
        m.register_forward_hook(
            lambda mod, args, out: entropies.append(
                attention_entropy(mod, args[0]))) for m in attns
    ]
    was_training = backbone.training
    backbone.eval()
    try:
        mask = torch.zeros(
            clips.shape[0], backbone.pos_embed.shape[1], dtype=torch.bool,
            device=clips.device)
        tokens = backbone(clips, mask).float()
    finally:
        for handle in handles:
            handle.remove()
        backbone.train(was_training)
    stats = token_statistics(tokens)
    flat = tokens.reshape(-1, tokens.shape[-1])
    out = dict(
        token_cosine=token_cosine(flat),
        token_rank=effective_rank(flat),
        clip_rank=stats['pooled_rank'],
        clip_share=stats['clip_share'])
    out.update(
        {f'attn_entropy/{i}': value
         for i, value in enumerate(entropies)})
    return out


def dataset_clips(model: nn.Module, cfg, num_clips: int) -> Tensor:
    """The first ``num_clips`` clips of ``cfg``'s training dataset through
    its own pipeline and ``model``'s preprocessor, (N, C, T, H, W)."""
    from mmaction.registry import DATASETS
    from mmengine.registry import DefaultScope
    if num_clips < 2:
        raise ValueError(f'--num-clips {num_clips}: need at least 2')
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    samples = [dataset[i] for i in range(min(num_clips, len(dataset)))]
    batch = model.data_preprocessor(
        dict(inputs=[s['inputs'] for s in samples],
             data_samples=[s['data_samples'] for s in samples]), False)
    return model._clip(batch['inputs'])


def health_table(backbones: Dict[str, nn.Module], clips: Tensor) -> str:
    """:func:`representation_health` of each backbone, one column each."""
    columns = {
        name: representation_health(backbone, clips)
        for name, backbone in backbones.items()
    }
    keys = list(next(iter(columns.values())))
    width = max(len(k) for k in keys)
    lines = [' ' * width + ''.join(f'{name:>14}' for name in columns)]
    for key in keys:
        lines.append(f'{key:<{width}}' + ''.join(
            f'{column[key]:>14.3f}' for column in columns.values()))
    return '\n'.join(lines)
