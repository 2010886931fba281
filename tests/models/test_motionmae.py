# Copyright (c) OpenMMLab. All rights reserved.
import random

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.optim import build_optim_wrapper

from ..conftest import tiny_model_cfg


def _batch(n=2, frames=4, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    clips = torch.randint(0, 256, (n, 1, 3, frames, size, size), generator=g)
    return dict(inputs=list(clips.to(torch.uint8)), data_samples=None)


def _model(**overrides):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(**overrides))
    model.init_weights()
    return model


def test_train_step_updates_and_logs_both_losses():
    model = _model()
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.)))
    before = {k: p.clone() for k, p in model.named_parameters()}
    log = model.train_step(_batch(), optim)
    assert set(log) == {'loss', 'loss_appearance', 'loss_motion'}
    torch.testing.assert_close(log['loss'],
                               log['loss_appearance'] + log['loss_motion'])
    # every parameter got a gradient and moved (no weight decay here)
    unchanged = [k for k, p in model.named_parameters()
                 if torch.equal(p, before[k])]
    assert not unchanged


def test_targets_come_from_the_unnormalised_clip():
    model = _model()
    data = model.data_preprocessor(_batch(), training=True)
    raw = torch.stack(_batch()['inputs']).float().flatten(0, 1) / 255.
    torch.testing.assert_close(
        model.unnormalize(model._clip(data['inputs'])), raw)


def test_reconstruct_returns_the_heads_predictions_and_targets():
    from motionmae_mm.models.targets import (frame_difference, patch_norm,
                                             patchify3d)
    model = _model().eval()
    data = model.data_preprocessor(_batch(), training=False)
    torch.manual_seed(4)
    out = model.reconstruct(data['inputs'])
    mask = out['mask']
    assert mask.shape == (2, 32) and mask.sum(1).eq(24).all()
    raw = model.unnormalize(model._clip(data['inputs']))
    torch.testing.assert_close(out['clip'], raw, rtol=0, atol=0)
    # targets: per-patch-normalised tokens of the clip and of its frame
    # difference, at the masked tokens, in token order
    for name, src in (('appearance', raw), ('motion',
                                            frame_difference(raw))):
        tokens = patch_norm(patchify3d(src, 2, 8)[mask].view(2, 24, -1), 3)
        torch.testing.assert_close(out[f'target_{name}'], tokens)
    # predictions: the head on the decoder's masked tokens
    feats = model.neck(model.backbone(model._clip(data['inputs']), mask),
                       mask)
    preds = model.head(feats)
    for name in ('appearance', 'motion'):
        torch.testing.assert_close(out[f'pred_{name}'], preds[name])


def test_head_is_built_from_the_decoder():
    model = _model(neck=dict(tiny_model_cfg()['neck'], embed_dims=24))
    assert model.head.predictors['appearance'].in_features == 24
    cfg = tiny_model_cfg(
        neck=dict(tiny_model_cfg()['neck'], mode='independent'))
    del cfg['targets']['motion']  # VideoMAE: the pixel target alone
    vanilla = MODELS.build(cfg)
    assert list(vanilla.neck.decoders) == ['appearance']
    assert list(vanilla.head.predictors) == ['appearance']


@pytest.mark.parametrize('key', ['motion_weight', 'appearance_weight',
                                 'norm_pix', 'motion_norm_pix', 'gap',
                                 'signed', 'grayscale', 'normalize'])
def test_replaced_head_keys_name_their_new_key(key):
    from motionmae_mm.models.targets import REPLACED_HEAD_KEYS
    with pytest.raises(ValueError) as err:
        _model(head=dict(type='MotionMAEHead', **{key: 0}))
    assert str(err.value) == (f'model.head.{key} was replaced by '
                              f'{REPLACED_HEAD_KEYS[key]}')
    assert str(err.value).count('model.targets.') == 1


def test_motion_weight_error_says_how_to_write_videomae():
    with pytest.raises(ValueError) as err:
        _model(head=dict(type='MotionMAEHead', motion_weight=0.))
    assert str(err.value) == (
        'model.head.motion_weight was replaced by '
        'model.targets.motion.loss.loss_weight (drop the motion entry for '
        'VideoMAE)')


def test_target_checks_its_frames_and_names_are_required():
    with pytest.raises(ValueError) as err:
        _model(targets=dict(motion=dict(type='FrameDifferenceTarget', gap=4)))
    assert str(err.value) == ('model.targets.motion.gap=4 must be smaller '
                              'than model.backbone.num_frames=4')
    with pytest.raises(ValueError, match='at least one target'):
        _model(targets=None)


def test_tensor_mode_is_the_mean_of_final_norm_tokens():
    from mmaction.models import VisionTransformer
    model = _model().eval()
    data = model.data_preprocessor(_batch(), training=False)
    feats = model(data['inputs'], mode='tensor')
    # a stock mmaction2 encoder with the same weights, as a token map
    cfg = {k: v for k, v in tiny_model_cfg()['backbone'].items()
           if k != 'type'}
    stock = VisionTransformer(**cfg, return_feat_map=True).eval()
    stock.load_state_dict(model.backbone.state_dict())
    with torch.no_grad():
        fmap = stock(model._clip(data['inputs']))  # (B, C, T', H', W')
    torch.testing.assert_close(feats, fmap.mean((2, 3, 4)))
    assert feats.shape == (2, 32)
    tmap = model.extract_feat(data['inputs'], feat_map=True)
    torch.testing.assert_close(tmap, fmap)
    # token order: map[:, :, t, h, w] is token t * H'W' + h * W' + w
    tokens = model.backbone(model._clip(data['inputs']),
                            torch.zeros(2, 32, dtype=torch.bool))
    torch.testing.assert_close(tmap[:, :, 1, 2, 3], tokens[:, 16 + 2 * 4 + 3])
    with pytest.raises(RuntimeError, match='mode'):
        model(data['inputs'], mode='predict')
