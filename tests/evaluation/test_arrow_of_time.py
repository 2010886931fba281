# Copyright (c) OpenMMLab. All rights reserved.
"""Arrow of time: forwards vs backwards from frozen features."""
import pytest
import torch
from mmengine.config import Config

from motionmae_mm.apis import init_model
from motionmae_mm.datasets.demo_dataset import write_video
from motionmae_mm.datasets.synthetic_motion import render_clip
from motionmae_mm.evaluation.arrow_of_time import (arrow_of_time,
                                                   arrow_of_time_features,
                                                   leave_one_video_out)
from ..conftest import REPO

DEMO = f'{REPO}/configs/demo/motionmae_vit-tiny_demo.py'


def tiny_demo_model() -> torch.nn.Module:
    """The demo model at 32 px, 4 frames, one block (seeded init)."""
    cfg = Config.fromfile(DEMO)
    cfg.model.backbone.update(img_size=32, num_frames=4, depth=1)
    cfg.train_dataloader.dataset.pipeline[0].transforms[1].update(
        clip_len=4, frame_interval=2)
    torch.manual_seed(0)
    return init_model(cfg)


def videos(tmp_path, pattern: str, count: int = 3) -> list:
    out = []
    for i in range(count):
        path = str(tmp_path / f'{pattern}_{i}.mp4')
        write_video(path, render_clip(pattern, (9, i), num_frames=16,
                                      size=32))
        out.append(path)
    return out


def test_features_of_both_directions(tmp_path):
    model = tiny_demo_model()
    data = arrow_of_time_features(model, videos(tmp_path, 'right', 2), 3)
    assert data['features'].shape == (2, 6, 192)  # 2 slots: 1 change
    assert data['labels'].tolist() == [[1, 1, 1, 0, 0, 0]] * 2


def test_leave_one_video_out_scores_only_what_generalises():
    """A direction signal shared by all videos is found on held-out ones;
    a signal that differs per video (its own camera motion) is not."""
    gen = torch.Generator().manual_seed(0)
    labels = torch.tensor([[1] * 5 + [0] * 5] * 6)
    sign = labels * 2. - 1
    noise = torch.randn(6, 10, 8, generator=gen)
    shared = noise.clone()
    shared[..., 0] += 3 * sign
    assert leave_one_video_out(shared, labels)['acc'] == 100.
    own = noise.clone()  # each video's direction axis is its own
    for v in range(6):
        own[v, :, 1 + v] += 3 * sign[v]
    res = leave_one_video_out(own, labels)
    assert len(res['per_video']) == 6 and 25 < res['acc'] < 75


def test_static_scenes_are_chance(tmp_path):
    """A static scene is the same both ways: exactly chance."""
    model = tiny_demo_model()
    static = arrow_of_time(model, videos(tmp_path, 'static'), num_clips=2)
    assert static['acc'] == 50. and static['num_clips'] == 2
    assert len(static['per_video']) == 3
    with pytest.raises(ValueError, match='at least two videos'):
        arrow_of_time(model, videos(tmp_path, 'right', 1))
