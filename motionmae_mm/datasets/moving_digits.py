# Copyright (c) OpenMMLab. All rights reserved.
"""Moving handwritten digits: labels that need appearance bound to motion.

A clip shows one to three of scikit-learn's bundled handwritten digits
(no download) over a dark or weakly textured static background. One digit,
the *mover*, travels in one of :data:`DIRECTIONS` at one of ``speeds``
pixels per frame; the others (distractors, always other digit classes)
stand still. Every digit wraps around the frame edges (the frame is a
torus), so where the mover is in any single frame is uniform whatever its
direction or speed. Labels, per :data:`TASKS`:

* ``identity``: the class (0-9) of the moving digit. With distractors one
  frame shows which digits are present but not which one moves: the label
  needs what a digit looks like *and* that it moves.
* ``direction``: the mover's direction (8 classes).
* ``speed``: the index of the mover's speed in ``speeds``.

The digit images are split once and for all: ``'train'`` (four in five,
for pretraining and the labelled clips of a probe) and ``'heldout'`` (every
fifth image, for test clips), so a probe is scored on digits it never saw.

Everything is a pure function of the seed: the same seed gives the same
bytes.
"""
from functools import lru_cache
from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .textures import digit_images

#: Unit steps of the mover, in label order: E, NE, N, NW, W, SW, S, SE.
DIRECTIONS: Tuple[Tuple[int, int], ...] = ((0, 1), (-1, 1), (-1, 0), (-1, -1),
                                           (0, -1), (1, -1), (1, 0), (1, 1))
#: Labels a clip carries, each a task for a probe.
TASKS: Tuple[str, ...] = ('identity', 'direction', 'speed')
#: Digit image splits.
SPLITS: Tuple[str, ...] = ('train', 'heldout')
#: Static backgrounds.
BACKGROUNDS: Tuple[str, ...] = ('dark', 'textured')
NUM_IDENTITIES = 10

SeedLike = Union[int, Sequence[int], np.random.SeedSequence]


def num_classes(task: str, speeds: Sequence[int] = (1, 2)) -> int:
    """Number of classes of ``task``."""
    if task not in TASKS:
        raise ValueError(f'unknown moving-digits task {task!r}; choose '
                         f'from {TASKS}')
    return dict(
        identity=NUM_IDENTITIES, direction=len(DIRECTIONS),
        speed=len(speeds))[task]


@lru_cache(maxsize=8)
def digit_bank(split: str, size: int) -> Tuple[np.ndarray, np.ndarray]:
    """Digit images of one split at ``size`` pixels, and their classes.

    Returns:
        tuple: float32 images (N, size, size) in [0, 1] and int labels (N,).
    """
    if split not in SPLITS:
        raise ValueError(f'unknown digit split {split!r}; choose from '
                         f'{SPLITS}')
    from sklearn.datasets import load_digits
    labels = load_digits().target
    images = digit_images()
    keep = (np.arange(len(images)) % 5 == 4) == (split == 'heldout')
    resized = np.stack([
        cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
        for img in images[keep]
    ])
    return np.clip(resized, 0, 1).astype(np.float32), labels[keep]


def _background(rng: np.random.Generator, size: int, style: str) -> np.ndarray:
    """A static background (size, size) in [0, 0.25]."""
    if style == 'dark':
        return np.zeros((size, size), np.float32)
    if style != 'textured':
        raise ValueError(f'unknown background {style!r}; choose from '
                         f'{BACKGROUNDS}')
    cells = rng.uniform(0, 0.25, (4, 4)).astype(np.float32)
    return cv2.resize(
        cells, (size, size), interpolation=cv2.INTER_CUBIC).clip(0, 0.25)


def _pick_digit(rng: np.random.Generator, bank: Tuple[np.ndarray, np.ndarray],
                identity: int) -> np.ndarray:
    """A random image of class ``identity`` from ``bank``."""
    images, labels = bank
    choices = np.flatnonzero(labels == identity)
    return images[choices[rng.integers(len(choices))]]


def _check_sizes(num_digits: Tuple[int, int], digit_size: int,
                 size: int) -> None:
    """Refuse a digit count or size that cannot be drawn."""
    low, high = num_digits
    if not 1 <= low <= high <= NUM_IDENTITIES:
        raise ValueError(f'num_digits={num_digits} must satisfy '
                         f'1 <= low <= high <= {NUM_IDENTITIES}')
    if digit_size > size:
        raise ValueError(f'digit_size={digit_size} exceeds size={size}')


