# Copyright (c) OpenMMLab. All rights reserved.
"""Frame-consistent RandAugment for clips, numpy/OpenCV only.

VideoMAE fine-tunes with timm's ``rand-m7-n4-mstd0.5-inc1`` applied to every
frame with the same parameters. timm needs torchvision/PIL pipelines we do
not depend on, so this is a re-implementation on ``uint8`` RGB arrays:

* ``num_layers`` ops are drawn (with replacement) from timm's "increasing"
  set; each is applied with probability ``prob`` (timm: 0.5);
* the magnitude of each op is ``N(magnitude, magnitude_std)`` clipped to
  ``[0, 10]``, and a signed op flips its sign with probability 0.5;
* every choice is drawn once per clip, so every frame gets the same op and
  magnitude (no flicker that would look like motion). Data-dependent ops
  (auto-contrast, equalize, contrast) use statistics of the whole clip for
  the same reason.
"""
import random
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

LEVEL_MAX = 10.
FILL = (124, 116, 104)  # timm: ImageNet mean in 0-255, fills warped borders


def _blend(imgs: np.ndarray, degenerate: np.ndarray,
           factor: float) -> np.ndarray:
    """PIL ``ImageEnhance``: ``degenerate + factor * (img - degenerate)``."""
    out = degenerate + factor * (imgs.astype(np.float32) - degenerate)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _gray(imgs: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma as PIL's ``convert('L')``, shape (..., 1)."""
    return (imgs.astype(np.float32) @ np.array([0.299, 0.587, 0.114],
                                               np.float32))[..., None]


def _warp(imgs: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The same affine warp on every frame, nearest, borders filled."""
    h, w = imgs.shape[1:3]
    return np.stack([
        cv2.warpAffine(
            f,
            matrix, (w, h),
            flags=cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=FILL) for f in imgs
    ])


def auto_contrast(imgs: np.ndarray, _: float) -> np.ndarray:
    """Stretch each channel to 0-255 over the clip's min/max."""
    lo = imgs.min(axis=(0, 1, 2), keepdims=True).astype(np.float32)
    hi = imgs.max(axis=(0, 1, 2), keepdims=True).astype(np.float32)
    scale = np.where(hi > lo, 255. / np.maximum(hi - lo, 1), 1.)
    lo = np.where(hi > lo, lo, 0.)
    return np.clip((imgs - lo) * scale + 0.5, 0, 255).astype(np.uint8)


def equalize(imgs: np.ndarray, _: float) -> np.ndarray:
    """Histogram-equalise each channel with the clip's histogram."""
    out = np.empty_like(imgs)
    for c in range(imgs.shape[-1]):
        hist = np.bincount(imgs[..., c].ravel(), minlength=256)
        cdf = hist.cumsum()
        nonzero = cdf[cdf > 0]
        if nonzero.size == 0 or cdf[-1] == nonzero[0]:
            out[..., c] = imgs[..., c]
            continue
        lut = (cdf - nonzero[0]) * 255. / (cdf[-1] - nonzero[0])
        out[..., c] = np.clip(lut + 0.5, 0, 255).astype(np.uint8)[imgs[..., c]]
    return out


def invert(imgs: np.ndarray, _: float) -> np.ndarray:
    return 255 - imgs


def rotate(imgs: np.ndarray, level: float) -> np.ndarray:
    """Rotate by up to 30 degrees around the centre (signed level)."""
    h, w = imgs.shape[1:3]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), level * 30., 1.)
    return _warp(imgs, matrix)


def posterize(imgs: np.ndarray, level: float) -> np.ndarray:
    """Keep ``4 - int(4 * level)`` bits (timm's increasing posterize)."""
    bits = 4 - int(level * 4)
    if bits >= 8:
        return imgs
    return imgs & np.uint8((0xFF << (8 - bits)) & 0xFF)


def solarize(imgs: np.ndarray, level: float) -> np.ndarray:
    """Invert pixels at or above ``256 - 256 * level``."""
    threshold = 256 - int(level * 256)
    return np.where(imgs >= threshold, 255 - imgs, imgs).astype(np.uint8)


def solarize_add(imgs: np.ndarray, level: float) -> np.ndarray:
    """Add up to 110 to pixels below 128."""
    add = int(level * 110)
    bright = np.minimum(imgs.astype(np.int16) + add, 255).astype(np.uint8)
    return np.where(imgs < 128, bright, imgs)


def color(imgs: np.ndarray, level: float) -> np.ndarray:
    return _blend(imgs, _gray(imgs), 1. + level * 0.9)


def contrast(imgs: np.ndarray, level: float) -> np.ndarray:
    return _blend(imgs, _gray(imgs).mean(), 1. + level * 0.9)


def brightness(imgs: np.ndarray, level: float) -> np.ndarray:
    return _blend(imgs, np.float32(0.), 1. + level * 0.9)


def sharpness(imgs: np.ndarray, level: float) -> np.ndarray:
    """Blend with PIL's SMOOTH filter; the 1-pixel border stays."""
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13.
    smooth = np.stack([cv2.filter2D(f, cv2.CV_32F, kernel) for f in imgs])
    smooth[:, [0, -1]] = imgs[:, [0, -1]]
    smooth[:, :, [0, -1]] = imgs[:, :, [0, -1]]
    return _blend(imgs, smooth, 1. + level * 0.9)


