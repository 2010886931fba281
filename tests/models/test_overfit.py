# Copyright (c) OpenMMLab. All rights reserved.
"""The pipeline can learn: 8 fixed clips at mask 0.5 are memorised.

If targets, masks, positions or the loss were wrong, no recipe would bring
the loss far below the predict-zero floor even on a handful of clips; with
them right, a tiny model memorises 8 clips within a few hundred steps.
"""
import torch
from mmaction.registry import MODELS

from motionmae_mm.evaluation.few_label import digit_set, preprocess
from motionmae_mm.evaluation.loss_floor import loss_and_floor

from ..conftest import tiny_model_cfg


def test_eight_fixed_clips_fall_far_below_the_floor():
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_model_cfg(
            backbone=dict(
                img_size=16, patch_size=4, embed_dims=64, num_heads=4),
            neck=dict(embed_dims=64, num_heads=4),
            mask_generator=dict(mask_ratio=0.5)))
    model.init_weights()
    frames, _ = digit_set('identity', 1, 'train', [0],
                          dict(size=16, digit_size=8, num_frames=4, num_digits=(1, 2)))
    clips = preprocess(model, frames[:8])
    before = loss_and_floor(model, clips)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.)
    model.train()
    for _ in range(400):
        loss = sum(model.loss(clips[:, None]).values())
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = loss_and_floor(model, clips)
    for name in ('appearance', 'motion'):
        floor = after[f'floor_{name}']
        assert before[f'loss_{name}'] > 0.9 * floor, before
        assert after[f'loss_{name}'] < 0.5 * floor, after
