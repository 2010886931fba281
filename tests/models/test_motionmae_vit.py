# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.models import VisionTransformer
from mmaction.models.backbones.vit_mae import Attention

from motionmae_mm.models import MotionMAEVisionTransformer, SDPAAttention
from ..conftest import tiny_vit_kwargs

# mean pooling on by default, as VisionTransformer's
KW = tiny_vit_kwargs(num_heads=4, use_mean_pooling=True)


def _pair(**kw):
    torch.manual_seed(0)
    ours = MotionMAEVisionTransformer(**{**KW, **kw})
    ours.init_weights()
    for name, p in ours.named_parameters():  # non-trivial biases / norms
        p.data.add_(0.05 * torch.randn_like(p))
    ref = VisionTransformer(**{**KW, **kw})
    ref.load_state_dict(ours.state_dict())
    return ours.eval(), ref.eval()


@pytest.mark.parametrize('kw', [
    dict(),
    dict(use_mean_pooling=False),
    dict(return_feat_map=True),
    dict(init_values=0.1, use_learnable_pos_emb=True),
])
def test_unmasked_equals_mmaction(kw):
    ours, ref = _pair(**kw)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = torch.randn(2, 3, 4, 32, 32)
    out, expected = ours(x), ref(x)
    assert out.shape == expected.shape
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)
    # other frame sizes use the parent's interpolated positions too
    x = torch.randn(1, 3, 4, 48, 32)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-4, atol=1e-5)


def test_sdpa_attention_equals_manual():
    torch.manual_seed(1)
    manual = Attention(32, num_heads=4)
    manual.q_bias.data.normal_()
    manual.v_bias.data.normal_()
    fused = Attention(32, num_heads=4)
    fused.load_state_dict(manual.state_dict())
    fused.__class__ = SDPAAttention
    x = torch.randn(3, 10, 32)
    torch.testing.assert_close(fused(x), manual(x), rtol=1e-4, atol=1e-5)


def test_masked_forward_encodes_visible_tokens_in_order():
    ours, ref = _pair(use_mean_pooling=False)
    x = torch.randn(2, 3, 4, 32, 32)
    mask = torch.zeros(2, 32, dtype=torch.bool)
    mask[0, ::2] = True
    mask[1, 16:] = True
    out = ours(x, mask)
    assert out.shape == (2, 16, 32)
    # reference: mmaction's manual-attention blocks on the visible tokens
    tokens = ref.patch_embed(x)[0] + ref.pos_embed
    vis = tokens[~mask].reshape(2, 16, 32)
    for blk in ref.blocks:
        vis = blk(vis)
    torch.testing.assert_close(out, ref.norm(vis), rtol=1e-4, atol=1e-5)
    # all-visible mask = the unmasked token sequence
    full = ours(x, torch.zeros(2, 32, dtype=torch.bool))
    ours.return_feat_map = True
    fmap = ours(x).flatten(2).transpose(1, 2)
    torch.testing.assert_close(full, fmap, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('kw, key', [
    (dict(img_size=30, patch_size=8), 'img_size'),
    (dict(num_frames=5, tubelet_size=2), 'num_frames'),
])
def test_invalid_sizes_name_the_key(kw, key):
    with pytest.raises(ValueError, match=f'model.backbone.{key}'):
        MotionMAEVisionTransformer(**kw)
