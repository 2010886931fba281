# Copyright (c) OpenMMLab. All rights reserved.
"""tools/analysis/plot_curves.py on synthetic mmengine scalars logs."""
import json
from pathlib import Path

import pytest

from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = 'tools/analysis/plot_curves.py'


def write_run(work_dir: Path, stamp: str, steps, bad_tail=False) -> Path:
    """A run folder like mmengine's, with train lines and one val line."""
    vis = work_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    lines = [
        json.dumps(
            dict(
                lr=1e-3,
                loss=3. / s,
                loss_appearance=2. / s,
                loss_motion=1. / s,
                iter=s,
                step=s)) for s in steps
    ]
    lines.append(json.dumps({'acc/top1': 0.5, 'step': 1}))  # a val line
    text = '\n'.join(lines) + '\n'
    (vis / f'{stamp}.json').write_text(text + ('{"loss": 1' * bad_tail))
    (vis / 'scalars.json').write_text(text)  # mmengine's duplicate
    return vis / f'{stamp}.json'


def run(*args):
    return run_tool(TOOL, *args, timeout=120)


def test_work_dir_with_a_resumed_run(tmp_path):
    pytest.importorskip('matplotlib')
    write_run(tmp_path, '20240101_000000', range(1, 11), bad_tail=True)
    write_run(tmp_path, '20240102_000000', range(9, 21))  # resumed at 8
    out = tmp_path / 'plots' / 'curves.png'
    proc = run(tmp_path, '--out', out, '--smooth', '3')
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == f'curves: {out}'
    # 20 iterations, not 22 (overlap) nor 40 (scalars.json counted twice)
    assert ('loss_appearance: 20 points, iter 1-20, first 2.0000, '
            'last 0.1000') in lines
    assert any(line.startswith('loss_motion: 20 points') for line in lines)
    assert 'is not JSON' in proc.stderr  # the truncated last line
    from PIL import Image
    assert Image.open(out).size == (800, 450)


def test_single_json_and_missing_keys(tmp_path):
    pytest.importorskip('matplotlib')
    log = write_run(tmp_path, '20240101_000000', range(1, 6))
    out = tmp_path / 'c.png'
    proc = run(log, '--keys', 'loss', 'loss_nope', '--out', out, '--logy')
    assert proc.returncode == 0, proc.stderr
    assert 'loss_nope is not in' in proc.stderr
    assert out.is_file()
    proc = run(log, '--keys', 'loss_nope', '--out', out)
    assert proc.returncode != 0
    assert 'logged keys' in proc.stderr and 'loss_motion' in proc.stderr


def test_empty_work_dir(tmp_path):
    proc = run(tmp_path, '--out', tmp_path / 'c.png')
    assert proc.returncode != 0 and 'no mmengine scalars log' in proc.stderr


def test_floor_lines(tmp_path):
    """Reference lines are drawn (the picture changes) and bad ones are one
    error line."""
    pytest.importorskip('matplotlib')
    import numpy as np
    from PIL import Image
    write_run(tmp_path, '20240101_000000', range(1, 11))
    plain, floored = tmp_path / 'a.png', tmp_path / 'b.png'
    assert run(tmp_path, '--out', plain).returncode == 0
    proc = run(tmp_path, '--out', floored, '--floor',
               'appearance floor=0.9922', 'x=0.5')
    assert proc.returncode == 0, proc.stderr
    assert not np.array_equal(
        np.asarray(Image.open(plain)), np.asarray(Image.open(floored)))
    bad = run(tmp_path, '--out', floored, '--floor', 'floor')
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith(
        "error: --floor 'floor': expected NAME=VALUE")
