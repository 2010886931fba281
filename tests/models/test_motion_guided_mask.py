# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.models.targets import frame_difference, patchify3d
from ..conftest import tiny_model_cfg

GRID = (4, 7, 7)  # 8 frames x 28 x 28: tubelet 2, patch 4


def _gen(**kwargs):
    return MODELS.build(dict(type='MotionGuidedMaskGenerator', **kwargs))


def _moving_square(batch=1, frames=8, size=28, side=6, step=2):
    """A white square moving right on black: motion only on its path."""
    clip = torch.zeros(batch, 3, frames, size, size)
    for t in range(frames):
        x = 2 + step * t
        clip[:, :, t, 10:10 + side, x:x + side] = 1.
    return clip


def _draw(gen, clip, seed=0):
    g = torch.Generator().manual_seed(seed)
    return gen(clip.shape[0], GRID, clip=clip, generator=g)


def test_counts_per_slot_and_over_the_clip():
    clip = _moving_square(batch=3)
    mask = _draw(_gen(), clip)
    assert mask.shape == (3, 196) and mask.dtype == torch.bool
    assert (mask.view(3, 4, 49).sum(-1) == int(0.9 * 49)).all()
    mask = _draw(_gen(mask_ratio=0.5, per_slot=False), clip)
    assert (mask.sum(-1) == 98).all()
    counts = mask.view(3, 4, 49).sum(-1)
    assert not (counts == counts[:, :1]).all()  # moving slots mask more


def test_energy_is_mean_abs_difference_per_token():
    g = torch.Generator().manual_seed(0)
    clip = torch.rand(2, 3, 8, 28, 28, generator=g)
    energy = _gen().token_energy(clip, GRID)
    diff = frame_difference(clip, 1, signed=False)
    ref = patchify3d(diff, 2, 4).mean(-1).view(2, *GRID)
    torch.testing.assert_close(energy, ref)


def test_seeding():
    gen, clip = _gen(), _moving_square(batch=2)
    assert torch.equal(_draw(gen, clip, 5), _draw(gen, clip, 5))
    assert not torch.equal(_draw(gen, clip, 5), _draw(gen, clip, 6))
    torch.manual_seed(3)
    a = gen(2, GRID, clip=clip)
    torch.manual_seed(3)
    assert torch.equal(a, gen(2, GRID, clip=clip))  # global RNG by default


def test_moving_square_is_masked_far_more_often_than_chance():
    clip = _moving_square(batch=400)  # 400 draws on the same clip
    moving = _gen().token_energy(clip[:1], GRID).flatten() > 0
    assert 10 <= moving.sum() <= 60  # the square's path, not the background
    # ratio 0.5: chance is 24 / 49 = 0.49 per token
    freq = _draw(_gen(mask_ratio=0.5), clip).float().mean(0)
    assert freq[moving].mean() > 0.85
    assert freq[~moving].mean() < 0.45
    # ratio 0.9: moving tokens are (almost) never the visible ones
    freq = _draw(_gen(mask_ratio=0.9), clip).float().mean(0)
    assert 1 - freq[moving].mean() < 0.01  # chance: 5 / 49 = 0.10 visible
    # the hotter, the greedier
    hot = _draw(_gen(mask_ratio=0.5, temperature=0.05), clip).float()
    cold = _draw(_gen(mask_ratio=0.5, temperature=5.), clip).float()
    assert hot.mean(0)[moving].mean() > cold.mean(0)[moving].mean() + 0.3


@pytest.mark.parametrize('noise', [0., 1. / 255])
def test_static_clip_masks_uniformly(noise):
    g = torch.Generator().manual_seed(1)
    clip = torch.full((2000, 3, 8, 14, 14), 0.5)
    clip = clip + noise * torch.rand(clip.shape, generator=g)
    freq = _draw(_gen(mask_ratio=0.5), clip).float().mean(0)
    # 24 / 49 per slot; binomial std over 2000 draws is about 0.011
    assert (freq - 24 / 49).abs().max() < 0.05


def test_missing_clip_names_the_generator():
    with pytest.raises(ValueError, match='MotionGuidedMaskGenerator'):
        _gen()(2, GRID)
    with pytest.raises(ValueError, match='does not tile'):
        _gen()(1, GRID, clip=torch.zeros(1, 3, 8, 25, 28))
    with pytest.raises(ValueError, match='temperature'):
        _gen(temperature=0.)


def test_trains_inside_motionmae():
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_model_cfg(
            mask_generator=dict(
                type='MotionGuidedMaskGenerator', mask_ratio=0.75)))
    model.init_weights()
    clips = torch.randint(0, 256, (2, 1, 3, 4, 32, 32), dtype=torch.uint8)
    data = model.data_preprocessor(
        dict(inputs=list(clips), data_samples=None), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_appearance', 'loss_motion'}
    assert all(torch.isfinite(v) for v in losses.values())
