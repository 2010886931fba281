# Copyright (c) OpenMMLab. All rights reserved.
"""Few-label evaluation of an encoder on moving digits.

What pretraining is for: with ``k`` labelled clips per class, a frozen
linear probe (and a fine-tune of the last blocks) of the pretrained encoder
should beat the same encoder at random init. Labelled clips are drawn from
the ``'train'`` digit images, ``k`` per class and nested (the 5 of a draw
are the first 5 of its 20); the L2 weight of the probe is picked on a fixed
validation set (also ``'train'`` images, disjoint seeds) and the test set
shows ``'heldout'`` digit images only. Every set is a pure function of its
seed, so variants are scored on the same clips.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from ..datasets.moving_digits import num_classes, render_moving_digits
from .features import encode, mean_features
from .linear_probe import linear_probe
from .partial_finetune import partial_finetune

#: Seed streams of the evaluation sets (never the pretraining's).
_STREAMS = dict(test=101, val=102, train=103)


def digit_set(task: str,
              per_class: int,
              split: str,
              seed: Sequence[int],
              render: Optional[dict] = None) -> Tuple[np.ndarray, Tensor]:
    """``per_class`` clips of every class of ``task``, class-interleaved.

    Clip ``i`` has class ``i % num_classes``, so the first ``k * classes``
    clips hold ``k`` per class.

    Returns:
        tuple: uint8 frames (N, T, H, W, 3) and labels (N,).
    """
    render = dict(render or {})
    classes = num_classes(task, render.get('speeds', (1, 2)))
    clips, labels = [], []
    for i in range(per_class * classes):
        label = i % classes
        frames, _ = render_moving_digits([*seed, i],
                                         split=split,
                                         **{task: label},
                                         **render)
        clips.append(frames)
        labels.append(label)
    return np.stack(clips), torch.tensor(labels)


def preprocess(model: nn.Module, frames: np.ndarray) -> Tensor:
    """uint8 (N, T, H, W, 3) -> the model's normalised (N, C, T, H, W)."""
    x = torch.from_numpy(frames).permute(0, 4, 1, 2, 3).float()
    pre = model.data_preprocessor
    mean = pre.mean.reshape(1, -1, 1, 1, 1)
    std = pre.std.reshape(1, -1, 1, 1, 1)
    return (x - mean) / std


def few_label_eval(model: nn.Module,
                   task: str = 'identity',
                   shots: Sequence[int] = (5, 20, 100),
                   draws: int = 3,
                   finetune_shots: Sequence[int] = (20, ),
                   finetune_epochs: int = 15,
                   finetune_blocks: int = 1,
                   finetune_lr: float = 3e-3,
                   test_per_class: int = 30,
                   val_per_class: int = 10,
                   render: Optional[dict] = None) -> Dict:
    """Linear probe at every ``shots`` and fine-tune at ``finetune_shots``.

    Args:
        model: A ``MotionMAE`` (its backbone is scored frozen; the
            fine-tune trains copies of its last block).
        task: Moving-digits task (label).
        shots: Labelled clips per class of the probe.
        draws: Label draws per ``shots`` (seeds 0..draws-1).
        finetune_shots: ``shots`` that also get a fine-tune of the last
            block and a linear head (MAE's partial fine-tune).
        finetune_epochs: Epochs of that fine-tune.
        finetune_blocks: Last blocks it trains (the encoder's depth: all
            blocks, the patch embedding stays frozen).
        finetune_lr: Its peak learning rate.
        render: :func:`render_moving_digits` arguments (clip size...).

    Returns:
        dict: ``probe`` and ``finetune``: ``{k: [acc per draw]}`` (top-1
        %), and ``classes``.
    """
    classes = num_classes(task, (render or {}).get('speeds', (1, 2)))
    backbone = model.backbone

    def features(frames: np.ndarray) -> Tuple[Tensor, Tensor]:
        slots, hidden = encode(backbone, preprocess(model, frames),
                               finetune_blocks)
        return mean_features(slots), hidden

    frames, test_y = digit_set(task, test_per_class, 'heldout',
                               [_STREAMS['test']], render)
    test_x, test_h = features(frames)
    frames, val_y = digit_set(task, val_per_class, 'train',
                              [_STREAMS['val']], render)
    val_x, _ = features(frames)
    out = dict(classes=classes, probe={}, finetune={})
    for draw in range(draws):
        frames, train_y = digit_set(task, max(shots), 'train',
                                    [_STREAMS['train'], draw], render)
        train_x, train_h = features(frames)
        for k in shots:
            n = k * classes
            probe = linear_probe((train_x[:n], train_y[:n]), (val_x, val_y),
                                 (test_x, test_y), classes)
            out['probe'].setdefault(k, []).append(probe['acc'])
            if k in finetune_shots:
                tuned = partial_finetune(
                    backbone, train_h[:n, None], train_y[:n], test_h,
                    test_y, classes, finetune_epochs, seed=draw,
                    tuned_blocks=finetune_blocks, lr=finetune_lr)
                out['finetune'].setdefault(k, []).append(tuned['acc'])
    return out
