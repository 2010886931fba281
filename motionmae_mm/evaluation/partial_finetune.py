# Copyright (c) OpenMMLab. All rights reserved.
"""Partial fine-tune: the encoder's last blocks plus a linear head.

MAE's partial fine-tuning protocol, on tokens from
:func:`~motionmae_mm.evaluation.features.encode` (the frozen blocks' output
is computed once).
"""
import copy
from typing import Callable, Dict, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .linear_probe import accuracy


class TopBlocks(nn.Module):
    """The encoder's last blocks and final norm, mean-pooled, affine-free
    BatchNorm, linear: what the partial fine-tune trains.

    The BatchNorm (MAE's probe head) puts the pooled features, which vary
    little between clips, on a unit scale so the head learns at once.
    """

    def __init__(self, backbone: nn.Module, tuned_blocks: int,
                 num_classes: int) -> None:
        super().__init__()
        first = len(backbone.blocks) - tuned_blocks
        self.blocks = nn.Sequential(*copy.deepcopy(backbone.blocks[first:]))
        self.norm = copy.deepcopy(backbone.norm)
        self.bn = nn.BatchNorm1d(backbone.embed_dims, affine=False, eps=1e-6)
        self.fc = nn.Linear(backbone.embed_dims, num_classes)
        nn.init.trunc_normal_(self.fc.weight, std=0.02)
        nn.init.zeros_(self.fc.bias)

    def forward(self, hidden: Tensor) -> Tensor:
        return self.fc(self.bn(self.norm(self.blocks(hidden)).mean(1)))


def _adamw(model: nn.Module, lr: float,
           weight_decay: float) -> torch.optim.AdamW:
    """AdamW over ``model``, decaying weight matrices only.

    Biases and norm parameters (1-D) get no weight decay, as in MAE.
    """
    decay, no_decay = [], []
    for param in model.parameters():
        (no_decay if param.ndim <= 1 else decay).append(param)
    return torch.optim.AdamW([
        dict(params=decay, weight_decay=weight_decay),
        dict(params=no_decay, weight_decay=0.)
    ],
                             lr=lr)


def _warmup_cosine(lr: float, epochs: int,
                   steps_per_epoch: int) -> Callable[[int], float]:
    """The learning rate at each step: linear warm-up over the first epoch
    (at most all steps but one), then cosine to 0 at the last step."""
    total = max(1, epochs * steps_per_epoch)
    warmup = min(steps_per_epoch, total - 1) if total > 1 else 0

    def lr_at(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return lr * 0.5 * (1 + np.cos(np.pi * progress))

    return lr_at


def _train_epoch(model: nn.Module, opt: torch.optim.Optimizer,
                 lr_at: Callable[[int], float], train_hidden: Tensor,
                 train_y: Tensor, gen: torch.Generator, batch_size: int,
                 step: int) -> Tuple[float, int]:
    """One epoch in a random order, one random clip per training video.

    A last batch of a single video is skipped (BatchNorm needs two).
    ``step`` counts the optimiser steps taken before this epoch, for the
    schedule. Returns the epoch's mean loss and the step count after it.
    """
    n = len(train_hidden)
    order = torch.randperm(n, generator=gen)
    pick = torch.randint(train_hidden.shape[1], (n, ), generator=gen)
    losses = []
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        if len(idx) < 2:  # BatchNorm needs two samples
            continue
        for group in opt.param_groups:
            group['lr'] = lr_at(step)
        loss = F.cross_entropy(
            model(train_hidden[idx, pick[idx]]), train_y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
    return float(np.mean(losses)), step


def partial_finetune(backbone: nn.Module,
                     train_hidden: Tensor,
                     train_y: Tensor,
                     test_hidden: Tensor,
                     test_y: Tensor,
                     num_classes: int,
                     epochs: int,
                     seed: int,
                     tuned_blocks: int = 1,
                     lr: float = 3e-3,
                     weight_decay: float = 0.05,
                     batch_size: int = 32) -> Dict:
    """Partial fine-tune: train the last ``tuned_blocks`` blocks + head.

    MAE's partial fine-tuning protocol: the lower blocks stay frozen, so
    their output (``hidden`` from :func:`encode`) is computed once and the
    run costs a fraction of an end-to-end fine-tune. Every epoch each
    training video contributes one of its clips, picked at random
    (temporal jitter, the only augmentation). AdamW, linear warm-up over
    the first epoch, cosine to 0. Seeded.

    Args:
        backbone: Encoder whose last blocks are copied (not modified).
        train_hidden: (N, K, L, C) tokens of K clips per training video.
        train_y: (N,) labels.
        test_hidden: (M, L, C) tokens of one clip per test video.
        test_y: (M,) labels.

    Returns:
        dict: ``acc`` (test top-1 %) and ``train_loss`` (last epoch).
    """
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TopBlocks(backbone, tuned_blocks, num_classes)
    opt = _adamw(model, lr, weight_decay)
    steps_per_epoch = (len(train_hidden) + batch_size - 1) // batch_size
    lr_at = _warmup_cosine(lr, epochs, steps_per_epoch)
    step, last = 0, float('nan')
    model.train()
    for _ in range(epochs):
        last, step = _train_epoch(model, opt, lr_at, train_hidden, train_y,
                                  gen, batch_size, step)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([
            model(test_hidden[i:i + 64])
            for i in range(0, len(test_hidden), 64)
        ])
    return dict(acc=accuracy(logits, test_y), train_loss=last)
