# Copyright (c) OpenMMLab. All rights reserved.
"""Token variance shares: exact on constructed tokens, and the tool."""
import json
from pathlib import Path

import pytest
import torch

from motionmae_mm.evaluation.token_statistics import token_statistics
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]


def test_shares_are_exact_for_position_plus_clip_tokens():
    gen = torch.Generator().manual_seed(0)
    pos = torch.randn(1, 6, 4, generator=gen)
    clip = torch.zeros(5, 1, 4)
    clip[:, 0, 0] = torch.arange(5.)  # clip means on one axis: rank 1
    pos, clip = pos - pos.mean(1, keepdim=True), clip - clip.mean(0)
    out = token_statistics(pos + clip)
    var_pos, var_clip = pos.pow(2).mean(1).sum(), clip.pow(2).mean(0).sum()
    assert out['position_share'] == pytest.approx(
        float(var_pos / (var_pos + var_clip)))
    assert out['clip_share'] == pytest.approx(
        float(var_clip / (var_pos + var_clip)))
    assert out['residual_share'] == pytest.approx(0, abs=1e-9)
    assert out['pooled_rank'] == pytest.approx(1.)


def test_independent_tokens_are_residual():
    gen = torch.Generator().manual_seed(1)
    tokens = torch.randn(400, 50, 8, generator=gen)
    out = token_statistics(tokens)
    assert out['residual_share'] > 0.95
    assert 7 < out['pooled_rank'] <= 8  # isotropic: close to all 8 axes
    with pytest.raises(ValueError, match='N >= 2'):
        token_statistics(tokens[:1])


def _tool(*args):
    return run_tool('tools/analysis/token_statistics.py', *args)


def test_tool_on_real_clips(demo_data):
    cfg = 'configs/benchmarks/motionmae_shared_vit-tiny.py'
    proc = _tool(cfg, demo_data / 'test.txt', '--json')
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().split('\n')[-1])
    assert out['videos'] == 8
    shares = [out[k] for k in ('position_share', 'clip_share',
                               'residual_share')]
    assert all(0 <= s <= 1 for s in shares)
    assert sum(shares) == pytest.approx(1.)
    # an initialised ViT keeps the layout: position is a large share
    assert out['position_share'] > 0.2
    missing = _tool(cfg, demo_data / 'nope.txt')
    assert missing.returncode == 1
    assert 'Traceback' not in missing.stderr
    assert missing.stderr.strip().splitlines()[-1] == \
        f"error: ANN_FILE: no such file: {demo_data / 'nope.txt'} " \
        '(--traceback for details)'
