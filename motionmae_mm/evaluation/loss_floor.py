# Copyright (c) OpenMMLab. All rights reserved.
"""A pretraining loss next to its floor, on fixed clips and masks.

A reconstruction loss means little alone: per-patch normalised targets of
a mostly dark clip give a small loss to a model that predicts zero
everywhere. The floor is that model's loss (the mean squared target of the
masked tokens); a model that learned something sits below it.
"""
from typing import Dict

import torch
from torch import Tensor, nn


@torch.no_grad()
def loss_and_floor(model: nn.Module, inputs: Tensor,
                   seed: int = 0) -> Dict[str, float]:
    """Per target, the MSE of the masked tokens and its predict-zero floor.

    Args:
        model: A ``MotionMAE``.
        inputs: Normalised clips (B, C, T, H, W).
        seed: Seed of the masks (drawn on a forked RNG, so the caller's
            random stream is untouched).

    Returns:
        dict: ``loss_<name>`` and ``floor_<name>`` per target.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            out = model.reconstruct(inputs)
    finally:
        model.train(was_training)
    figures = {}
    for key in out:
        if key.startswith('pred_'):
            name = key[len('pred_'):]
            target = out[f'target_{name}'].float()
            figures[f'loss_{name}'] = float(
                (out[key].float() - target).pow(2).mean())
            figures[f'floor_{name}'] = float(target.pow(2).mean())
    return figures
