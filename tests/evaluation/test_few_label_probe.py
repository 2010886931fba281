# Copyright (c) OpenMMLab. All rights reserved.
"""The few-label probe `make demo` ends with."""
from types import SimpleNamespace

import pytest
import torch

from motionmae_mm.evaluation.few_label_probe import (draw_per_class,
                                                     few_label_probe)
from ..conftest import build_tiny_vit


def test_draws_take_k_per_class_and_depend_on_the_seed():
    labels = torch.arange(3).repeat(5)  # 5 clips of each of 3 classes
    first = draw_per_class(labels, 2, seed=0)
    assert sorted(labels[first].tolist()) == [0, 0, 1, 1, 2, 2]
    assert torch.equal(first, draw_per_class(labels, 2, seed=0))
    assert not torch.equal(first, draw_per_class(labels, 2, seed=1))
    with pytest.raises(ValueError, match='class 0 has 5 training clips, '
                       'fewer than 6 labels per class'):
        draw_per_class(labels, 6, seed=0)


def _clips(labels: torch.Tensor, readable: bool) -> torch.Tensor:
    """Noise clips; with ``readable`` their brightness is the label."""
    gen = torch.Generator().manual_seed(len(labels))
    x = torch.randn(len(labels), 3, 4, 32, 32, generator=gen)
    return x + 2. * labels.view(-1, 1, 1, 1, 1) if readable else x


@pytest.mark.parametrize('readable', [True, False])
def test_probe_reads_what_the_features_hold(readable):
    """A label in the pixels is read (100 %); a label that is not stays
    near chance (25 % for 4 classes)."""
    y = {split: torch.arange(4).repeat(n)
         for split, n in dict(train=6, val=3, test=10).items()}
    data = SimpleNamespace(
        train=_clips(y['train'], readable)[:, None],
        val=_clips(y['val'], readable), test=_clips(y['test'], readable),
        train_y=y['train'], val_y=y['val'], test_y=y['test'], num_classes=4)
    out = few_label_probe(build_tiny_vit(), data, shots=5, draws=2)
    assert len(out['acc']) == 2
    if readable:
        assert out['acc'] == [100., 100.]
    else:
        assert out['mean'] <= 50.
    assert out['mean'] == pytest.approx(sum(out['acc']) / 2)
