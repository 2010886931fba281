# Copyright (c) OpenMMLab. All rights reserved.
"""Tensor names on both sides, for the installed and the 4.x transformers."""
import pytest
import torch
from mmaction.registry import MODELS
from packaging.version import Version

from motionmae_mm.convert.huggingface_keys import (KeyMappingError,
                                                   block_from_hf, block_to_hf,
                                                   encoder_from_hf,
                                                   encoder_to_hf,
                                                   installed_qv_style)
from ..conftest import TINY_VIT

transformers = pytest.importorskip('transformers')


def _backbone_state() -> dict:
    torch.manual_seed(0)
    vit = MODELS.build(dict(TINY_VIT))
    return {k: v + torch.randn_like(v) for k, v in vit.state_dict().items()}


def test_installed_style_is_what_transformers_reads():
    style = installed_qv_style()
    major = Version(transformers.__version__).major
    assert style == ('linear' if major >= 5 else 'param')
    config = transformers.VideoMAEConfig(
        hidden_size=32,
        num_attention_heads=2,
        num_hidden_layers=2,
        intermediate_size=128,
        image_size=32,
        patch_size=8,
        num_frames=4,
        use_mean_pooling=False)
    expected = set(transformers.VideoMAEModel(config).state_dict())
    assert set(encoder_to_hf(_backbone_state(), style)) == expected


@pytest.mark.parametrize(
    'style, q_name',
    [
        ('linear', 'attention.attention.query.bias'),  # transformers 5
        ('param', 'attention.attention.q_bias'),  # transformers 4.x
    ])
def test_both_bias_namings_round_trip_bit_exactly(style, q_name):
    state = _backbone_state()
    hf = encoder_to_hf(state, style)
    assert f'encoder.layer.0.{q_name}' in hf
    assert torch.equal(hf[f'encoder.layer.1.{q_name}'],
                       state['blocks.1.attn.q_bias'])
    qkv = state['blocks.0.attn.qkv.weight']
    assert torch.equal(hf['encoder.layer.0.attention.attention.key.weight'],
                       qkv[32:64])
    back = encoder_from_hf(hf)
    assert set(back) == set(state) - {'pos_embed'}
    assert all(torch.equal(back[k], state[k]) for k in back)


def test_names_without_counterpart_are_refused():
    block = dict(block_to_hf({'attn.qkv.weight': torch.zeros(6, 2)}, 'linear'))
    with pytest.raises(KeyMappingError, match='gamma_1'):
        block_to_hf(
            {
                'attn.qkv.weight': torch.zeros(6, 2),
                'gamma_1': torch.ones(2)
            }, 'linear')
    block['attention.attention.key.bias'] = torch.zeros(2)
    with pytest.raises(KeyMappingError, match='key bias'):
        block_from_hf(block)
    with pytest.raises(KeyMappingError, match='unknown VideoMAE keys'):
        encoder_from_hf({'pooler.dense.weight': torch.zeros(2, 2)})


@pytest.mark.parametrize('tokens, dims', [(1568, 768), (1568, 384),
                                          (1568, 1024)])
def test_hf_position_table_is_ours(tokens, dims):
    """HF recomputes the table at run time (numpy, float64 -> float32);
    ours is mmaction2's: they agree to float32 rounding at ViT-B/L sizes."""
    from mmaction.models.backbones.vit_mae import get_sinusoid_encoding

    from motionmae_mm.convert.huggingface_config import hf_sinusoid_table
    diff = hf_sinusoid_table(tokens, dims) - get_sinusoid_encoding(
        tokens, dims)
    assert diff.abs().max() < 1e-7
