# Copyright (c) OpenMMLab. All rights reserved.
"""Moving digits: deterministic, balanced, and the labels need motion."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from motionmae_mm.datasets import MovingDigitsDataset
from motionmae_mm.datasets.moving_digits import (DIRECTIONS, digit_bank,
                                                 render_moving_digits)
from motionmae_mm.evaluation.few_label import digit_set


def test_same_seed_same_bytes_and_labels():
    a, la = render_moving_digits([3, 1], background='textured')
    b, lb = render_moving_digits([3, 1], background='textured')
    c, _ = render_moving_digits([3, 2], background='textured')
    assert a.dtype == np.uint8 and a.shape == (8, 32, 32, 3)
    assert np.array_equal(a, b) and la == lb
    assert not np.array_equal(a, c)


def test_mover_moves_by_its_speed_and_direction_others_stay():
    frames, labels = render_moving_digits(
        0, num_digits=(1, 1), direction=1, speed=1)  # NE at 2 px/frame
    dy, dx = np.array(DIRECTIONS[1]) * 2
    first = frames[0, ..., 0]
    for t in range(1, 8):
        assert np.array_equal(
            frames[t, ..., 0], np.roll(first, (dy * t, dx * t), (0, 1)))
    still, _ = render_moving_digits(0, num_digits=(3, 3), speeds=(0, ))
    assert (still == still[:1]).all()


def test_distractors_are_other_classes_and_splits_disjoint():
    for seed in range(20):
        _, labels = render_moving_digits(seed, num_digits=(3, 3))
        assert labels['num_digits'] == 3
    train, _ = digit_bank('train', 8)
    held, _ = digit_bank('heldout', 8)
    assert len(train) + len(held) == 1797 and len(held) == 359
    flat = {img.tobytes() for img in train}
    assert sum(img.tobytes() in flat for img in held) < 5  # duplicates only


@pytest.mark.parametrize('task,classes', [('identity', 10), ('direction', 8),
                                          ('speed', 2)])
def test_sets_are_class_balanced_and_interleaved(task, classes):
    frames, labels = digit_set(task, 3, 'train', [0])
    assert len(frames) == 3 * classes
    assert labels.tolist() == list(range(classes)) * 3


def _fit_score(x, y, x_test, y_test):
    clf = LogisticRegression(max_iter=300, C=1.0).fit(x, y)
    return clf.score(x_test, y_test)


def _spectrum(images):
    """|FFT| of (N, H, W) images: blind to where (on the torus) things are,
    so a linear classifier reads shapes, not positions."""
    return np.abs(np.fft.fft2(images)).reshape(len(images), -1) / 255.


def _one_and_two_frames(task, per_class):
    """Accuracy from one frame's spectrum and from the spectrum of the
    difference of two frames (what moved)."""
    render = dict(num_digits=(3, 3), size=16, digit_size=8, num_frames=4)
    sets = [
        digit_set(task, n, 'train', [seed], render)
        for n, seed in ((per_class, 1), (20, 2))
    ]
    one = [_spectrum(f[:, 1, ..., 0].astype(float)) for f, _ in sets]
    two = [
        _spectrum(f[:, 1, ..., 0].astype(float) - f[:, 0, ..., 0])
        for f, _ in sets
    ]
    y, y_test = (labels.numpy() for _, labels in sets)
    return (_fit_score(one[0], y, one[1], y_test),
            _fit_score(two[0], y, two[1], y_test))


def test_moving_identity_needs_two_frames():
    """One frame shows three digits, not which one moves (<= 1/3 + margin);
    the difference of two frames shows the mover."""
    one, two = _one_and_two_frames('identity', 60)
    assert one < 1 / 3 + 0.1, one
    assert two > one + 0.15, (one, two)


def test_direction_needs_two_frames():
    """Positions wrap around: one frame says nothing of the direction."""
    one, two = _one_and_two_frames('direction', 60)
    assert one < 1 / 8 + 0.1, one
    assert two > one + 0.2, (one, two)


def test_dataset_fresh_epochs_and_fixed_pool():
    from motionmae_mm.datasets import SeededIndex
    fresh = MovingDigitsDataset(num_clips=4, size=16, digit_size=8,
                                num_frames=4)
    fixed = MovingDigitsDataset(num_clips=4, fresh=False, size=16,
                                digit_size=8, num_frames=4)
    a = fresh.get_data_info(SeededIndex(1, seed=11))
    b = fresh.get_data_info(SeededIndex(1, seed=12))  # another epoch
    c = fixed.get_data_info(SeededIndex(1, seed=12))
    d = fixed.get_data_info(1)
    assert not np.array_equal(a['imgs'], b['imgs'])
    assert np.array_equal(c['imgs'], d['imgs'])
    assert np.array_equal(
        fresh.get_data_info(SeededIndex(1, seed=11))['imgs'], a['imgs'])
    assert a['label'] == a['labels']['identity']
    with pytest.raises(ValueError, match='task'):
        MovingDigitsDataset(num_clips=1, task='colour')
