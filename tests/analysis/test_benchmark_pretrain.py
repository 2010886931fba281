# Copyright (c) OpenMMLab. All rights reserved.
"""The pretraining-step benchmark: its figures are consistent with each
other and with independent counts (no timing asserts)."""
import json
import os
from pathlib import Path

import pytest
import torch

from motionmae_mm.analysis import PretrainStep, count_flops
from motionmae_mm.analysis.videomae_step import timm_shim
from .conftest import load_tool, parse_line

bench = load_tool('benchmark_pretrain')

DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'
TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1'
]
FAST = ['--steps', '1', '--warmup', '0', '--gemm-size', '64']


def test_figures_with_appearance_only(capsys):
    bench.main([
        DEMO, *FAST, '--compare-appearance-only', '--json', '--cfg-options',
        *TINY
    ])
    res = json.loads(capsys.readouterr().out.strip())
    f = {k: v for k, v in res.items() if isinstance(v, float)}
    # figures derive from each other as documented
    assert f['clips_per_s'] == pytest.approx(2 / f['step_s'], rel=1e-3)
    assert f['tokens_per_s'] == pytest.approx(
        f['clips_per_s'] * 4 * 8 * 8, rel=1e-3)  # 4 x 8 x 8 tokens
    assert f['gflops_per_s'] == pytest.approx(
        f['gflops_per_step'] / f['step_s'], rel=1e-3)
    assert f['peak_ratio'] == pytest.approx(
        f['gflops_per_s'] / f['peak_gflops_per_s'], rel=1e-3)
    assert f['ratio_vs_appearance_only'] == pytest.approx(
        f['step_s'] / f['appearance_only_step_s'], rel=1e-3)
    # the config's AMP wrapper: bf16 on this CPU, against the bf16 peak
    assert res['optim_wrapper'] == 'NonFiniteSkipAmpOptimWrapper'
    if res['precision'] == 'bf16':
        assert f['peak_gflops_per_s'] == f['peak_bf16_gflops_per_s']
    # FLOPs equal an independent count of the same step
    step = PretrainStep(DEMO, TINY, 2, torch.device('cpu'))
    assert f['gflops_per_step'] == pytest.approx(
        count_flops(step)[0] / 1e9, rel=1e-3)
    # the motion head costs FLOPs
    assert f['gflops_per_step'] > f['appearance_only_gflops_per_step']
    assert int(res['threads']) >= 1 and res['device'] == 'cpu'


def test_fp32_and_amp_flags_pick_the_twins(capsys):
    for flag, wrapper, precision in (
            ('--fp32', 'NonFiniteSkipOptimWrapper', 'fp32'),
            ('--amp', 'NonFiniteSkipAmpOptimWrapper', None)):
        bench.main([DEMO, *FAST, flag, '--json', '--cfg-options', *TINY])
        res = json.loads(capsys.readouterr().out.strip())
        assert res['optim_wrapper'] == wrapper
        if precision:
            assert res['precision'] == precision
            assert res['peak_gflops_per_s'] == res['peak_fp32_gflops_per_s']


def test_one_parseable_line(capsys):
    bench.main([DEMO, *FAST, '--batch-size', '1', '--cfg-options', *TINY])
    res = parse_line(capsys.readouterr().out.strip(), 'benchmark_pretrain')
    assert res['batch_size'] == '1' and res['device'] == 'cpu'
    assert res['optim_wrapper'] == 'NonFiniteSkipAmpOptimWrapper'


def test_timm_shim_provides_what_videomae_imports(monkeypatch):
    import sys
    import importlib.util
    if importlib.util.find_spec('timm') is not None:
        pytest.skip('timm is installed')
    for name in list(sys.modules):
        if name == 'timm' or name.startswith('timm.'):
            monkeypatch.delitem(sys.modules, name)
    timm_shim()
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
        str(root), '--json', '--cfg-options', *TINY,
        'model.backbone.num_frames=16', 'model.backbone.img_size=32'
    ])
    res = json.loads(capsys.readouterr().out.strip())
    assert res['ratio_vs_videomae'] == pytest.approx(
        res['step_s'] / res['videomae_step_s'], rel=1e-6)
    # VideoMAE runs fp32: its share is of the fp32 peak
    assert res['videomae_peak_ratio'] == pytest.approx(
        res['videomae_gflops_per_step'] / res['videomae_step_s'] /
        res['peak_fp32_gflops_per_s'], rel=1e-6)
