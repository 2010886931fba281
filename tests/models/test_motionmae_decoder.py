# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.registry import MODELS


def _decoder(mode):
    torch.manual_seed(0)
    dec = MODELS.build(
        dict(type='MotionMAEDecoder', in_dims=24, embed_dims=16, depth=1,
             num_heads=2, mode=mode))
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
    dec = _decoder('independent')
    out = dec(torch.randn(2, 8, 24), _mask())
    assert list(dec.decoders) == ['appearance', 'motion']
    assert not torch.allclose(out['appearance'], out['motion'])
    n_shared = sum(p.numel() for p in _decoder('shared').parameters())
    n_ind = sum(p.numel() for p in dec.parameters())
    assert n_ind > 1.9 * (n_shared - 24 * 16)


def test_masked_outputs_follow_token_positions():
    """A masked token's output depends on its own position embedding."""
    dec = _decoder('shared').eval()
    x = torch.randn(1, 8, 24)
    mask = torch.zeros(1, 12, dtype=torch.bool)
    mask[0, 8:] = True
    out = dec(x, mask)['appearance']
    # swapping two masked positions of the sequence is not a relabel:
    # their outputs differ because the positions differ
    assert not torch.allclose(out[0, 0], out[0, 1])


def test_invalid_mode():
    with pytest.raises(ValueError, match='model.neck.mode'):
        MODELS.build(dict(type='MotionMAEDecoder', mode='both'))
