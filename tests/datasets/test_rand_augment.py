# Copyright (c) OpenMMLab. All rights reserved.
"""Frame-consistent RandAugment: every frame gets the same op/magnitude."""
import random

import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

from motionmae_mm.datasets.transforms.rand_augment import (OPS,
                                                           MotionMAERandAugment
                                                           )


def _clip(frames: int = 4, same: bool = True) -> np.ndarray:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    if same:
        return np.stack([frame] * frames)
    return rng.integers(0, 256, (frames, 24, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('level', [-1., 0.35, 1.])
def test_each_op_keeps_shape_dtype_and_frame_consistency(name, level):
    clip = _clip()
    out = MotionMAERandAugment.apply(clip.copy(), [(name, level)])
    assert out.shape == clip.shape and out.dtype == np.uint8
    for frame in out[1:]:  # identical frames stay identical
        np.testing.assert_array_equal(frame, out[0])


def test_ops_change_the_clip():
    clip = _clip(same=False) // 2 + 40  # not full range: auto-contrast acts
    changed = {
        name
        for name in OPS if not np.array_equal(
            MotionMAERandAugment.apply(clip, [(name, 0.7)]), clip)
    }
    assert changed == set(OPS)


def test_transform_is_registered_and_draws_once_per_clip():
    aug = TRANSFORMS.build(
        dict(type='MotionMAERandAugment', magnitude=7, num_layers=4))
    random.seed(3)
    clip = _clip(frames=6)
    for _ in range(10):
        out = aug(dict(imgs=list(clip)))['imgs']
        assert isinstance(out, list) and len(out) == 6
        for frame in out[1:]:
            np.testing.assert_array_equal(frame, out[0])


def test_draw_follows_magnitude_and_probability():
    random.seed(0)
    aug = MotionMAERandAugment(magnitude=7, num_layers=4, magnitude_std=0.5)
    draws = [aug.draw() for _ in range(2000)]
    counts = [len(d) for d in draws]
    assert abs(np.mean(counts) - 2.) < 0.1  # 4 ops x p=0.5
    levels = np.array([abs(level) for d in draws for _, level in d])
    assert abs(levels.mean() - 0.7) < 0.01 and levels.max() <= 1.
    fixed = MotionMAERandAugment(magnitude=5, magnitude_std=0., prob=1.)
    assert all(abs(level) == 0.5 for _, level in fixed.draw())


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match='unknown'):
        MotionMAERandAugment(ops=['Blur'])
    with pytest.raises(ValueError, match='magnitude'):
        MotionMAERandAugment(magnitude=12)
    aug = MotionMAERandAugment()
    with pytest.raises(ValueError, match='before FormatShape'):
        aug(dict(imgs=np.zeros((3, 4, 8, 8), np.float32)))
