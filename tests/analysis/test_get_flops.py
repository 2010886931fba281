# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmaction.models.backbones.vit_mae import Attention
from torch import nn

from motionmae_mm.models import SDPAAttention
from motionmae_mm import analysis
from .conftest import load_tool, parse_line

get_flops = load_tool('get_flops')

TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1'
]


def test_linear_matches_hand_count():
    layer = nn.Linear(4, 8)
    x = torch.randn(3, 4)
    total, _ = analysis.count_flops(lambda: layer(x))
    assert total == 2 * 3 * 4 * 8  # 2 FLOPs per multiply-add
    total, _ = analysis.count_flops(lambda: layer(x).sum().backward())
    assert total == 2 * (2 * 3 * 4 * 8)  # + weight grad (x needs none)
    x.requires_grad_()
    total, _ = analysis.count_flops(lambda: layer(x).sum().backward())
    assert total == 3 * (2 * 3 * 4 * 8)  # + input grad


def test_sdpa_counts_as_manual_attention():
    torch.manual_seed(0)
    manual = Attention(32, num_heads=4)
    fused = Attention(32, num_heads=4)
    fused.load_state_dict(manual.state_dict())
    fused.__class__ = SDPAAttention
    x = torch.randn(2, 50, 32, requires_grad=True)
    counts = [
        analysis.count_flops(lambda m=m: m(x).sum().backward())[0]
        for m in (manual, fused)
    ]
    assert counts[0] == counts[1] > 0
    # forward alone: qkv + proj + QK^T + AV
    count = analysis.count_flops(lambda: fused(x))[0]
    assert count == 2 * 2 * 50 * 32 * (3 * 32 + 32) + 2 * 2 * 2 * 50 * 50 * 32


def test_sdpa_formula_is_registered_for_this_device():
    q = torch.randn(1, 2, 16, 8, requires_grad=True)
    total, _ = analysis.count_flops(
        lambda: F.scaled_dot_product_attention(q, q, q).sum().backward())
    assert total == 3 * (2 * 2 * 2 * 16 * 16 * 8)


def test_per_part_counts_add_up():
    model, _ = analysis.build_model('configs/demo/motionmae_vit-tiny_demo.py',
                                     TINY)
    x = torch.randn(2, 1, *analysis.clip_shape(model))
    total, parts = analysis.count_flops(lambda: model(x, mode='loss'), model)
    assert all(parts[name] > 0 for name in analysis.PARTS)
    assert sum(parts.values()) == total
    params = analysis.count_params(model)
    assert params[''] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize('extra', [[], ['--backward', '--json']])
def test_cli_prints_one_parseable_line(extra, monkeypatch, capsys):
    import json
    import sys
    monkeypatch.setattr(sys, 'argv', [
        'get_flops.py', 'configs/demo/motionmae_vit-tiny_demo.py', *extra,
        '--cfg-options', *TINY
    ])
    get_flops.main()
    out = capsys.readouterr().out.strip().splitlines()[-1]
    res = json.loads(out) if extra else parse_line(out, 'get_flops')
    assert float(res['gflops']) > 0 and int(res['params']) > 0
