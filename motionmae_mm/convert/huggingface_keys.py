# Copyright (c) OpenMMLab. All rights reserved.
"""Tensor name mapping between mmaction2's VideoMAE ViT and Hugging Face's.

mmaction2 ``VisionTransformer`` (ours) keeps one fused ``attn.qkv.weight``
plus ``q_bias`` / ``v_bias`` (zero k-bias); Hugging Face ``VideoMAE*``
keeps separate ``query`` / ``key`` / ``value`` linears. transformers 5
stores the q/v biases as ``query.bias`` / ``value.bias``, transformers 4 as
``q_bias`` / ``v_bias`` parameters: :func:`installed_qv_style` tells which
one the installed version reads, and reading accepts both. Every mapping
is a pure rename or an exact split / concatenation, so a round trip gives
back the same tensors bit for bit.
"""
import re
from typing import Dict, Iterable, Tuple

import torch
from torch import Tensor

from .errors import ConversionError

StateDict = Dict[str, Tensor]

# (ours, Hugging Face) inside one transformer block, for .weight and .bias
BLOCK_RENAMES: Tuple[Tuple[str, str], ...] = (
    ('norm1', 'layernorm_before'),
    ('norm2', 'layernorm_after'),
    ('attn.proj', 'attention.output.dense'),
    ('mlp.layers.0.0', 'intermediate.dense'),
    ('mlp.layers.1', 'output.dense'),
)
QV_STYLES = {
    # transformers >= 5: biases of the query / value linears
    'linear':
    ('attention.attention.query.bias', 'attention.attention.value.bias'),
    # transformers 4.x: separate parameters
    'param': ('attention.attention.q_bias', 'attention.attention.v_bias'),
}
_QKV = ('attention.attention.query.weight', 'attention.attention.key.weight',
        'attention.attention.value.weight')


class KeyMappingError(ConversionError):
    """A tensor without a counterpart on the other side."""


def installed_qv_style() -> str:
    """``'linear'`` (transformers 5) or ``'param'`` (4.x) q/v bias names.

    Read from the installed ``VideoMAESelfAttention`` itself rather than
    from the version number.
    """
    from transformers import VideoMAEConfig
    from transformers.models.videomae.modeling_videomae import \
        VideoMAESelfAttention
    attn = VideoMAESelfAttention(
        VideoMAEConfig(hidden_size=2, num_attention_heads=1))
    return 'param' if 'q_bias' in attn.state_dict() else 'linear'


def block_to_hf(block: StateDict, style: str) -> StateDict:
    """One of our blocks (keys relative to it) -> one HF ``VideoMAELayer``."""
    out, rest = {}, dict(block)
    for ours, hf in BLOCK_RENAMES:
        for kind in ('weight', 'bias'):
            if f'{ours}.{kind}' in rest:
                out[f'{hf}.{kind}'] = rest.pop(f'{ours}.{kind}')
    if 'attn.qkv.weight' not in rest:
        raise KeyMappingError('block without attn.qkv.weight')
    for name, part in zip(_QKV, rest.pop('attn.qkv.weight').chunk(3)):
        out[name] = part.clone()
    if 'attn.q_bias' in rest or 'attn.v_bias' in rest:
        q_name, v_name = QV_STYLES[style]
        out[q_name] = rest.pop('attn.q_bias')
        out[v_name] = rest.pop('attn.v_bias')
    if rest:
        raise KeyMappingError(
            f'no Hugging Face counterpart for {sorted(rest)} (layer scale '
            'gamma_1/gamma_2 or a fused qkv bias are not in HF VideoMAE)')
    return out


def block_from_hf(layer: StateDict) -> StateDict:
    """One HF ``VideoMAELayer`` (keys relative to it) -> one of our blocks.

    Accepts transformers 5 and 4.x q/v bias names.
    """
    out, rest = {}, dict(layer)
    for ours, hf in BLOCK_RENAMES:
        for kind in ('weight', 'bias'):
            if f'{hf}.{kind}' in rest:
                out[f'{ours}.{kind}'] = rest.pop(f'{hf}.{kind}')
    if any(name not in rest for name in _QKV):
        raise KeyMappingError('layer without query/key/value weights')
    out['attn.qkv.weight'] = torch.cat([rest.pop(name) for name in _QKV])
    for q_name, v_name in QV_STYLES.values():
        if q_name in rest:
            out['attn.q_bias'] = rest.pop(q_name)
            out['attn.v_bias'] = rest.pop(v_name)
    if 'attention.attention.key.bias' in rest:
        raise KeyMappingError('a key bias: ours has a zero k-bias only')
    if rest:
        raise KeyMappingError(f'unknown keys {sorted(rest)}')
    return out


def _group_blocks(state: StateDict, pattern: str) -> Dict[int, StateDict]:
    """``{index: {key relative to the block: tensor}}`` for ``pattern``."""
    blocks: Dict[int, StateDict] = {}
    regex = re.compile(pattern)
    for key, value in state.items():
        match = regex.match(key)
        if match:
            blocks.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return blocks


