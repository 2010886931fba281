# Copyright (c) OpenMMLab. All rights reserved.
"""check_dataset on real clips, a truncated copy and a fake video."""
import subprocess
from pathlib import Path

import pytest

from ..tool_process import load_tool, run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'check_dataset.py'
# Short real clips (frames): keep decoding in the tests fast.
SHORT = 'mmaction2_demo_demo_spatiotemporal_det.mp4'  # 57
WEBM = 'mmaction2_demo_3s_vp9.webm'  # 84
AVI = 'mmaction2_tests_data_test.avi'  # 164


def _run(*args) -> subprocess.CompletedProcess:
    return run_tool(TOOL, *args)


@pytest.fixture
def bad_tree(tmp_path, shared_videos):
    """An annotation list mixing good, short, truncated, fake and missing."""
    data = (shared_videos / SHORT).read_bytes()
    (tmp_path / 'trunc.mp4').write_bytes(data[:int(len(data) * 0.3)])
    (tmp_path / 'text.mp4').write_text('this is not a video\n')
    lines = [
        f'{shared_videos / SHORT} 0',  # 57 frames: too short for 60
        f'{shared_videos / WEBM} 1',
        f'{shared_videos / AVI} 2',
        'trunc.mp4 3',
        '',
        'text.mp4 4',
        'missing.mp4 5',
    ]
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(lines) + '\n')
    return ann, lines


def test_check_video(shared_videos, tmp_path):
    tool = load_tool(TOOL)
    assert tool.check_video(str(shared_videos / WEBM)) == ('ok', 84, '')
    assert tool.check_video(str(shared_videos / SHORT),
                            60)[:2] == ('too_short', 57)
    assert tool.check_video(str(tmp_path / 'nope.mp4'))[0] == 'missing'
    # a truncated WebM opens but holds fewer frames: --min-frames catches it
    data = (shared_videos / WEBM).read_bytes()
    (tmp_path / 'cut.webm').write_bytes(data[:len(data) // 3])
    status, num, _ = tool.check_video(
        str(tmp_path / 'cut.webm'), 32, full=True)
    assert status == 'too_short' and 0 < num < 32
    assert tool.default_out('a/b.txt') == 'a/b.clean.txt'


def test_cli_reports_and_cleans(bad_tree, shared_videos):
    ann, lines = bad_tree
    proc = _run(ann, '--data-prefix', ann.parent, '--min-frames', 60,
                '--workers', 2)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert ('checked 6: ok 2, missing 1, undecodable 2, too short 1 '
            '(min 60 frames)') in out
    assert 'missing: missing.mp4' in out
    assert 'undecodable: trunc.mp4' in out
    assert 'undecodable: text.mp4' in out
    assert f'too_short: {shared_videos / SHORT} (57 frames < 60)' in out
    clean = ann.parent / 'ann.clean.txt'
    assert f'cleaned list (2 entries): {clean}' in out
    assert clean.read_text().splitlines() == [lines[1], lines[2]]

    # the cleaned list is clean; --out and one worker (no pool)
    again = ann.parent / 'again.txt'
    proc = _run(clean, '--data-prefix', ann.parent, '--min-frames', 60,
                '--workers', 1, '--out', again, '--no-progress')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'checked 2: ok 2, missing 0, undecodable 0, too short 0' in \
        proc.stdout
    assert again.read_text() == clean.read_text()


def test_cli_errors(tmp_path):
    proc = _run(tmp_path / 'none.txt')
    assert proc.returncode == 2
    assert 'annotation file not found' in proc.stderr
    assert 'none.txt' in proc.stderr
    (tmp_path / 'empty.txt').write_text('\n')
    proc = _run(tmp_path / 'empty.txt')
    assert proc.returncode == 1 and 'lists no videos' in proc.stderr
    proc = _run(tmp_path / 'empty.txt', '--data-prefix', tmp_path / 'nope')
    assert proc.returncode == 2
    assert '--data-prefix folder not found' in proc.stderr