def shear_x(imgs: np.ndarray, level: float) -> np.ndarray:
    return _warp(imgs, np.float32([[1, level * 0.3, 0], [0, 1, 0]]))


def shear_y(imgs: np.ndarray, level: float) -> np.ndarray:
    return _warp(imgs, np.float32([[1, 0, 0], [level * 0.3, 1, 0]]))


def translate_x(imgs: np.ndarray, level: float) -> np.ndarray:
    shift = level * 0.45 * imgs.shape[2]
    return _warp(imgs, np.float32([[1, 0, shift], [0, 1, 0]]))


def translate_y(imgs: np.ndarray, level: float) -> np.ndarray:
    shift = level * 0.45 * imgs.shape[1]
    return _warp(imgs, np.float32([[1, 0, 0], [0, 1, shift]]))


# name -> (function, signed): timm's _RAND_INCREASING_TRANSFORMS
OPS: Dict[str, tuple] = {
    'AutoContrast': (auto_contrast, False),
    'Equalize': (equalize, False),
    'Invert': (invert, False),
    'Rotate': (rotate, True),
    'PosterizeIncreasing': (posterize, False),
    'SolarizeIncreasing': (solarize, False),
    'SolarizeAdd': (solarize_add, False),
    'ColorIncreasing': (color, True),
    'ContrastIncreasing': (contrast, True),
    'BrightnessIncreasing': (brightness, True),
    'SharpnessIncreasing': (sharpness, True),
    'ShearX': (shear_x, True),
    'ShearY': (shear_y, True),
    'TranslateXRel': (translate_x, True),
    'TranslateYRel': (translate_y, True),
}


@TRANSFORMS.register_module()
class MotionMAERandAugment(BaseTransform):
    """RandAugment with one draw per clip (VideoMAE's ``rand-m7-n4``).

    **Required keys:** ``imgs`` (list or array of HxWx3 ``uint8`` RGB
    frames, i.e. after ``DecordDecode``/``Resize``, before ``FormatShape``).
    **Modified keys:** ``imgs`` (same type and shapes).

    Args:
        magnitude (float): Mean magnitude in ``[0, 10]``. Defaults to 7.
        num_layers (int): Ops drawn per clip. Defaults to 4.
        magnitude_std (float): Std of the per-op magnitude. Defaults to 0.5.
        prob (float): Probability of applying each drawn op. Defaults to 0.5.
        ops (Sequence[str], optional): Subset of :data:`OPS` names.
    """

    def __init__(self,
                 magnitude: float = 7.,
                 num_layers: int = 4,
                 magnitude_std: float = 0.5,
                 prob: float = 0.5,
                 ops: Optional[Sequence[str]] = None) -> None:
        ops = list(OPS) if ops is None else list(ops)
        unknown = [name for name in ops if name not in OPS]
        if unknown:
            raise ValueError(f'MotionMAERandAugment.ops: unknown {unknown}; '
                             f'choose from {list(OPS)}')
        if not 0 <= magnitude <= LEVEL_MAX:
            raise ValueError('MotionMAERandAugment.magnitude must be in '
                             f'[0, 10], got {magnitude}')
        self.magnitude = magnitude
        self.num_layers = num_layers
        self.magnitude_std = magnitude_std
        self.prob = prob
        self.ops = ops

    def draw(self) -> List[tuple]:
        """Draw this clip's ops: ``[(name, signed level in [-1, 1]), ...]``.

        Uses Python's ``random`` (seeded per worker by mmengine).
        """
        chosen = []
        for name in random.choices(self.ops, k=self.num_layers):
            if random.random() > self.prob:
                continue
            mag = self.magnitude
            if self.magnitude_std > 0:
                mag = random.gauss(mag, self.magnitude_std)
            level = min(LEVEL_MAX, max(0., mag)) / LEVEL_MAX
            if OPS[name][1] and random.random() < 0.5:
                level = -level
            chosen.append((name, level))
        return chosen

    @staticmethod
    def apply(imgs: np.ndarray, chosen: List[tuple]) -> np.ndarray:
        """Apply drawn ops to a (T, H, W, 3) ``uint8`` clip."""
        for name, level in chosen:
            fn: Callable = OPS[name][0]
            imgs = fn(imgs, level)
        return imgs

    def transform(self, results: Dict) -> Dict:
        frames = results['imgs']
        clip = np.stack(frames) if isinstance(frames, list) else frames
        if clip.dtype != np.uint8 or clip.ndim != 4 or clip.shape[-1] != 3:
            raise ValueError(
                'MotionMAERandAugment expects HxWx3 uint8 frames (put it '
                'before FormatShape), got '
                f'{clip.dtype} {tuple(clip.shape)}')
        clip = np.ascontiguousarray(self.apply(clip, self.draw()))
        results['imgs'] = list(clip) if isinstance(frames, list) else clip
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(magnitude={self.magnitude}, '
                f'num_layers={self.num_layers}, '
                f'magnitude_std={self.magnitude_std}, prob={self.prob})')
