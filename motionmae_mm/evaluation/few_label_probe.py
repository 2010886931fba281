# Copyright (c) OpenMMLab. All rights reserved.
"""Few-label linear probe of a frozen encoder on annotation lists.

``k`` labelled training clips per class, drawn ``draws`` times (draw ``d``
is a seeded choice per class, the same for every encoder), a logistic
probe on the mean token with its L2 picked on the val list, top-1 on the
test list. `make demo` prints it for its checkpoint next to random init.
"""
from typing import Dict

import torch
from torch import Tensor, nn

from .encoder_eval import EvalClips
from .features import encode, mean_features
from .linear_probe import linear_probe


def draw_per_class(labels: Tensor, shots: int, seed: int) -> Tensor:
    """Indices of ``shots`` clips of every class, chosen by ``seed``.

    Raises:
        ValueError: A class has fewer than ``shots`` clips.
    """
    gen = torch.Generator().manual_seed(seed)
    chosen = []
    for cls in labels.unique().tolist():
        idx = (labels == cls).nonzero().flatten()
        if len(idx) < shots:
            raise ValueError(f'class {cls} has {len(idx)} training clips, '
                             f'fewer than {shots} labels per class')
        chosen.append(idx[torch.randperm(len(idx), generator=gen)[:shots]])
    return torch.cat(chosen)


def few_label_probe(backbone: nn.Module,
                    data: EvalClips,
                    shots: int = 20,
                    draws: int = 3) -> Dict:
    """Frozen linear probe with ``shots`` labels per class, ``draws`` times.

    Returns:
        dict: ``acc`` (test top-1 % per draw), ``mean`` and ``std``.
    """
    def features(clips: Tensor) -> Tensor:
        return mean_features(encode(backbone, clips)[0])

    train = features(data.train[:, 0])
    val = (features(data.val), data.val_y)
    test = (features(data.test), data.test_y)
    accs = []
    for draw in range(draws):
        idx = draw_per_class(data.train_y, shots, draw)
        accs.append(
            linear_probe((train[idx], data.train_y[idx]), val, test,
                         data.num_classes)['acc'])
    scores = torch.tensor(accs)
    return dict(
        acc=accs,
        mean=float(scores.mean()),
        std=float(scores.std()) if draws > 1 else 0.)
