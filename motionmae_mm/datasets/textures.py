# Copyright (c) OpenMMLab. All rights reserved.
"""Textures for the synthetic motion clips, from scikit-learn's digits.

scikit-learn ships 1,797 handwritten digits of 8x8 pixels inside the package
(no download). They give the demo clips appearance that a tiny MAE can learn
to predict within minutes:

* :func:`tiled_background` repeats one digit with the period of the model's
  patch. Every background patch then has the same per-patch normalised
  target, so the target is predictable from any visible patch of the clip,
  and a tiny model learns it in a few hundred steps. A smooth random
  background (the older demo data) has a normalised target made of
  near-invisible grey-level ramps, which kept the loss at the
  predict-the-mean floor for every budget we tried.
* :func:`digit_texture` paints an object with a large digit, so that the
  moving object has structure to reconstruct and to follow across frames.
"""
from functools import lru_cache

import cv2
import numpy as np


@lru_cache(maxsize=1)
def digit_images() -> np.ndarray:
    """scikit-learn's handwritten digits, float32 (1797, 8, 8) in [0, 1]."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError('the textured demo clips need scikit-learn '
                          '(pip install scikit-learn)') from err
    return (load_digits().images / 16.).astype(np.float32)


def _two_colours(rng: np.random.Generator, contrast: float) -> tuple:
    """Two RGB colours in [30, 225] at least ``contrast`` apart in a
    channel, so that the texture survives per-patch normalisation."""
    first = rng.uniform(30, 225, 3).astype(np.float32)
    while True:
        second = rng.uniform(30, 225, 3).astype(np.float32)
        if np.abs(first - second).max() >= contrast:
            return first, second


def _digit(rng: np.random.Generator) -> np.ndarray:
    """A random digit, transposed half of the time (8, 8)."""
    images = digit_images()
    digit = images[int(rng.integers(len(images)))]
    return digit.T.copy() if rng.random() < 0.5 else digit


def tiled_background(rng: np.random.Generator, size: int,
                     period: int) -> np.ndarray:
    """One random digit tiled every ``period`` pixels in two colours.

    Args:
        rng: Drives the digit and the colours.
        size: Frame side in pixels.
        period: Tile side in pixels: the model's patch size at the input
            size it is fed (12 for 96-pixel clips resized to a 64-pixel
            input with patch 8), so that every patch sees the same tile.

    Returns:
        np.ndarray: float32 (size, size, 3) in [0, 255].
    """
    if period < 2:
        raise ValueError(f'tile period must be >= 2 pixels, got {period}')
    tile = cv2.resize(_digit(rng), (period, period),
                      interpolation=cv2.INTER_AREA)
    reps = size // period + 1
    weight = np.tile(tile, (reps, reps))[:size, :size, None]
    ink, paper = _two_colours(rng, contrast=80.)
    return ink * weight + paper * (1. - weight)


def digit_texture(rng: np.random.Generator, size: int,
                  colour: np.ndarray) -> np.ndarray:
    """A large digit over a ``size`` canvas: ``colour`` ink on its
    complement, float32 (size, size, 3) in [0, 255]."""
    weight = cv2.resize(_digit(rng), (size, size),
                        interpolation=cv2.INTER_LINEAR)[..., None]
    colour = np.asarray(colour, np.float32)
    return colour * weight + (255. - colour) * 0.5 * (1. - weight)
