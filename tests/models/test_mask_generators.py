# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.registry import MODELS

GRID = (4, 7, 7)  # T' x H' x W'


def _gen(name, ratio=0.9):
    return MODELS.build(dict(type=name, mask_ratio=ratio))


def _draw(gen, seed, batch=3):
    g = torch.Generator().manual_seed(seed)
    return gen(batch, GRID, generator=g)


def test_frame_random_masks_each_slot_independently():
    mask = _draw(_gen('FrameRandomMaskGenerator'), 0)
    assert mask.shape == (3, 196) and mask.dtype == torch.bool
    per_slot = mask.view(3, 4, 49)
    assert (per_slot.sum(-1) == int(0.9 * 49)).all()  # 44 per slot
    # different positions between slots, and between samples
    assert not (per_slot[:, 0] == per_slot[:, 1]).all()
    assert not (per_slot[0] == per_slot[1]).all()


def test_tube_mask_repeats_one_spatial_mask():
    mask = _draw(_gen('TubeMaskGenerator'), 0).view(3, 4, 49)
    assert (mask.sum(-1) == 44).all()
    assert (mask == mask[:, :1]).all()
    assert not (mask[0] == mask[1]).all()


def test_random_mask_count_over_all_tokens():
    mask = _draw(_gen('RandomMaskGenerator', 0.75), 0)
    assert (mask.sum(-1) == 147).all()
    # not constrained per slot
    counts = mask.view(3, 4, 49).sum(-1)
    assert not (counts == counts[:, :1]).all()


@pytest.mark.parametrize('name', [
    'FrameRandomMaskGenerator', 'TubeMaskGenerator', 'RandomMaskGenerator'
])
def test_seeding(name):
    gen = _gen(name)
    assert torch.equal(_draw(gen, 5), _draw(gen, 5))
    assert not torch.equal(_draw(gen, 5), _draw(gen, 6))
    torch.manual_seed(3)
    a = gen(2, GRID)
    torch.manual_seed(3)
    assert torch.equal(a, gen(2, GRID))  # global RNG by default


@pytest.mark.parametrize('ratio', [0., 1., -0.1, 1.5])
def test_ratio_outside_unit_interval(ratio):
    with pytest.raises(ValueError, match='mask_ratio'):
        _gen('FrameRandomMaskGenerator', ratio)


def test_ratio_that_masks_nothing_on_a_small_grid():
    gen = _gen('TubeMaskGenerator', 0.1)
    with pytest.raises(ValueError, match='at least one token'):
        gen(1, (2, 2, 2))
