# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.evaluation: features, linear probe, partial fine-tune."""
import pytest
import torch
from torch import nn

from motionmae_mm.evaluation import (encode, linear_probe, mean_features,
                                     partial_finetune, temporal_features)
from ..conftest import build_tiny_vit

#: The benchmark tests' encoder: 4 frames of 16 x 16, one block of width 16.
SMALL = dict(img_size=16, embed_dims=16, depth=1)


def test_linear_probe_separable_features_reach_100():
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 16, generator=gen) * 10

    def draw(n):
        y = torch.arange(4).repeat(n)
        return centres[y] + torch.randn(len(y), 16, generator=gen), y

    out = linear_probe(draw(10), draw(5), draw(25), 4)
    assert out['acc'] == 100. and out['val_acc'] == 100.
    # ties on val: the strongest L2 of the grid wins
    assert out['weight_decay'] == 1.


def test_linear_probe_is_deterministic_and_chance_on_noise():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(400, 8, generator=gen)
    y = torch.randint(0, 2, (400, ), generator=gen)
    split = ((x[:200], y[:200]), (x[200:250], y[200:250]), (x[250:], y[250:]))
    first = linear_probe(*split, 2)
    assert first == linear_probe(*split, 2)
    # 150 test labels of pure noise: the binomial 99.9 % band around 50 %
    assert 37 < first['acc'] < 63


def test_encode_pools_space_per_time_slot():
    backbone = build_tiny_vit(**SMALL).eval()
    clips = torch.randn(3, 3, 4, 16, 16)
    slots, hidden = encode(backbone, clips, batch_size=2)
    assert slots.shape == (3, 2, 16)  # 4 frames / tubelet 2
    assert hidden.shape == (3, 8, 16)  # 2 slots x 2 x 2 patches
    backbone.return_feat_map = True
    with torch.no_grad():
        fmap = backbone(clips)  # (N, C, T', H', W')
        tokens = backbone(clips, torch.zeros(3, 8, dtype=torch.bool))
        # hidden enters the last (only) block, in t-major token order
        torch.testing.assert_close(
            backbone.norm(backbone.blocks[0](hidden)), tokens)
    torch.testing.assert_close(
        slots, fmap.mean(dim=(3, 4)).transpose(1, 2), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(
        mean_features(slots), fmap.mean(dim=(2, 3, 4)), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match='encoder has 1 blocks'):
        encode(backbone, clips, tuned_blocks=2)
    temporal = temporal_features(slots)
    assert temporal.shape == (3, 32)
    torch.testing.assert_close(temporal[:, :16], slots.mean(1))
    torch.testing.assert_close(temporal[:, 16:], slots[:, 1] - slots[:, 0])


def test_encode_with_no_tuned_block_returns_the_final_norm_input(tiny_vit):
    clips = torch.randn(2, 3, 4, 32, 32)
    slots, hidden = encode(tiny_vit, clips, tuned_blocks=0)
    assert hidden.shape == (2, 32, 32)  # 2 slots x 4 x 4 patches, width 32
    with torch.no_grad():
        tokens = tiny_vit.norm(hidden)
    torch.testing.assert_close(slots, tokens.reshape(2, 2, 16, 32).mean(2))


def test_partial_finetune_is_seeded_and_learns_an_easy_task():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(2).repeat(8)
    # class = brightness: trivially learnable
    clips = torch.randn(16 * 2, 3, 4, 16, 16, generator=gen) * .1 + \
        (y.repeat_interleave(2).float() * 2 - 1).view(-1, 1, 1, 1, 1)
    backbone = build_tiny_vit(**SMALL)
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    _, hidden = encode(backbone, clips)
    hidden = hidden.unflatten(0, (16, 2))
    runs = [
        partial_finetune(
            backbone, hidden, y, hidden[:, 0], y, 2, 6, seed=3, batch_size=4)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0]['acc'] == 100.
    other = partial_finetune(
        backbone, hidden, y, hidden[:, 0], y, 2, 6, seed=4, batch_size=4)
    assert other['train_loss'] != runs[0]['train_loss']  # the seed matters
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, before[key]), key  # trained a copy


def test_finetune_of_every_block_starts_from_the_patch_embedding():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(2).repeat(8)
    clips = torch.randn(16, 3, 4, 16, 16, generator=gen) * .1 + \
        (y.float() * 2 - 1).view(-1, 1, 1, 1, 1)
    backbone = build_tiny_vit(**dict(SMALL, depth=2))
    depth = len(backbone.blocks)
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    slots, hidden = encode(backbone, clips, tuned_blocks=depth)
    # all blocks and the final norm on the entry tokens give the features
    with torch.no_grad():
        tokens = backbone.norm(nn.Sequential(*backbone.blocks)(hidden))
    torch.testing.assert_close(
        slots, tokens.reshape(16, 2, -1, tokens.shape[-1]).mean(2))
    run = partial_finetune(backbone, hidden[:, None], y, hidden, y, 2, 6,
                           seed=0, tuned_blocks=depth, batch_size=4)
    assert run['acc'] == 100.
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, before[key]), key