def _take(state: StateDict, renames: Iterable[Tuple[str, str]]) -> StateDict:
    """Pop ``src.weight/bias`` from ``state`` as ``dst.weight/bias``."""
    out = {}
    for src, dst in renames:
        for kind in ('weight', 'bias'):
            if f'{src}.{kind}' in state:
                out[f'{dst}.{kind}'] = state.pop(f'{src}.{kind}')
    return out


def encoder_to_hf(backbone: StateDict, style: str) -> StateDict:
    """Our backbone (no ``backbone.`` prefix) -> ``VideoMAEModel`` keys.

    ``pos_embed`` is not mapped: HF recomputes the same fixed table (the
    caller checks it is that table). ``fc_norm`` is returned as
    ``fc_norm.*`` for the classification model.
    """
    rest = {k: v for k, v in backbone.items() if k != 'pos_embed'}
    blocks = _group_blocks(rest, r'^blocks\.(\d+)\.(.+)$')
    rest = {k: v for k, v in rest.items() if not k.startswith('blocks.')}
    out = _take(
        rest,
        [('patch_embed.projection', 'embeddings.patch_embeddings.projection'),
         ('norm', 'layernorm'), ('fc_norm', 'fc_norm')])
    for i, block in sorted(blocks.items()):
        for key, value in block_to_hf(block, style).items():
            out[f'encoder.layer.{i}.{key}'] = value
    if rest:
        raise KeyMappingError(f'backbone keys without a Hugging Face '
                              f'counterpart: {sorted(rest)}')
    return out


def encoder_from_hf(hf: StateDict) -> StateDict:
    """``VideoMAEModel`` keys (no ``videomae.`` prefix) -> our backbone.

    ``fc_norm.*`` (a classification model's) maps to our ``fc_norm``.
    """
    blocks = _group_blocks(hf, r'^encoder\.layer\.(\d+)\.(.+)$')
    rest = {k: v for k, v in hf.items() if not k.startswith('encoder.layer.')}
    out = _take(
        rest,
        [('embeddings.patch_embeddings.projection', 'patch_embed.projection'),
         ('layernorm', 'norm'), ('fc_norm', 'fc_norm')])
    for i, layer in sorted(blocks.items()):
        try:
            mapped = block_from_hf(layer)
        except KeyMappingError as err:
            raise KeyMappingError(f'encoder.layer.{i}: {err}') from None
        for key, value in mapped.items():
            out[f'blocks.{i}.{key}'] = value
    if rest:
        raise KeyMappingError(f'unknown VideoMAE keys: {sorted(rest)}')
    return out


def decoder_to_hf(stack: StateDict, proj: Tensor, mask_token: Tensor,
                  predictor: StateDict, style: str) -> StateDict:
    """Our decoder branch + pixel predictor -> ``VideoMAEForPreTraining``
    decoder keys (``encoder_to_decoder``, ``mask_token``, ``decoder.*``)."""
    rest = dict(stack)
    blocks = _group_blocks(rest, r'^blocks\.(\d+)\.(.+)$')
    rest = {k: v for k, v in rest.items() if not k.startswith('blocks.')}
    out = {'encoder_to_decoder.weight': proj, 'mask_token': mask_token}
    out.update(_take(rest, [('norm', 'decoder.norm')]))
    for i, block in sorted(blocks.items()):
        for key, value in block_to_hf(block, style).items():
            out[f'decoder.decoder_layers.{i}.{key}'] = value
    out['decoder.head.weight'] = predictor['weight']
    out['decoder.head.bias'] = predictor['bias']
    if rest:
        raise KeyMappingError(f'decoder keys without a Hugging Face '
                              f'counterpart: {sorted(rest)}')
    return out


def decoder_from_hf(hf: StateDict,
                    predictor: str) -> Tuple[StateDict, StateDict]:
    """``VideoMAEForPreTraining`` decoder keys -> ``(neck, head)`` states of
    our shared decoder and the pixel target's predictor, named
    ``predictors.<predictor>`` (keys without prefixes)."""
    rest = dict(hf)
    layers = _group_blocks(rest, r'^decoder\.decoder_layers\.(\d+)\.(.+)$')
    rest = {
        k: v
        for k, v in rest.items() if not k.startswith('decoder.decoder_layers.')
    }
    neck = {
        'proj.weight': rest.pop('encoder_to_decoder.weight'),
        'mask_token': rest.pop('mask_token')
    }
    neck.update(_take(rest, [('decoder.norm', 'decoders.shared.norm')]))
    for i, layer in sorted(layers.items()):
        for key, value in block_from_hf(layer).items():
            neck[f'decoders.shared.blocks.{i}.{key}'] = value
    head = _take(rest, [('decoder.head', f'predictors.{predictor}')])
    if rest:
        raise KeyMappingError(f'unknown VideoMAE decoder keys: {sorted(rest)}')
    return neck, head
