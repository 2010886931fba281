# Copyright (c) OpenMMLab. All rights reserved.
"""Representation health: each figure on cases with a known answer."""
import math

import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.evaluation.health import (attention_entropy,
                                            health_table,
                                            representation_health,
                                            token_cosine)
from motionmae_mm.evaluation.token_statistics import effective_rank

from ..conftest import build_tiny_vit
from ..tool_process import run_tool


def test_token_cosine_of_known_sets():
    same = torch.tensor([[1., 2.]]).repeat(5, 1)
    assert token_cosine(same) == pytest.approx(1.)
    assert token_cosine(torch.eye(4)) == pytest.approx(0.)
    opposite = torch.tensor([[1., 0.], [-1., 0.]])
    assert token_cosine(opposite) == pytest.approx(-1.)


def test_effective_rank_counts_used_directions():
    gen = torch.Generator().manual_seed(0)
    line = torch.randn(200, 1, generator=gen) * torch.tensor([[1., 2., 3.]])
    assert effective_rank(line) == pytest.approx(1., abs=1e-6)
    # four equal orthogonal directions: exactly 4
    square = torch.cat([torch.eye(4), -torch.eye(4)])
    assert effective_rank(square) == pytest.approx(4., abs=1e-6)


def test_attention_entropy_uniform_and_peaked():
    vit = build_tiny_vit()
    attn = vit.blocks[0].attn
    x = torch.randn(2, 10, vit.embed_dims)
    with torch.no_grad():
        attn.qkv.weight.zero_()  # zero logits: uniform rows
        attn.q_bias.zero_()
    assert attention_entropy(attn, x) == pytest.approx(math.log(10))
    with torch.no_grad():  # keys = queries, large: each row peaks on itself
        eye = torch.eye(vit.embed_dims) * 100
        attn.qkv.weight.copy_(torch.cat([eye, eye, eye]))
    half = torch.eye(10, vit.embed_dims // 2)  # one-hot in both heads
    assert attention_entropy(attn, torch.cat([half, half], 1)[None]) < 1e-3


def test_health_tells_a_collapsed_encoder_from_a_random_one():
    torch.manual_seed(0)
    clips = torch.randn(6, 3, 4, 32, 32)
    vit = build_tiny_vit()
    healthy = representation_health(vit, clips)
    assert vit.training  # restored
    assert set(healthy) == {
        'token_cosine', 'token_rank', 'clip_rank', 'clip_share',
        'attn_entropy/0', 'attn_entropy/1'
    }
    with torch.no_grad():  # the last norm outputs its bias only
        vit.norm.weight.zero_()
        vit.norm.bias.normal_()
    collapsed = representation_health(vit, clips)
    assert collapsed['token_cosine'] == pytest.approx(1.)
    assert collapsed['token_rank'] < 1.01 < healthy['token_rank']
    assert healthy['token_cosine'] < 0.9
    assert collapsed['attn_entropy/0'] == healthy['attn_entropy/0']


def test_qk_norm_is_off_by_default_and_bounds_the_logits():
    plain = build_tiny_vit()
    normed = build_tiny_vit(qk_norm=True)
    extra = set(normed.state_dict()) - set(plain.state_dict())
    assert extra == {
        f'blocks.{i}.attn.{n}_norm.{p}'
        for i in range(2) for n in 'qk' for p in ('weight', 'bias')
    }
    shared = {k: v for k, v in normed.state_dict().items() if k not in extra}
    plain.load_state_dict(shared)
    x = torch.randn(2, 3, 4, 32, 32)
    # norms at their init are the identity up to centring/scaling only
    with torch.no_grad():
        for block in plain.blocks:  # huge queries and keys
            block.attn.qkv.weight.mul_(50)
        for block in normed.blocks:
            block.attn.qkv.weight.mul_(50)
    mask = torch.zeros(2, 32, dtype=torch.bool)
    peaked = representation_health(plain, x)['attn_entropy/0']
    bounded = representation_health(normed, x)['attn_entropy/0']
    assert peaked < 0.5 < bounded
    assert normed(x, mask).shape == (2, 32, plain.embed_dims)
    cfg = dict(type='MotionMAEVisionTransformer', qk_norm=True)
    assert MODELS.get(cfg['type']) is type(normed)


def test_health_table_has_a_column_per_encoder():
    torch.manual_seed(0)
    clips = torch.randn(4, 3, 4, 32, 32)
    a, b = build_tiny_vit(0), build_tiny_vit(1)
    table = health_table({'random init': a, 'checkpoint': b}, clips)
    lines = table.splitlines()
    assert lines[0].split() == ['random', 'init', 'checkpoint']
    row = dict(
        (line.split()[0], [float(v) for v in line.split()[1:]])
        for line in lines[1:])
    assert row['token_cosine'] == pytest.approx([
        representation_health(a, clips)['token_cosine'],
        representation_health(b, clips)['token_cosine']
    ], abs=1e-3)
    assert len(row) == 6  # four figures and two blocks' entropies


def test_health_tool_missing_checkpoint_is_one_line():
    out = run_tool('tools/analysis/health.py',
                   'configs/digits/motionmae_vit-tiny_digits.py', 'nope.pth')
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and 'nope.pth' in last, last
