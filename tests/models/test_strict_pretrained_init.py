# Copyright (c) OpenMMLab. All rights reserved.
"""A pretraining checkpoint loads into a stock Recognizer3D, exactly."""
import logging

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.logging import MMLogger

from motionmae_mm.utils import publish_checkpoint
from motionmae_mm.utils.state_policy import check_state
from ..conftest import recognizer_cfg, save_pretrain_checkpoint

EXPECTED_MISSING = {'fc_norm.weight', 'fc_norm.bias'}
EXPECTED_UNEXPECTED = {'norm.weight', 'norm.bias'}


@pytest.fixture
def pretrain_ckpt(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    return path, save_pretrain_checkpoint(path)


def _build(cfg: dict) -> torch.nn.Module:
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('backbone',
                         ['MotionMAEVisionTransformer', 'VisionTransformer'])
def test_every_encoder_tensor_arrives_bit_exactly(pretrain_ckpt, backbone):
    path, state = pretrain_ckpt
    model = _build(recognizer_cfg(str(path), backbone))
    encoder = {
        k[len('backbone.'):]: v
        for k, v in state.items() if k.startswith('backbone.')
    }
    own = model.backbone.state_dict()
    shared = set(encoder) & set(own)
    assert len(shared) == len(encoder) - 2  # all but the final norm
    for key in shared:
        assert torch.equal(own[key], encoder[key]), key
    check = check_state(model.backbone, encoder, 'encoder')
    assert (check.missing, check.unexpected, check.mismatched,
            check.untrained) == ([], [], [], [])
    assert set(check.skipped) == EXPECTED_MISSING | EXPECTED_UNEXPECTED
    assert set(own) - set(encoder) == EXPECTED_MISSING
    assert set(encoder) - set(own) == EXPECTED_UNEXPECTED


def test_sdpa_and_mmaction_backbones_give_equal_logits(pretrain_ckpt):
    path, _ = pretrain_ckpt
    torch.manual_seed(1)
    ours = _build(recognizer_cfg(str(path), 'MotionMAEVisionTransformer'))
    stock = _build(recognizer_cfg(str(path), 'VisionTransformer'))
    stock.cls_head.load_state_dict(ours.cls_head.state_dict())
    assert ours.state_dict().keys() == stock.state_dict().keys()
    clips = torch.randint(0, 256, (2, 3, 3, 4, 32, 32), dtype=torch.uint8)
    batch = ours.data_preprocessor(
        dict(inputs=list(clips), data_samples=None), False)
    with torch.no_grad():
        a = ours.cls_head(ours.extract_feat(batch['inputs'])[0])
        b = stock.cls_head(stock.extract_feat(batch['inputs'])[0])
    assert a.shape == (2 * 3, 5)
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_grid_change_regenerates_positions(pretrain_ckpt):
    path, _ = pretrain_ckpt
    model = _build(recognizer_cfg(str(path), num_frames=8))  # 4 -> 8 frames
    assert model.backbone.pos_embed.shape[1] == 4 * 4 * 4


@pytest.mark.parametrize('change, message', [
    (dict(embed_dims=48, num_heads=2), r'28 of another shape \(checkpoint '
     r'vs model: patch_embed\.projection\.weight \(32, 3, 2, 8, 8\) vs '
     r'\(48, 3, 2, 8, 8\)'),
    (dict(depth=3), r": 13 missing \(blocks\.2\.norm1\.weight"),
    (dict(depth=1), r": 13 unexpected \(blocks\.1\.norm1\.weight"),
    (dict(patch_size=4, img_size=16), r'1 of another shape \(checkpoint vs '
     r'model: patch_embed\.projection\.weight \(32, 3, 2, 8, 8\) vs '
     r'\(32, 3, 2, 4, 4\)\)'),
])
def test_mismatching_checkpoint_fails_loudly(pretrain_ckpt, change, message):
    path, _ = pretrain_ckpt
    cfg = recognizer_cfg(str(path), **change)
    model = MODELS.build(cfg)
    with pytest.raises(ValueError, match=message) as err:
        model.init_weights()
    assert str(path) in str(err.value) and '\n' not in str(err.value)


def test_missing_or_unset_checkpoint_is_one_line_error(tmp_path):
    model = MODELS.build(recognizer_cfg(str(tmp_path / 'nope.pth')))
    with pytest.raises(FileNotFoundError, match='no such file: .*nope.pth'):
        model.init_weights()
    model = MODELS.build(recognizer_cfg(None))
    with pytest.raises(ValueError, match='model.backbone.init_cfg.checkpoint'):
        model.init_weights()


def test_official_layout_points_to_the_converter(tmp_path):
    path = tmp_path / 'official.pth'
    torch.save(dict(model={'encoder.norm.weight': torch.ones(2)}), path)
    model = MODELS.build(recognizer_cfg(str(path)))
    with pytest.raises(ValueError, match='videomae_to_mmaction'):
        model.init_weights()


def test_non_strict_keeps_mmengine_behaviour(pretrain_ckpt):
    """strict=False: what matches loads, the rest stays initialised and
    mmengine logs the missing keys instead of raising."""
    path, state = pretrain_ckpt
    cfg = recognizer_cfg(str(path), depth=3)
    cfg['backbone']['init_cfg']['strict'] = False
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        model = _build(cfg)  # logs, does not raise
    finally:
        logger.removeHandler(handler)
    own = model.backbone.state_dict()
    for key, value in state.items():
        name = key[len('backbone.'):]
        if key.startswith('backbone.') and name in own:
            assert torch.equal(own[name], value), name
    extra = own['blocks.2.attn.qkv.weight']  # not in the checkpoint
    assert not any(v.shape == extra.shape and torch.equal(v, extra)
                   for v in state.values())
    log = '\n'.join(records)
    assert 'missing keys in source state_dict' in log
    assert 'blocks.2.attn.qkv.weight' in log
    assert 'blocks.0.' not in log.split('missing keys')[1].split('\n')[0]


@pytest.mark.parametrize('strict', [True, False])
def test_safetensors_checkpoint_loads_like_pth(pretrain_ckpt, tmp_path,
                                               strict):
    """init_cfg Pretrained reads the .safetensors twin, strict or not."""
    path, state = pretrain_ckpt
    _, twin = publish_checkpoint(str(path), str(tmp_path / 'pub.pth'))
    backbones = []
    for checkpoint in (str(path), twin):
        cfg = recognizer_cfg(checkpoint)
        cfg['backbone']['init_cfg']['strict'] = strict
        torch.manual_seed(0)
        backbones.append(_build(cfg).backbone.state_dict())
    assert backbones[0].keys() == backbones[1].keys()
    for key, value in backbones[0].items():
        assert torch.equal(value, backbones[1][key]), key
    assert torch.equal(backbones[1]['blocks.1.attn.qkv.weight'],
                       state['backbone.blocks.1.attn.qkv.weight'])


def test_removed_arguments_and_unknown_policy_are_one_line(pretrain_ckpt):
    path, _ = pretrain_ckpt
    cfg = recognizer_cfg(str(path))
    cfg['backbone']['init_cfg']['allow_missing'] = ['blocks.']
    with pytest.raises(ValueError) as err:
        MODELS.build(cfg).init_weights()
    assert str(err.value) == (
        'init_cfg: allow_missing: not an argument of Pretrained '
        "(allow_missing / allow_unexpected became policy='encoder' or "
        "'exact', docs/design.md §3)")
    cfg = recognizer_cfg(str(path))
    cfg['backbone']['init_cfg']['policy'] = 'lax'
    with pytest.raises(ValueError, match="unknown checkpoint policy 'lax'"):
        MODELS.build(cfg).init_weights()


def test_exact_policy_refuses_the_pooling_norms(pretrain_ckpt):
    path, _ = pretrain_ckpt
    cfg = recognizer_cfg(str(path))
    cfg['backbone']['init_cfg']['policy'] = 'exact'
    with pytest.raises(ValueError, match=r"\(policy 'exact'\): 2 missing "
                       r'\(fc_norm\.weight[^;]*\); 2 unexpected '
                       r'\(norm\.weight'):
        MODELS.build(cfg).init_weights()
