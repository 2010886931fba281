# Copyright (c) OpenMMLab. All rights reserved.
"""A target defined outside the package, named in a config, trains."""
import math

import torch
from mmaction.registry import MODELS
from mmengine.optim import build_optim_wrapper
from torch import Tensor

from motionmae_mm.models.targets import BaseTarget
from ..conftest import tiny_model_cfg


@MODELS.register_module(force=True)
class ToyIntensityTarget(BaseTarget):
    """Mean intensity over the colour channels (one channel)."""

    def source(self, clip: Tensor) -> Tensor:
        return clip.mean(1, keepdim=True)

    def channels(self, in_channels: int) -> int:
        return 1


def test_a_third_target_alone_trains_two_iterations():
    cfg = tiny_model_cfg()
    cfg['targets'] = dict(intensity=dict(
        type='ToyIntensityTarget', norm_pix=False,
        loss=dict(type='MotionMAEReconstructionLoss', loss_weight=0.5)))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    assert list(model.neck.branches) == ['intensity']
    assert model.head.predictors['intensity'].out_features == 2 * 8 * 8
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.)))
    g = torch.Generator().manual_seed(0)
    for _ in range(2):
        clips = torch.randint(0, 256, (2, 1, 3, 4, 32, 32), generator=g)
        log = model.train_step(
            dict(inputs=list(clips.to(torch.uint8)), data_samples=None),
            optim)
        assert set(log) == {'loss', 'loss_intensity'}
        assert math.isfinite(log['loss_intensity'].item())
        torch.testing.assert_close(log['loss'], log['loss_intensity'])
    # the head scores the toy target's tokens, weighted by its loss
    out = model.reconstruct(clips.float())
    target = out['target_intensity']
    assert target.shape[-1] == 2 * 8 * 8
    assert set(model.state_dict()) >= {'head.predictors.intensity.weight'}
