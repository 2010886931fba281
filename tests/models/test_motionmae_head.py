# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.models.targets import patchify3d


def _loss(weight=1., **kw):
    return dict(type='MotionMAEReconstructionLoss', loss_weight=weight, **kw)


def _head(appearance=None, motion=None, **kw):
    """A head with a pixel and a frame-difference target (options of each
    merged in; ``motion=False`` drops that target)."""
    targets = dict(appearance=dict(type='PixelTarget', **(appearance or {})))
    if motion is not False:
        targets['motion'] = dict(type='FrameDifferenceTarget',
                                 **(motion or {}))
    torch.manual_seed(0)
    head = MODELS.build(
        dict(type='MotionMAEHead', targets=targets, in_dims=8, patch_size=4,
             tubelet_size=2, **kw))
    head.init_weights()
    return head


def _inputs():
    torch.manual_seed(1)
    clip = torch.rand(2, 3, 4, 8, 8)  # tokens: 2 x 2 x 2 = 8
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[:, [1, 2, 6]] = True
    feats = torch.randn(2, 3, 8)
    return clip, mask, {'appearance': feats, 'motion': feats}


def test_losses_only_see_masked_tokens():
    head = _head()
    clip, mask, feats = _inputs()
    losses = head.loss(feats, clip, mask)
    assert set(losses) == {'loss_appearance', 'loss_motion'}
    # change the pixels of visible tokens only: losses unchanged
    edited = patchify3d(clip, 2, 4)
    edited[~mask] = torch.rand_like(edited[~mask])
    from motionmae_mm.models.targets import unpatchify3d
    edited = unpatchify3d(edited, (2, 2, 2), 2, 4)
    # (a motion target also reads the frame before its tubelet: the mask
    # above keeps the previous-slot token of every masked token masked)
    again = head.loss(feats, edited, mask)
    for key in losses:
        torch.testing.assert_close(again[key], losses[key])
    # change a masked token: appearance loss moves
    tokens = patchify3d(clip, 2, 4)
    tokens[:, 1] = torch.rand_like(tokens[:, 1])
    moved = head.loss(feats, unpatchify3d(tokens, (2, 2, 2), 2, 4), mask)
    assert not torch.allclose(moved['loss_appearance'],
                              losses['loss_appearance'])


def test_targets_are_normalised_patches_of_the_masked_tokens():
    head = _head(dict(norm_pix=False), dict(norm_pix=False))
    clip, mask, _ = _inputs()
    t = head.compute_targets(clip, mask)
    expected = patchify3d(clip, 2, 4)[mask].view(2, 3, -1)
    torch.testing.assert_close(t['appearance'], expected)
    diff = clip[:, :, 1:] - clip[:, :, :-1]
    diff = torch.cat([diff[:, :, :1], diff], 2)
    torch.testing.assert_close(t['motion'],
                               patchify3d(diff, 2, 4)[mask].view(2, 3, -1))
    normed = _head().compute_targets(clip, mask)['motion'].view(2, 3, -1, 3)
    torch.testing.assert_close(normed.mean(-2), torch.zeros(2, 3, 3),
                               atol=1e-5, rtol=0)


def test_names_select_targets_and_weights_scale_them():
    base = _head(motion=False)
    assert base.target_names == ('appearance', )
    assert list(base.predictors) == ['appearance']
    clip, mask, feats = _inputs()
    assert set(base.loss(feats, clip, mask)) == {'loss_appearance'}
    gray = _head(motion=dict(grayscale=True, loss=_loss(2.)))
    assert gray.predictors['motion'].out_features == 2 * 4 * 4
    losses = gray.loss(feats, clip, mask)
    plain = _head(motion=dict(grayscale=True)).loss(feats, clip, mask)
    torch.testing.assert_close(losses['loss_motion'],
                               2 * plain['loss_motion'])
    with pytest.raises(ValueError, match='loss_weight=-1'):
        _head(motion=dict(loss=_loss(-1.)))
    with pytest.raises(ValueError, match='at least one target'):
        MODELS.build(dict(type='MotionMAEHead', targets={}))


def test_loss_is_a_configurable_module():
    clip, mask, feats = _inputs()
    l1_loss = _loss(criterion='L1')
    l1 = _head(dict(loss=l1_loss), dict(loss=l1_loss))
    preds, targets = l1(feats), l1.compute_targets(clip, mask)
    losses = l1.loss(feats, clip, mask)
    for name in ('appearance', 'motion'):
        torch.testing.assert_close(losses[f'loss_{name}'],
                                   (preds[name] - targets[name]).abs().mean())
    with pytest.raises(ValueError, match="criterion='L3'"):
        _head(dict(loss=_loss(criterion='L3')))
