# Copyright (c) OpenMMLab. All rights reserved.
"""Decoder masking (VideoMAE V2's dual masking)."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.optim import build_optim_wrapper

from motionmae_mm.models.mask_generators import (running_cell_keep,
                                                 select_decoder_targets)
from ..conftest import tiny_model_cfg


def _batch(n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    clips = torch.randint(0, 256, (n, 1, 3, 4, 32, 32), generator=g)
    return dict(inputs=list(clips.to(torch.uint8)), data_samples=None)


def _model(**kw):
    torch.manual_seed(0)
    model = MODELS.build(dict(tiny_model_cfg(), **kw))
    model.init_weights()
    return model


def _step(model, reference=False):
    """One AdamW step; ``reference`` writes out the step without decoder
    masking (every masked token decoded and scored) instead of
    ``train_step``. Returns the log, the RNG state and the parameters."""
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=1e-3)))
    torch.manual_seed(3)
    if reference:
        data = model.data_preprocessor(_batch(), training=True)
        clip = model._clip(data['inputs'])
        raw = model.unnormalize(clip)
        mask = model.draw_mask(clip, raw)
        feats = model.neck(model.backbone(clip, mask), mask)
        loss, log = model.parse_losses(model.head.loss(feats, raw, mask))
        optim.update_params(loss)
    else:
        log = model.train_step(_batch(), optim)
    return log, torch.get_rng_state(), [p.detach().clone()
                                        for p in model.parameters()]


@pytest.mark.parametrize('mode', ['shared', 'independent'])
def test_ratio_zero_is_todays_step_exactly(mode):
    neck = dict(tiny_model_cfg()['neck'], mode=mode)
    today = _step(_model(neck=neck), reference=True)
    zero = _step(
        _model(
            neck=neck,
            decoder_mask_ratio=0.,
            decoder_mask_mode='running_cell'))
    assert set(zero[0]) == set(today[0]) == {
        'loss', 'loss_appearance', 'loss_motion'
    }
    for key in today[0]:
        assert torch.equal(today[0][key], zero[0][key]), key
    assert torch.equal(today[1], zero[1])  # no extra random draw
    for p, q in zip(today[2], zero[2]):
        assert torch.equal(p, q)
    # the comparison sees a decoder subset: at ratio 0.5 all of it differs
    half = _step(_model(neck=neck, decoder_mask_ratio=0.5))
    for key in today[0]:
        assert not torch.equal(today[0][key], half[0][key]), key
    assert not torch.equal(today[1], half[1])  # the subset's draw
    assert not torch.equal(today[2][0], half[2][0])


@pytest.mark.parametrize('mode', ['random', 'running_cell'])
def test_subset_has_fixed_count_inside_the_mask(mode):
    torch.manual_seed(0)
    mask = torch.rand(4, 2 * 4 * 4).argsort(1) < 24  # 24 of 32 masked
    sub = select_decoder_targets(mask, 0.5, mode, (2, 4, 4))
    assert sub.sum(1).eq(12).all()
    assert not (sub & ~mask).any()


def test_running_cell_keeps_half_of_each_cell_and_moves():
    keep = running_cell_keep((4, 2, 2), 0.5, torch.device('cpu')).view(4, 4)
    assert keep.sum(1).eq(2).all()  # half of each 2x2 cell, every slot
    assert keep.sum(0).eq(2).all()  # every position equally often
    assert not torch.equal(keep[0], keep[1])  # the pattern moves in time
    # running-cell positions among the masked tokens come first
    mask = torch.ones(1, 16, dtype=torch.bool)
    sub = select_decoder_targets(mask, 0.5, 'running_cell', (4, 2, 2))
    assert torch.equal(sub[0], keep.flatten())


@pytest.mark.parametrize('mode', ['shared', 'independent'])
def test_half_ratio_decodes_and_scores_only_the_subset(mode):
    model = _model(
        neck=dict(tiny_model_cfg()['neck'], mode=mode),
        decoder_mask_ratio=0.5)
    data = model.data_preprocessor(_batch(), training=True)
    clip = model._clip(data['inputs'])
    raw = model.unnormalize(clip)
    torch.manual_seed(5)
    losses = model.loss(data['inputs'])
    torch.manual_seed(5)
    mask = model.draw_mask(clip, raw)
    sub = select_decoder_targets(mask, 0.5)
    assert sub.sum(1).eq(12).all() and mask.sum(1).eq(24).all()
    feats = model.neck(model.backbone(clip, mask), mask, sub)
    assert all(f.shape[1] == 12 for f in feats.values())
    expected = model.head.loss(feats, raw, sub)
    for key in expected:
        torch.testing.assert_close(losses[key], expected[key], rtol=0,
                                   atol=0)


def test_bad_ratio_and_mode_are_named():
    with pytest.raises(ValueError, match='decoder_mask_ratio=1'):
        _model(decoder_mask_ratio=1.)
    with pytest.raises(ValueError, match="decoder_mask_mode='tube'"):
        select_decoder_targets(torch.ones(1, 4, dtype=torch.bool), 0.5,
                               'tube')
