# Copyright (c) OpenMMLab. All rights reserved.
"""Tiny fine-tuning models and checkpoints shared by the fine-tune tests."""
from pathlib import Path
from typing import Optional

import torch
from mmaction.registry import MODELS

from ..conftest import tiny_model_cfg

TINY_VIT = dict(
    img_size=32,
    patch_size=8,
    embed_dims=32,
    depth=2,
    num_heads=2,
    num_frames=4,
    tubelet_size=2)


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
        backbone=dict(
            type=backbone_type,
            **{
                **TINY_VIT,
                **backbone
            },
            use_mean_pooling=True,
            init_cfg=dict(
                type='Pretrained', checkpoint=checkpoint, prefix='backbone.')),
        cls_head=dict(
            type='TimeSformerHead',
            num_classes=num_classes,
            in_channels=backbone.get('embed_dims', TINY_VIT['embed_dims']),
            average_clips='prob'),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            format_shape='NCTHW'))
