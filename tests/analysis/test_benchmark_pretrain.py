# Copyright (c) OpenMMLab. All rights reserved.
"""The benchmark runs and prints parseable, positive figures (no timing
asserts)."""
import json
import os
from pathlib import Path

import pytest

from .conftest import load_tool, parse_line

bench = load_tool('benchmark_pretrain')

DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'
TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1'
]
FAST = ['--steps', '1', '--warmup', '0', '--gemm-size', '64']


def test_line_with_appearance_only(capsys):
    bench.main(
        [DEMO, *FAST, '--compare-appearance-only', '--cfg-options', *TINY])
    res = parse_line(capsys.readouterr().out.strip(), 'benchmark_pretrain')
    for key in ('step_s', 'clips_per_s', 'tokens_per_s', 'gflops_per_step',
                'gflops_per_s', 'peak_gflops_per_s', 'peak_ratio',
                'peak_mem_mb', 'appearance_only_step_s',
                'ratio_vs_appearance_only'):
        assert float(res[key]) > 0, key
    # the motion head costs FLOPs
    assert float(res['gflops_per_step']) > float(
        res['appearance_only_gflops_per_step'])
    assert int(res['threads']) >= 1 and res['device'] == 'cpu'


def test_json(capsys):
    bench.main(
        [DEMO, *FAST, '--batch-size', '1', '--json', '--cfg-options', *TINY])
    res = json.loads(capsys.readouterr().out.strip())
    assert res['batch_size'] == 1 and res['gflops_per_step'] > 0


def test_timm_shim_provides_what_videomae_imports(monkeypatch):
    import sys
    import importlib.util
    if importlib.util.find_spec('timm') is not None:
        pytest.skip('timm is installed')
    for name in list(sys.modules):
        if name == 'timm' or name.startswith('timm.'):
            monkeypatch.delitem(sys.modules, name)
    bench._timm_shim()
    from timm.models.layers import drop_path, to_2tuple, trunc_normal_
    from timm.models.registry import register_model
    import torch
    assert to_2tuple(3) == (3, 3)
    assert register_model(len) is len
    x = torch.ones(4, 2)
    assert torch.equal(drop_path(x, 0.5, training=False), x)
    trunc_normal_(x, std=.02)
    for name in list(sys.modules):
        if name == 'timm' or name.startswith('timm.'):
            del sys.modules[name]


def _videomae_root() -> Path:
    root = Path(os.environ.get('MOTIONMAE_VIDEOMAE_ROOT', '/tmp/videomae_ref'))
    if not (root / 'modeling_pretrain.py').is_file():
        pytest.skip(f'no VideoMAE checkout at {root} (set '
                    'MOTIONMAE_VIDEOMAE_ROOT)')
    return root


def test_videomae_comparison(capsys):
    root = _videomae_root()
    bench.main([
        DEMO, *FAST, '--videomae-root',
        str(root), '--cfg-options', *TINY, 'model.backbone.num_frames=16',
        'model.backbone.img_size=32'
    ])
    res = parse_line(capsys.readouterr().out.strip(), 'benchmark_pretrain')
    assert float(res['videomae_step_s']) > 0
    assert float(res['ratio_vs_videomae']) > 0
    assert float(res['videomae_gflops_per_step']) > 0
