# Copyright (c) OpenMMLab. All rights reserved.
"""Motion-centric synthetic clips: the class is the motion, never the look.

Each clip shows one object of random appearance (colour, shape, size, inner
texture and a contrasting marker stripe) over a random background. In the
default ``'textured'`` style the background is one handwritten digit tiled
at the model's patch period and the object is painted with a large digit
(:mod:`.textures`), so a tiny MAE can learn to predict patches in minutes;
the ``'smooth'`` style (smooth blotches, the older demo data) leaves its
loss at the predict-the-mean floor.
The object moves in one of :data:`MOTION_PATTERNS`; the label is the pattern
index. Positions, scales and orientations are drawn so that their marginal
distributions over a clip's frames overlap between classes: a single frame
does not tell the class, only the change between frames does. This is the
data ``make demo`` pretrains and fine-tunes on without any download.

Everything here is a pure function of its arguments: the same seed gives
byte-identical frames (a :class:`numpy.random.Generator` drives all choices
and OpenCV only rasterises).
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .textures import digit_texture, tiled_background

#: Motion patterns, in label order (label = index).
MOTION_PATTERNS: Tuple[str, ...] = ('left', 'right', 'up', 'down', 'rotate',
                                    'approach', 'recede', 'static')
#: Object shapes an appearance is drawn from.
SHAPES: Tuple[str, ...] = ('square', 'disc', 'triangle')
#: Looks of a clip: digit textures (default) or smooth blotches (older data).
STYLES: Tuple[str, ...] = ('textured', 'smooth')

SeedLike = Union[int, Sequence[int], np.random.SeedSequence]

# Object radius (centre to the farthest corner) as a fraction of the frame
# size at scale 1, and the scale range the approach/recede classes sweep.
_RADIUS_RANGE = (0.2, 0.26)
_SCALE_RANGE = (0.65, 1.3)
# Travel of the translating classes over a clip, as a fraction of the size.
_TRAVEL_RANGE = (0.3, 0.5)
# Rotation speed of the 'rotate' class over a clip, in degrees per frame for
# a 32-frame clip (scaled for other lengths, capped below aliasing).
_TURN_RANGE = (4.0, 9.0)
# Sprite canvas resolution relative to its largest on-screen size.
_SPRITE_SIZE = 128


def pattern_to_label(pattern: Union[str, int]) -> int:
    """Map a pattern name (or an index) to its label, checking it exists."""
    if isinstance(pattern, (int, np.integer)):
        if not 0 <= int(pattern) < len(MOTION_PATTERNS):
            raise ValueError(f'pattern index {pattern} out of range '
                             f'[0, {len(MOTION_PATTERNS)})')
        return int(pattern)
    if pattern not in MOTION_PATTERNS:
        raise ValueError(f'unknown motion pattern {pattern!r}; '
                         f'choose from {MOTION_PATTERNS}')
    return MOTION_PATTERNS.index(pattern)


def _smooth_noise(rng: np.random.Generator, size: int, cells: int,
                  channels: int) -> np.ndarray:
    """Random low-frequency noise in [0, 1], shape (size, size, channels)."""
    coarse = rng.random((cells, cells, channels)).astype(np.float32)
    fine = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.clip(fine.reshape(size, size, channels), 0., 1.)


def render_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random textured background, float32 (size, size, 3) in [0, 255].

    Smooth blotches of random colours, so that the object cannot be found
    from a flat colour and the frame alone carries no class hint. No
    pixel grain: per-patch normalised targets turn grain into unit-variance
    noise that no model can predict, which hides what the model learns.
    """
    base = rng.uniform(40, 215, size=3).astype(np.float32)
    cells = int(rng.integers(3, 9))
    blotches = _smooth_noise(rng, size, cells, 3) - 0.5
    amp_blotch = rng.uniform(40, 100)
    bg = base + amp_blotch * blotches
    return np.clip(bg, 0, 255).astype(np.float32)


def _shape_mask(shape: str) -> np.ndarray:
    """Anti-aliased coverage of ``shape`` on the sprite canvas, float32 in
    [0, 1]: up to a radius of 0.45 of the side from the centre, so
    rotating the sprite never clips the shape."""
    s = _SPRITE_SIZE
    c = (s - 1) / 2.
    r = 0.45 * s
    scale = 16  # cv2 sub-pixel shift, anti-aliased edges
    mask = np.zeros((s, s), np.uint8)
    if shape == 'square':
        h = r / np.sqrt(2)
        pts = np.array([[c - h, c - h], [c + h, c - h], [c + h, c + h],
                        [c - h, c + h]])
        cv2.fillPoly(
            mask, [np.round(pts * scale).astype(np.int32)],
            255,
            cv2.LINE_AA,
            shift=4)
    elif shape == 'disc':
        cv2.circle(
            mask, (int(round(c * scale)), int(round(c * scale))),
            int(round(r * scale)),
            255,
            -1,
            cv2.LINE_AA,
            shift=4)
    elif shape == 'triangle':
        ang = np.deg2rad([-90., 30., 150.])
        pts = np.stack([c + r * np.cos(ang), c + r * np.sin(ang)], axis=1)
        cv2.fillPoly(
            mask, [np.round(pts * scale).astype(np.int32)],
            255,
            cv2.LINE_AA,
            shift=4)
    else:
        raise ValueError(f'unknown shape {shape!r}; choose from {SHAPES}')
    return mask.astype(np.float32) / 255.


