# Copyright (c) OpenMMLab. All rights reserved.
"""Frame features from a tubelet encoder, and strict checkpoint loading."""
import argparse
from pathlib import Path

import pytest
import torch
from mmaction.models import VisionTransformer

from motionmae_mm.evaluation.vos.feature_extractor import (
    FrameFeatureExtractor, build_encoder, load_encoder_weights)
from motionmae_mm.utils import CheckpointError
from ..conftest import tiny_vit_cfg

TINY = tiny_vit_cfg(type='VisionTransformer', patch_size=16)


def _tiny(**kwargs) -> VisionTransformer:
    torch.manual_seed(0)
    cfg = dict(TINY, **kwargs)
    cfg.pop('type')
    return VisionTransformer(**cfg).eval()


def test_same_as_encoder_forward_on_its_own_grid() -> None:
    """One time slot, configured grid: equals the stock forward."""
    enc = _tiny(num_frames=2, return_feat_map=True)
    clip = torch.randn(3, 3, 2, 32, 32)
    with torch.no_grad():
        ref = enc(clip)  # (B, C, 1, 2, 2)
    ref = ref.flatten(2).transpose(1, 2)
    ours = FrameFeatureExtractor(enc).encode_clips(clip)
    torch.testing.assert_close(ours, ref)


def test_first_time_slot_resized_for_other_frame_sizes() -> None:
    """A 4-frame table: only slot 0 is used, resized like mmaction2 does
    for a single-slot table (checked against a 2-frame twin)."""
    enc4 = _tiny(num_frames=4)
    enc2 = _tiny(num_frames=2, return_feat_map=True)
    weights = {k: v for k, v in enc4.state_dict().items() if k != 'pos_embed'}
    enc2.load_state_dict(weights, strict=False)
    assert not torch.equal(enc4.pos_embed[:, :4], enc4.pos_embed[:, 4:])
    torch.testing.assert_close(enc4.pos_embed[:, :4], enc2.pos_embed)
    clip = torch.randn(2, 3, 2, 48, 80)  # 3x5 grid, table is 2x2
    with torch.no_grad():
        ref = enc2(clip).flatten(2).transpose(1, 2)
    ours = FrameFeatureExtractor(enc4).encode_clips(clip)
    assert ours.shape == (2, 15, 32)
    torch.testing.assert_close(ours, ref)


def test_streaming_batches_and_tubelet_modes() -> None:
    enc = _tiny()
    frames = [torch.randn(3, 32, 48) for _ in range(5)]
    one = list(FrameFeatureExtractor(enc, batch_size=1)(iter(frames)))
    three = list(FrameFeatureExtractor(enc, batch_size=3)(iter(frames)))
    assert len(one) == 5 and one[0].shape == (6, 32)
    for a, b in zip(one, three):
        torch.testing.assert_close(a, b)
    pair = list(FrameFeatureExtractor(enc, 'pair', batch_size=2)(frames))
    torch.testing.assert_close(pair[0], one[0])  # frame 0 paired w/ itself
    assert not torch.allclose(pair[1], one[1])
    clip = torch.stack([frames[2], frames[3]], dim=1)[None]
    expect = FrameFeatureExtractor(enc).encode_clips(clip)[0]
    torch.testing.assert_close(pair[3], expect)  # (t-1, t)
    with pytest.raises(ValueError, match='tubelet_mode'):
        FrameFeatureExtractor(enc, 'future')


def test_mean_pooling_model_uses_fc_norm() -> None:
    enc = _tiny(use_mean_pooling=True)
    ext = FrameFeatureExtractor(enc)
    assert ext.final_norm is enc.fc_norm


def _save(path: Path, state: dict, **extra) -> Path:
    torch.save(dict(state_dict=state, meta=dict(epoch=3), **extra), path)
    return path


def test_checkpoint_loading(tmp_path: Path) -> None:
    src = _tiny()
    state = {f'backbone.{k}': v for k, v in src.state_dict().items()}
    state['neck.decoder.weight'] = torch.zeros(2)
    state['head.loss.weight'] = torch.zeros(2)
    enc = build_encoder(dict(TINY, init_cfg=dict(type='Pretrained')))
    load_encoder_weights(enc, _save(tmp_path / 'ok.pth', state))
    for k, v in src.state_dict().items():
        torch.testing.assert_close(enc.state_dict()[k], v)

    # the fixed sinusoid table may be absent (recomputed)
    no_pos = {k: v for k, v in state.items() if k != 'backbone.pos_embed'}
    load_encoder_weights(enc, _save(tmp_path / 'nopos.pth', no_pos))

    missing = {k: v for k, v in state.items() if 'blocks.1.' not in k}
    with pytest.raises(
            CheckpointError,
            match=r"m\.pth \(an encoder \(blocks\.\*, norm\.\*, "
            r".*\)\) does not fit VisionTransformer \(policy "
            r"'encoder'\): 13 missing \(blocks\.1\.norm1\.weight"):
        load_encoder_weights(enc, _save(tmp_path / 'm.pth', missing))
    wide = dict(state)
    wide['backbone.norm.weight'] = torch.ones(64)
    with pytest.raises(
            CheckpointError,
            match=r'1 of another shape '
            r'\(checkpoint vs model: norm\.weight \(64,\) vs '
            r'\(32,\)\)'):
        load_encoder_weights(enc, _save(tmp_path / 'wide.pth', wide))
    with pytest.raises(
            CheckpointError, match="no key starts with 'backbone.'"):
        load_encoder_weights(
            enc, _save(tmp_path / 'none.pth', {'encoder.x': torch.ones(1)}))
    with pytest.raises(CheckpointError, match=r'evil\.pth.*weights_only'):
        load_encoder_weights(
            enc,
            _save(tmp_path / 'evil.pth', state, args=argparse.Namespace(lr=1)))
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        load_encoder_weights(enc, tmp_path / 'nothing.pth')