def _draw_labels(
        rng: np.random.Generator, num_digits: Tuple[int, int], num_speeds: int,
        identity: Optional[int], direction: Optional[int],
        speed: Optional[int]) -> Tuple[int, int, np.ndarray, int, int]:
    """(count, mover, distractor classes, direction, speed index).

    Draws in a fixed order (the clip's bytes depend on it); a fixed label
    is taken as given and draws nothing.
    """
    low, high = num_digits
    count = int(rng.integers(low, high + 1))
    mover = int(rng.integers(NUM_IDENTITIES)) if identity is None \
        else int(identity)
    others = rng.permutation([c for c in range(NUM_IDENTITIES)
                              if c != mover])[:count - 1]
    heading = int(rng.integers(len(DIRECTIONS))) if direction is None \
        else int(direction)
    pace = int(rng.integers(num_speeds)) if speed is None else int(speed)
    return count, mover, others, heading, pace


def _place_digits(rng: np.random.Generator,
                  bank: Tuple[np.ndarray, np.ndarray], classes: Sequence[int],
                  size: int, digit_size: int) -> Tuple[np.ndarray, np.ndarray]:
    """One canvas per digit (mover first), each image at the top-left
    corner with a random brightness, and each digit's start (row, col)."""
    canvas = np.zeros((len(classes), size, size), np.float32)
    starts = rng.integers(0, size, (len(classes), 2))
    for i, cls in enumerate(classes):
        brightness = rng.uniform(0.7, 1.0)
        canvas[i, :digit_size, :digit_size] = brightness * _pick_digit(
            rng, bank, int(cls))
    return canvas, starts


def _animate(base: np.ndarray, canvas: np.ndarray, starts: np.ndarray,
             step: np.ndarray, num_frames: int) -> np.ndarray:
    """Frames (T, size, size) in [0, 1]: the digits over ``base``, the
    first moving by ``step`` per frame, all wrapping around the edges."""
    size = base.shape[0]
    frames = np.empty((num_frames, size, size), np.float32)
    for t in range(num_frames):
        frame = base.copy()
        for i in range(len(canvas)):
            shift = starts[i] + (step * t if i == 0 else 0)
            frame = np.maximum(
                frame, np.roll(canvas[i], tuple(shift % size), axis=(0, 1)))
        frames[t] = frame
    return frames


def render_moving_digits(
        seed: SeedLike,
        size: int = 32,
        num_frames: int = 8,
        digit_size: int = 16,
        num_digits: Tuple[int, int] = (2, 3),
        speeds: Sequence[int] = (1, 2),
        background: str = 'dark',
        split: str = 'train',
        identity: Optional[int] = None,
        direction: Optional[int] = None,
        speed: Optional[int] = None) -> Tuple[np.ndarray, Dict[str, int]]:
    """Render one clip and its labels.

    Args:
        seed: Drives every choice (numpy ``SeedSequence`` entropy).
        size: Frame side in pixels.
        num_frames: Frames per clip.
        digit_size: Digit side in pixels (the 8x8 images, resized).
        num_digits: Inclusive range of digits per clip (mover included).
        speeds: Mover speeds in pixels per frame; the ``speed`` label is
            the index.
        background: One of :data:`BACKGROUNDS`.
        split: Digit images to draw from, one of :data:`SPLITS`.
        identity, direction, speed: Fix a label instead of drawing it
            (class-balanced probe sets).

    Returns:
        tuple: uint8 frames (num_frames, size, size, 3) and the labels
        (``identity``, ``direction``, ``speed``, ``num_digits``).
    """
    _check_sizes(num_digits, digit_size, size)
    rng = np.random.default_rng(seed)
    count, mover, others, heading, pace = _draw_labels(rng, num_digits,
                                                       len(speeds), identity,
                                                       direction, speed)
    canvas, starts = _place_digits(rng, digit_bank(split, digit_size),
                                   [mover, *others], size, digit_size)
    base = _background(rng, size, background)
    step = np.array(DIRECTIONS[heading]) * speeds[pace]
    frames = _animate(base, canvas, starts, step, num_frames)
    clip = np.repeat((frames * 255 + 0.5).astype(np.uint8)[..., None], 3, -1)
    labels = dict(
        identity=mover, direction=heading, speed=pace, num_digits=count)
    return clip, labels
