# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAEReconstructionHook inside a real (tiny) mmengine Runner."""
import cv2
import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS, HOOKS
from mmaction.structures import ActionDataSample
from mmengine.runner import Runner
from torch.utils.data import Dataset

import motionmae_mm.engine  # noqa: F401  (registers the hook)
from ..conftest import check_reconstruction_grid, tiny_model_cfg
from ..tools.test_visualize import write_video

# 6 rows (the last: appearance as predicted) of 32-px frames at scale 2
GRID_SHAPE = (6 * 64 + 5 * 2, 150 + 4 * 64, 3)


@DATASETS.register_module(force=True)
class MotionMAEHookTestClips(Dataset):
    """Random uint8 clips (1, 3, 4, 32, 32), packed like mmaction2."""

    def __init__(self, num: int = 4) -> None:
        self.num = num

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, idx: int) -> dict:
        g = torch.Generator().manual_seed(idx)
        clip = torch.randint(
            0, 256, (1, 3, 4, 32, 32), generator=g, dtype=torch.uint8)
        return dict(inputs=clip, data_samples=ActionDataSample())


def run(work_dir, name, iters=3, **hook):
    runner = Runner(
        model=tiny_model_cfg(),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=dict(
            dataset=dict(type='MotionMAEHookTestClips'),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(by_epoch=False, max_iters=iters),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        default_hooks=dict(
            checkpoint=None, logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='MotionMAEReconstructionHook', **hook)],
        visualizer=dict(
            type='ActionVisualizer',
            name=name,
            vis_backends=[dict(type='LocalVisBackend')]),
        default_scope='mmaction',
        randomness=dict(seed=0))
    runner.train()
    return runner


def test_logs_grid_from_the_batch(tmp_path):
    runner = run(tmp_path, 'hook_batch', iters=3, interval=2)
    vis = tmp_path / runner.timestamp / 'vis_data' / 'vis_image'
    # every 2 iterations, plus the last one; steps are 1-based
    assert sorted(p.name for p in vis.glob('*.png')) == [
        'reconstruction_2.png', 'reconstruction_3.png'
    ]
    image = cv2.imread(str(vis / 'reconstruction_2.png'))
    assert image.shape == GRID_SHAPE
    assert runner.model.training  # train mode restored
    # the rows' pixels: 8-px patches, tubelet 2, 12 of 16 patches masked
    rows = check_reconstruction_grid(image[..., ::-1], 4, 32, 8, 2, 12)
    # the original row is the first clip of iteration 2's batch (item 2)
    clip = MotionMAEHookTestClips()[2]['inputs'][0]  # (3, T, H, W) uint8
    np.testing.assert_array_equal(
        np.round(rows['clip'] * 255).astype(np.uint8),
        clip.permute(1, 2, 3, 0).numpy())


def test_hook_leaves_training_rng_alone(tmp_path):
    """Same weights with and without the hook (mask RNG is forked)."""
    with_hook = run(tmp_path / 'a', 'hook_rng_a', iters=2, interval=1)
    without = run(tmp_path / 'b', 'hook_rng_b', iters=2, interval=10**6)
    for (k, a), b in zip(with_hook.model.state_dict().items(),
                         without.model.state_dict().values()):
        torch.testing.assert_close(a, b, msg=k)


def test_fixed_video(tmp_path):
    video = tmp_path / 'square.mp4'
    write_video(video, size=32)
    runner = run(tmp_path, 'hook_video', iters=2, interval=1, video=str(video))
    vis = tmp_path / runner.timestamp / 'vis_data' / 'vis_image'
    first = cv2.imread(str(vis / 'reconstruction_1.png'))
    second = cv2.imread(str(vis / 'reconstruction_2.png'))
    assert first.shape == second.shape == GRID_SHAPE
    # same clip and mask: the original and masked rows are identical
    np.testing.assert_array_equal(first[:130], second[:130])


def test_interval_must_be_positive():
    with pytest.raises(ValueError, match='interval'):
        HOOKS.build(dict(type='MotionMAEReconstructionHook', interval=0))