def render_sprite(rng: np.random.Generator,
                  shape: str,
                  style: str = 'smooth'
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw an object on a square canvas of :data:`_SPRITE_SIZE` pixels.

    The shape fills the canvas up to a radius of ~0.45 of its side (measured
    from the centre to the farthest point), so rotating it never clips it.
    Its inside is a smooth shade of its colour, or with ``style='textured'``
    a large digit in its colour.

    Returns:
        tuple: colour image float32 (S, S, 3), coverage mask float32 (S, S)
        in [0, 1] and marker mask float32 (S, S): a stripe from the centre
        to the rim in a contrasting colour, which makes rotation visible
        even for a disc.
    """
    mask = _shape_mask(shape)
    s = _SPRITE_SIZE
    c = (s - 1) / 2.
    r = 0.45 * s

    colour = rng.uniform(0, 255, size=3).astype(np.float32)
    # Saturate: push one channel up and one down so the object stands out.
    hi, lo = rng.permutation(3)[:2]
    colour[hi] = rng.uniform(180, 255)
    colour[lo] = rng.uniform(0, 75)
    if style == 'textured':
        img = digit_texture(rng, s, colour)
    else:
        texture = _smooth_noise(rng, s, int(rng.integers(3, 7)), 1)
        img = colour[None, None, :] * (0.7 + 0.3 * texture)

    # Marker stripe: from the centre towards a random direction.
    marker = np.zeros((s, s), np.uint8)
    phi = rng.uniform(0, 2 * np.pi)
    end = (c + 0.9 * r * np.cos(phi), c + 0.9 * r * np.sin(phi))
    width = max(2, int(round(s * rng.uniform(0.08, 0.14))))
    cv2.line(marker, (int(round(c)), int(round(c))),
             (int(round(end[0])), int(round(end[1]))), 255, width, cv2.LINE_AA)
    marker = (marker.astype(np.float32) / 255.) * mask
    img = img * (1 - marker[..., None]) + \
        (255. - colour)[None, None, :] * marker[..., None]
    return img.astype(np.float32), mask, marker


def sample_trajectory(rng: np.random.Generator, pattern: str, num_frames: int,
                      size: int) -> Dict[str, np.ndarray]:
    """Per-frame object pose for a motion pattern.

    Returns:
        dict: ``center`` (T, 2) float x, y in pixels; ``scale`` (T,) object
        radius in pixels; ``angle`` (T,) orientation in degrees, clockwise
        on screen (image y points down).
    """
    pattern_to_label(pattern)
    t = np.linspace(0., 1., num_frames) if num_frames > 1 else np.zeros(1)
    radius = rng.uniform(*_RADIUS_RANGE) * size
    # Every class draws a random constant scale in the same range the
    # approach/recede sweep, so object size alone does not tell the class.
    if pattern == 'approach':
        s0, s1 = _SCALE_RANGE[0], _SCALE_RANGE[1]
        scale = radius * (s0 + (s1 - s0) * t)
    elif pattern == 'recede':
        s0, s1 = _SCALE_RANGE[1], _SCALE_RANGE[0]
        scale = radius * (s0 + (s1 - s0) * t)
    else:
        scale = np.full(num_frames, radius * rng.uniform(*_SCALE_RANGE))
    r_max = float(scale.max())
    # keep the object inside, anti-aliased rim included
    lo, hi = r_max + 2., size - 2. - r_max

    angle0 = rng.uniform(0., 360.)
    if pattern == 'rotate':
        # Same total turn for any clip length; cap below half the smallest
        # symmetry period (triangle: 120 deg) so the direction is unambiguous.
        per_frame = rng.uniform(*_TURN_RANGE) * 32. / max(num_frames, 1)
        per_frame = min(per_frame, 50.)
        angle = angle0 + per_frame * np.arange(num_frames)
    else:
        angle = np.full(num_frames, angle0)

    center = np.empty((num_frames, 2))
    if pattern in ('left', 'right', 'up', 'down'):
        travel = min(rng.uniform(*_TRAVEL_RANGE) * size, hi - lo)
        # slack is >= 0 up to rounding (travel <= hi - lo): clamp it
        start = lo + rng.uniform(0., max(hi - lo - travel, 0.))
        along = start + travel * t
        if pattern in ('left', 'up'):
            along = along[::-1]
        across = np.full(num_frames, rng.uniform(lo, hi))
        axis = 0 if pattern in ('left', 'right') else 1
        center[:, axis] = along
        center[:, 1 - axis] = across
    else:
        center[:] = rng.uniform(lo, hi, size=2)
    return dict(center=center, scale=scale, angle=angle)


def _sprite_affine(center: np.ndarray, radius: float,
                   angle_cw: float) -> np.ndarray:
    """2x3 matrix taking sprite canvas pixels to frame pixels."""
    s = _SPRITE_SIZE
    c = (s - 1) / 2.
    zoom = radius / (0.45 * s)
    # cv2's positive angle is counter-clockwise on screen: negate.
    mat = cv2.getRotationMatrix2D((c, c), -float(angle_cw), zoom)
    mat[:, 2] += np.asarray(center, np.float64) - np.array([c, c])
    return mat


def _check_clip_args(num_frames: int, size: int, style: str) -> None:
    """Refuse a clip length, frame size or style :func:`render_clip` cannot
    draw, with a message naming the value."""
    if num_frames < 1:
        raise ValueError(f'num_frames must be >= 1, got {num_frames}')
    if size < 16:
        raise ValueError(f'size must be >= 16, got {size}')
    if style not in STYLES:
        raise ValueError(f'unknown style {style!r}; choose from {STYLES}')


def _composite(background: np.ndarray, sprite: np.ndarray,
               sprite_mask: np.ndarray, sprite_marker: np.ndarray,
               traj: Dict[str, np.ndarray]
               ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Warp the sprite to each pose of ``traj`` over the background.

    Colour premultiplied by coverage, mask and marker are warped together,
    so edges blend cleanly. Returns the frames uint8 (T, H, W, 3) and the
    object and marker masks bool (T, H, W), thresholded at half coverage.
    """
    num_frames, size = len(traj['center']), background.shape[0]
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    masks = np.empty((num_frames, size, size), bool)
    markers = np.empty((num_frames, size, size), bool)
    stacked = np.concatenate(
        [
            sprite * sprite_mask[..., None], sprite_mask[..., None],
            sprite_marker[..., None]
        ],
        axis=2)  # colour premultiplied by coverage, so it warps cleanly
    for i in range(num_frames):
        mat = _sprite_affine(traj['center'][i], traj['scale'][i],
                             traj['angle'][i])
        warped = cv2.warpAffine(
            stacked,
            mat, (size, size),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0)
        alpha = warped[..., 3:4]
        frame = background * (1. - alpha) + warped[..., :3]  # premultiplied
        frames[i] = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
        masks[i] = alpha[..., 0] >= 0.5
        markers[i] = warped[..., 4] >= 0.5
    return frames, masks, markers


def render_clip(
        pattern: Union[str, int],
        seed: SeedLike,
        num_frames: int = 32,
        size: int = 96,
        return_info: bool = False,
        style: str = 'textured',
        tile_period: Optional[int] = None
) -> Union[np.ndarray, Tuple[np.ndarray, dict]]:
    """Render one synthetic clip.

    Args:
        pattern (str | int): A name in :data:`MOTION_PATTERNS` or its index.
        seed (int | Sequence[int] | SeedSequence): Everything random
            (appearance, background, trajectory) derives from it; the same
            seed gives byte-identical frames.
        num_frames (int): Clip length. Defaults to 32.
        size (int): Frame height and width in pixels. Defaults to 96.
        return_info (bool): Also return ground truth. Defaults to False.
        style (str): One of :data:`STYLES`. Defaults to ``'textured'``.
        tile_period (int, optional): Background tile side in pixels for
            the textured style. Defaults to ``size // 8``: one patch of an
            8x8 token grid at any input size the clip is resized to (12 px
            at 96 px = patch 8 of the demo's 64-px input).

    Returns:
        np.ndarray | tuple: RGB frames uint8 (T, H, W, 3); with
        ``return_info`` also a dict with ``label``, ``pattern``, ``shape``,
        ``mask`` (T, H, W) bool object masks, ``marker`` (T, H, W) bool
        marker-stripe masks and the trajectory of :func:`sample_trajectory`.
    """
    label = pattern_to_label(pattern)
    pattern = MOTION_PATTERNS[label]
    _check_clip_args(num_frames, size, style)
    rng = np.random.default_rng(seed)
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    if style == 'textured':
        background = tiled_background(rng, size, tile_period or size // 8)
    else:
        background = render_background(rng, size)
    sprite, sprite_mask, sprite_marker = render_sprite(rng, shape, style)
    traj = sample_trajectory(rng, pattern, num_frames, size)
    frames, masks, markers = _composite(background, sprite, sprite_mask,
                                        sprite_marker, traj)
    if not return_info:
        return frames
    info = dict(
        label=label,
        pattern=pattern,
        shape=shape,
        mask=masks,
        marker=markers,
        **traj)
    return frames, info


def clip_seed(seed: int, split: str, label: int,
              index: int) -> Tuple[int, ...]:
    """The seed of one dataset clip, independent of the other clips.

    Derived from the dataset seed, the split, the label and the clip index,
    so growing a split or adding a class never changes the existing clips.
    """
    split_id = sum(ord(ch) * 131**k for k, ch in enumerate(split)) % 2**31
    return (int(seed), split_id, int(label), int(index))
