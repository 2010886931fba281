# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.models.backbones.vit_mae import get_sinusoid_encoding
from mmaction.registry import MODELS


def _decoder(mode):
    torch.manual_seed(0)
    dec = MODELS.build(
        dict(type='MotionMAEDecoder', in_dims=24, embed_dims=16, depth=1,
             num_heads=2, mode=mode, branches=('appearance', 'motion')))
    dec.init_weights()
    return dec


def _mask():
    mask = torch.zeros(2, 12, dtype=torch.bool)
    mask[0, [1, 4, 5, 9]] = True
    mask[1, [0, 2, 3, 11]] = True
    return mask


def test_shared_returns_masked_tokens_for_each_branch():
    dec = _decoder('shared')
    out = dec(torch.randn(2, 8, 24), _mask())
    assert set(out) == {'appearance', 'motion'}
    assert out['appearance'].shape == (2, 4, 16)
    assert out['appearance'] is out['motion']
    assert list(dec.decoders) == ['shared']


def test_independent_has_one_decoder_per_branch():
    """Each branch is the shared decoder with that branch's blocks, over
    the same projection and mask token."""
    dec = _decoder('independent').eval()
    x, mask = torch.randn(2, 8, 24), _mask()
    out = dec(x, mask)
    assert list(dec.decoders) == ['appearance', 'motion']
    shared = _decoder('shared').eval()
    for name in ('appearance', 'motion'):
        state = {
            k.replace(f'decoders.{name}.', 'decoders.shared.'): v
            for k, v in dec.state_dict().items()
            if not k.startswith('decoders.')
            or k.startswith(f'decoders.{name}.')
        }
        shared.load_state_dict(state)
        torch.testing.assert_close(out[name], shared(x, mask)[name])
    # two stacks, initialised apart: not one module under two names
    weights = [
        dec.decoders[name].blocks[0].attn.qkv.weight
        for name in ('appearance', 'motion')
    ]
    assert weights[0] is not weights[1]
    assert not torch.equal(*weights)
    n_shared = sum(p.numel() for p in shared.parameters())
    n_stack = sum(p.numel() for p in shared.decoders.parameters())
    assert sum(p.numel() for p in dec.parameters()) == n_shared + n_stack


def test_masked_outputs_follow_token_positions():
    """A masked token's output is the decoder blocks' output for the mask
    token plus its own position's sinusoid, wherever it sits in the
    sequence."""
    dec = _decoder('shared').eval()
    x = torch.randn(1, 8, 24)
    mask = torch.zeros(1, 12, dtype=torch.bool)
    mask[0, [2, 5, 7, 11]] = True
    out = dec(x, mask)['appearance']
    table = get_sinusoid_encoding(12, 16)  # not the module's cached copy
    vis = dec.proj(x) + table[:, ~mask[0]]
    masked = dec.mask_token + table[:, mask[0]]
    stack = dec.decoders['shared']
    with torch.no_grad():
        expected = stack(torch.cat([vis, masked], 1), 4)
        # the masked tokens in reverse order: their outputs reverse too
        reverse = stack(torch.cat([vis, masked.flip(1)], 1), 4)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(reverse.flip(1), out, rtol=1e-5, atol=1e-5)


def test_invalid_mode():
    with pytest.raises(ValueError, match='model.neck.mode'):
        MODELS.build(
            dict(type='MotionMAEDecoder', mode='both', branches=('a', )))
    with pytest.raises(ValueError, match='model.neck.branches is empty'):
        MODELS.build(dict(type='MotionMAEDecoder'))
