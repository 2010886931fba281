# Copyright (c) OpenMMLab. All rights reserved.
"""The linear probe's frozen encoder pools the one encoder forward and
honours a mask."""
import torch

from motionmae_mm.models.utils import encoder_features
from ..conftest import build_tiny_vit


def _pair():
    """A frozen encoder and a plain one with the same weights."""
    plain = build_tiny_vit(0).eval()
    frozen = build_tiny_vit(1, type='MotionMAEFrozenVisionTransformer')
    frozen.load_state_dict(plain.state_dict())
    return frozen, plain


def test_unmasked_features_are_the_mean_of_final_norm_tokens():
    frozen, plain = _pair()
    clip = torch.randn(2, 3, 4, 32, 32)
    feats = frozen(clip)
    assert feats.shape == (2, 32) and not feats.requires_grad
    with torch.no_grad():
        tokens = encoder_features(plain, clip, feat_map=True)
    torch.testing.assert_close(feats, tokens.mean((2, 3, 4)))
    torch.testing.assert_close(feats, encoder_features(frozen, clip))
    assert frozen.return_feat_map is False  # restored after each call
    assert not any(p.requires_grad for p in frozen.parameters())


def test_mask_is_honoured():
    """With a mask, the mean is over the visible tokens encoded alone."""
    frozen, plain = _pair()
    clip = torch.randn(2, 3, 4, 32, 32)
    mask = (torch.arange(32) % 4 != 0).expand(2, -1)  # 8 visible of 32
    with torch.no_grad():
        visible = plain(clip, mask)
    assert visible.shape == (2, 8, 32)
    torch.testing.assert_close(frozen(clip, mask), visible.mean(1))
    assert (frozen(clip, mask) - frozen(clip)).abs().max() > 1e-3
    none = torch.zeros(2, 32, dtype=torch.bool)
    torch.testing.assert_close(
        frozen(clip, none), frozen(clip), rtol=1e-5, atol=1e-5)
