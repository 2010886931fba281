# Copyright (c) OpenMMLab. All rights reserved.
"""Hugging Face VideoMAE folders -> our checkpoints: bit-exact round trips,
a stock Recognizer3D loads them, and their stored config rebuilds them."""
import json

import pytest
import torch
from mmaction.registry import MODELS
from safetensors.torch import load_file

from motionmae_mm.convert import (ConversionError, export_to_hf,
                                  import_from_hf)
from motionmae_mm.convert.checkpoint_model import load_source
from motionmae_mm.utils import read_checkpoint
from ..conftest import recognizer_cfg
from .helpers import make_finetune, make_pretrain

transformers = pytest.importorskip('transformers')


def _plain(value) -> bool:
    """Only plain Python data (what meta must hold)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


@pytest.fixture(scope='module')
def pretrain_round_trip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('round_trip')
    path, model = make_pretrain(tmp)
    export_to_hf(str(path), str(tmp / 'hf'))
    out = tmp / 'back.pth'
    import_from_hf(str(tmp / 'hf'), str(out))
    return model, out, tmp


def test_pretrain_round_trip_is_bit_exact(pretrain_round_trip):
    model, out, _ = pretrain_round_trip
    ckpt = read_checkpoint(out)
    state, original = ckpt['state_dict'], model.state_dict()
    backbone = {k for k in original if k.startswith('backbone.')}
    assert {k for k in state if k.startswith('backbone.')} == backbone
    decoder = {
        k
        for k in original
        if k.startswith('neck.') or k.startswith('head.predictors.appearance')
    }
    assert set(state) == backbone | decoder  # the motion head is gone
    for key in state:
        assert state[key].dtype == original[key].dtype, key
        assert torch.equal(state[key], original[key]), key
    assert _plain(ckpt['meta']) and ckpt['meta']['kind'] == 'pretrain'
    assert ckpt['meta']['hf_architecture'] == 'VideoMAEForPreTraining'


def test_imported_checkpoint_rebuilds_and_exports_identically(
        pretrain_round_trip):
    _, out, tmp = pretrain_round_trip
    model, meta = load_source(str(out))  # from meta['cfg'] alone
    assert type(model).__name__ == 'MotionMAE'
    assert model.head.target_names == ('appearance', )  # VideoMAE
    export_to_hf(str(out), str(tmp / 'hf2'))
    first = load_file(str(tmp / 'hf' / 'model.safetensors'))
    second = load_file(str(tmp / 'hf2' / 'model.safetensors'))
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_import_loads_into_a_stock_recognizer(pretrain_round_trip):
    model, out, _ = pretrain_round_trip
    for backbone in ('VisionTransformer', 'MotionMAEVisionTransformer'):
        cfg = recognizer_cfg(
            str(out),
            backbone,
            embed_dims=64,
            img_size=64,
            num_frames=8,
            in_channels=3)
        cfg['cls_head']['in_channels'] = 64
        recognizer = MODELS.build(cfg)
        recognizer.init_weights()  # strict Pretrained, prefix='backbone.'
        own = recognizer.backbone.state_dict()
        theirs = model.backbone.state_dict()
        loaded = set(own) & set(theirs)
        assert loaded == set(theirs) - {'norm.weight', 'norm.bias'}
        for key in loaded:
            assert torch.equal(own[key], theirs[key]), key


def test_finetuned_round_trip_keeps_the_classifier(tmp_path):
    path, model = make_finetune(tmp_path)
    export_to_hf(str(path), str(tmp_path / 'hf'))
    ckpt = import_from_hf(str(tmp_path / 'hf'), str(tmp_path / 'back.pth'))
    assert ckpt['meta']['kind'] == 'finetune'
    assert ckpt['meta']['num_classes'] == 8
    original = model.state_dict()
    assert set(ckpt['state_dict']) == set(original)
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(value, original[key]), key
    rebuilt, _ = load_source(str(tmp_path / 'back.pth'))
    assert type(rebuilt.cls_head).__name__ == 'TimeSformerHead'


def test_encoder_only_folder_imports_with_a_backbone_config(tmp_path):
    path, model = make_pretrain(tmp_path)
    export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    ckpt = import_from_hf(str(tmp_path / 'hf'), str(tmp_path / 'enc.pth'))
    assert ckpt['meta']['kind'] == 'encoder'
    assert 'model = dict(' in ckpt['meta']['cfg']
    original = model.state_dict()
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(value, original[key]), key
    rebuilt, _ = load_source(str(tmp_path / 'enc.pth'))
    assert type(rebuilt.backbone).__name__ == 'MotionMAEVisionTransformer'


def test_sharded_folder_imports(tmp_path):
    path, model = make_pretrain(tmp_path)
    export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    hf = transformers.VideoMAEModel.from_pretrained(str(tmp_path / 'hf'))
    hf.save_pretrained(str(tmp_path / 'sharded'), max_shard_size='100KB')
    assert (tmp_path / 'sharded' / 'model.safetensors.index.json').exists()
    ckpt = import_from_hf(
        str(tmp_path / 'sharded'), str(tmp_path / 'sharded.pth'))
    assert torch.equal(ckpt['state_dict']['backbone.blocks.1.attn.qkv.weight'],
                       model.state_dict()['backbone.blocks.1.attn.qkv.weight'])


def test_bad_folders_are_refused(tmp_path):
    with pytest.raises(ConversionError, match='no such folder'):
        import_from_hf(str(tmp_path / 'none'), str(tmp_path / 'o.pth'))
    (tmp_path / 'bert').mkdir()
    (tmp_path / 'bert' / 'config.json').write_text(
        json.dumps(dict(model_type='bert')))
    with pytest.raises(ConversionError, match="model_type 'bert'"):
        import_from_hf(str(tmp_path / 'bert'), str(tmp_path / 'o.pth'))
    (tmp_path / 'empty').mkdir()
    (tmp_path / 'empty' / 'config.json').write_text(
        json.dumps(dict(model_type='videomae')))
    with pytest.raises(ConversionError, match='no weights'):
        import_from_hf(str(tmp_path / 'empty'), str(tmp_path / 'o.pth'))
    assert not (tmp_path / 'o.pth').exists()


def test_pytorch_model_bin_folder_imports_as_data(tmp_path):
    path, model = make_pretrain(tmp_path)
    export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    legacy = tmp_path / 'legacy'
    legacy.mkdir()
    (legacy / 'config.json').write_text(
        (tmp_path / 'hf' / 'config.json').read_text())
    torch.save(
        load_file(str(tmp_path / 'hf' / 'model.safetensors')),
        legacy / 'pytorch_model.bin')
    ckpt = import_from_hf(str(legacy), str(tmp_path / 'legacy.pth'))
    original = model.state_dict()
    assert all(
        torch.equal(v, original[k]) for k, v in ckpt['state_dict'].items())


def test_settings_ours_cannot_hold_are_refused(tmp_path):
    path, _ = make_pretrain(tmp_path)
    export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    config = tmp_path / 'hf' / 'config.json'
    config.write_text(
        json.dumps({
            **json.loads(config.read_text()), 'hidden_act': 'gelu_new'
        }))
    with pytest.raises(
            ConversionError,
            match=r"config.json: hidden_act='gelu_new': ours is exact GELU"):
        import_from_hf(str(tmp_path / 'hf'), str(tmp_path / 'o.pth'))
