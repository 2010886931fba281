# Copyright (c) OpenMMLab. All rights reserved.
"""Decode-once frame cache, against mmaction2's own decord loading."""
import numpy as np
import pytest
from mmengine.dataset import Compose

from motionmae_mm.datasets.transforms import MotionMAECachedDecordInit


def _clip(shared_videos):
    videos = sorted(shared_videos.glob('*.mp4'))
    if not videos:
        pytest.skip(f'no .mp4 clips in {shared_videos}')
    return str(videos[0])


def _pipeline(init):
    return Compose([
        init,
        dict(type='SampleFrames', clip_len=4, frame_interval=3, num_clips=1),
        dict(type='DecordDecode'),
    ])


def test_same_frames_as_decord_and_served_from_memory(shared_videos,
                                                      monkeypatch):
    path = _clip(shared_videos)
    stock = _pipeline(dict(type='DecordInit'))
    cached_init = MotionMAECachedDecordInit()
    cached = _pipeline(cached_init)
    for seed in range(3):
        np.random.seed(seed)
        a = stock(dict(filename=path, start_index=0, modality='RGB'))
        np.random.seed(seed)
        b = cached(dict(filename=path, start_index=0, modality='RGB'))
        np.testing.assert_array_equal(a['frame_inds'], b['frame_inds'])
        np.testing.assert_array_equal(np.stack(a['imgs']),
                                      np.stack(b['imgs']))
        assert a['total_frames'] == b['total_frames']
        assert a['avg_fps'] == b['avg_fps']
    # the second and third draws did not decode again
    monkeypatch.setattr(cached_init, '_get_video_reader', None)
    cached(dict(filename=path, start_index=0, modality='RGB'))


def test_cache_budget_drops_least_recently_used(shared_videos):
    paths = sorted(str(p) for p in shared_videos.glob('*.mp4'))[:2]
    if len(paths) < 2:
        pytest.skip('needs two clips')
    init = MotionMAECachedDecordInit(max_cache_gb=1e-9)  # ~1 byte
    for path in paths:
        init(dict(filename=path))
    assert len(init._cache) == 1  # the newest stays, however large
    assert next(iter(init._cache)).endswith(paths[1].split('/')[-1])
    with pytest.raises(ValueError, match='max_cache_gb'):
        MotionMAECachedDecordInit(max_cache_gb=0)
