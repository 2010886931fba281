# Copyright (c) OpenMMLab. All rights reserved.
"""Synthetic motion clips: deterministic, really moving, readable by
mmaction2."""
import numpy as np
import pytest

from motionmae_mm.datasets.synthetic_motion import (MOTION_PATTERNS,
                                                    pattern_to_label,
                                                    render_clip)


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


def _probe_accuracy(features: np.ndarray, labels: np.ndarray) -> float:
    """Held-out accuracy of a logistic regression; the rows come seed by
    seed, one per class, and every 4th seed is held out."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    test = np.arange(len(labels)) // len(MOTION_PATTERNS) % 4 == 0
    scaler = StandardScaler().fit(features[~test])
    clf = LogisticRegression(max_iter=2000).fit(
        scaler.transform(features[~test]), labels[~test])
    return clf.score(scaler.transform(features[test]), labels[test])


def test_class_is_not_readable_from_one_frame():
    """A classifier on one frame's object pose (position, size, marker
    direction) stays near chance; the same features of two frames (their
    change) give the class away. This is what makes the clips a motion
    task: appearance alone cannot tell the class."""
    rng = np.random.default_rng(0)
    one, two, labels = [], [], []
    for seed in range(40):
        for label, p in enumerate(MOTION_PATTERNS):
            _, info = render_clip(
                p, (7, seed), num_frames=8, size=48, return_info=True)
            pose = np.concatenate([
                info['center'] / 48., info['scale'][:, None] / 48.,
                np.stack([np.cos(np.deg2rad(info['angle'])),
                          np.sin(np.deg2rad(info['angle']))], 1)
            ], 1)  # (T, 5)
            t = int(rng.integers(8))
            one.append(pose[t])
            two.append(np.concatenate([pose[0], pose[-1] - pose[0]]))
            labels.append(label)
    labels = np.array(labels)
    chance = 1. / len(MOTION_PATTERNS)
    assert _probe_accuracy(np.array(one), labels) < chance + 0.15
    assert _probe_accuracy(np.array(two), labels) > 0.8


def test_one_frame_pixels_give_no_hint():
    """The same holds for the pixels themselves: a linear classifier on a
    single downsampled frame is near chance."""
    frames, labels = [], []
    for seed in range(30):
        for label, p in enumerate(MOTION_PATTERNS):
            clip = render_clip(p, (8, seed), num_frames=4, size=32)
            frames.append(clip[seed % 4, ::2, ::2].reshape(-1) / 255.)
            labels.append(label)
    assert _probe_accuracy(np.array(frames),
                           np.array(labels)) < 1. / len(MOTION_PATTERNS) + 0.15


def test_textured_background_repeats_at_the_patch_period():
    """In the textured style every background patch of the model's grid
    holds the same tile, so each has the same per-patch normalised target:
    the appearance a tiny MAE can learn to predict in minutes."""
    import cv2
    import torch

    from motionmae_mm.models.targets import patch_norm, select_patches
    frames, info = render_clip('static', 3, num_frames=2, size=96,
                               return_info=True)
    period = 96 // 8
    # away from the object and its anti-aliased rim
    back = cv2.dilate(info['mask'][0].astype(np.uint8), np.ones((5, 5))) == 0
    shifted = back[:, period:] & back[:, :-period]
    f = frames[0].astype(int)
    np.testing.assert_array_equal(f[:, period:][shifted],
                                  f[:, :-period][shifted])
    # resized to the demo's 64-px input, background patches are one target
    small = np.stack([
        cv2.resize(x, (64, 64), interpolation=cv2.INTER_AREA) for x in frames
    ])
    clip = torch.from_numpy(small).permute(3, 0, 1, 2)[None].float() / 255.
    tokens = patch_norm(
        select_patches(clip, torch.ones(1, 64, dtype=torch.bool), 2, 8), 3)
    object_free = torch.from_numpy((cv2.resize(
        (~back).astype(np.float32), (8, 8),
        interpolation=cv2.INTER_AREA) == 0).reshape(-1))
    assert object_free.sum() > 32
    ref = tokens[0, object_free][0]
    err = (tokens[0, object_free] - ref).pow(2).mean(-1)
    assert err.max() < 1e-3
    # the smooth style has no such repetition
    smooth = render_clip('static', 3, num_frames=2, size=96, style='smooth')
    assert not (smooth[0, :, period:] == smooth[0, :, :-period]).all()


def test_styles():
    a = render_clip('right', 3, num_frames=4, size=32, style='smooth')
    b = render_clip('right', 3, num_frames=4, size=32)
    assert a.shape == b.shape and a.tobytes() != b.tobytes()
    assert a.tobytes() == render_clip(
        'right', 3, num_frames=4, size=32, style='smooth').tobytes()
    with pytest.raises(ValueError, match='unknown style'):
        render_clip('right', 3, style='fancy')
