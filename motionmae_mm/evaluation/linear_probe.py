# Copyright (c) OpenMMLab. All rights reserved.
"""Linear probe of frozen features: deterministic logistic regression.

Full-batch L-BFGS from zeros on standardised features, the L2 weight picked
on a validation split; no random init and no sampling, so the same features
give the same accuracy on every run (what a benchmark across seeds needs).
"""
from typing import Callable, Dict, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def fit_logistic(x: Tensor,
                 y: Tensor,
                 num_classes: int,
                 weight_decay: float,
                 max_iter: int = 200) -> nn.Linear:
    """Multinomial logistic regression, full-batch L-BFGS from zeros.

    Deterministic (no random init, no sampling). Minimises mean cross
    entropy + ``weight_decay / 2 * ||W||^2``.
    """
    linear = nn.Linear(x.shape[1], num_classes).double()
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    x, y = x.double(), y.long()
    opt = torch.optim.LBFGS(
        linear.parameters(),
        lr=1.,
        max_iter=max_iter,
        history_size=20,
        tolerance_grad=1e-9,
        tolerance_change=1e-12,
        line_search_fn='strong_wolfe')

    def closure() -> Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(linear(x), y)
        loss = loss + weight_decay / 2 * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return linear


def standardiser(train_x: Tensor) -> Callable[[Tensor], Tensor]:
    """``x -> (x - mean) / std`` in float64, with the training features'
    mean and std (clamped at 1e-6 for constant features)."""
    mean = train_x.mean(0, keepdim=True)
    std = train_x.std(0, keepdim=True).clamp(min=1e-6)
    return lambda x: ((x - mean) / std).double()


def accuracy(logits: Tensor, y: Tensor) -> float:
    """Top-1 accuracy in percent."""
    return float((logits.argmax(1) == y).double().mean() * 100)


def linear_probe(
    train: Tuple[Tensor, Tensor],
    val: Tuple[Tensor, Tensor],
    test: Tuple[Tensor, Tensor],
    num_classes: int,
    weight_decays: Sequence[float] = (1e-4, 1e-3, 1e-2, 1e-1, 1.)
) -> Dict:
    """Logistic regression on standardised features, L2 picked on val.

    Features are standardised with the training mean/std. For every
    ``weight_decays`` value a classifier is fitted on train; the best val
    accuracy (ties: the stronger L2) picks the one scored on test.

    Returns:
        dict: ``acc`` (test top-1 %), ``val_acc``, ``weight_decay``.
    """
    norm = standardiser(train[0])

    best = None
    for wd in sorted(weight_decays, reverse=True):
        clf = fit_logistic(norm(train[0]), train[1], num_classes, wd)
        with torch.no_grad():
            val_acc = accuracy(clf(norm(val[0])), val[1])
        if best is None or val_acc > best[0]:
            best = (val_acc, wd, clf)
    val_acc, wd, clf = best
    with torch.no_grad():
        acc = accuracy(clf(norm(test[0])), test[1])
    return dict(acc=acc, val_acc=val_acc, weight_decay=wd)
