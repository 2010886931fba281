# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAEHealthHook logs health beside the losses, on fixed clips."""
import json

import pytest
from mmengine.config import Config

from motionmae_mm.apis.runtime import build_runner
from motionmae_mm.engine.hooks import MotionMAEHealthHook
from motionmae_mm.evaluation.health import representation_health
from ..conftest import REPO

DIGITS = REPO / 'configs/digits/motionmae_vit-tiny_digits.py'


def tiny_digits_cfg(work_dir, **extra) -> Config:
    """The digits config at test size: 16-px clips, a 2-block encoder."""
    cfg = Config.fromfile(DIGITS)
    cfg.merge_from_dict({
        'work_dir': str(work_dir),
        'launcher': 'none',
        'model.backbone.img_size': 16,
        'model.backbone.embed_dims': 32,
        'model.backbone.depth': 2,
        'model.backbone.num_heads': 2,
        'model.neck.embed_dims': 16,
        'model.neck.depth': 1,
        'train_dataloader.batch_size': 4,
        'train_dataloader.dataset.num_clips': 16,
        'train_dataloader.dataset.size': 16,
        'train_dataloader.dataset.digit_size': 8,
        'train_cfg.max_epochs': 1,
        'default_hooks.logger.interval': 1,
        'custom_hooks': [dict(type='MotionMAEHealthHook', interval=2,
                              num_clips=3)],
        **extra
    })
    return cfg


def test_health_is_logged_every_interval_and_matches_the_model(tmp_path):
    runner = build_runner(tiny_digits_cfg(tmp_path))
    runner.train()  # 4 iterations
    scalars = next(tmp_path.rglob('scalars.json'))
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    health = [row for row in rows if 'health/token_cosine' in row]
    assert [row['step'] for row in health] == [1, 2, 4]
    assert {'health/clip_rank', 'health/clip_share',
            'health/attn_entropy/1'} <= set(health[-1])
    # the last figures are the trained model's on the kept clips: the
    # first 3 of the first batch, normalised (a constant clip would be 0)
    hook = next(h for h in runner.hooks
                if isinstance(h, MotionMAEHealthHook))
    assert hook._clips.shape == (3, 3, 4, 16, 16)
    assert hook._clips.abs().mean() > 0.5
    expected = representation_health(runner.model.backbone, hook._clips)
    for key, value in expected.items():
        assert health[-1][f'health/{key}'] == pytest.approx(
            value, rel=1e-6), key


def test_interval_and_clips_are_checked():
    with pytest.raises(ValueError, match='num_clips=1'):
        MotionMAEHealthHook(num_clips=1)
