# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch

from motionmae_mm.models.targets import (frame_difference, patch_norm,
                                         patchify3d, unpatchify3d)


def test_round_trip():
    x = torch.randn(2, 3, 4, 16, 24)
    tokens = patchify3d(x, 2, 8)
    assert tokens.shape == (2, 2 * 2 * 3, 2 * 8 * 8 * 3)
    assert torch.equal(unpatchify3d(tokens, (2, 2, 3), 2, 8), x)


def test_token_order_is_conv3d_flatten_order():
    """Token n and element d equal a Conv3d that picks pixel d of a patch."""
    C, t, p = 3, 2, 4
    x = torch.randn(1, C, 4, 8, 12)
    D = t * p * p * C
    weight = torch.zeros(D, C, t, p, p)
    d = 0
    for dt in range(t):  # (dt, dy, dx, c) layout inside a token
        for dy in range(p):
            for dx in range(p):
                for c in range(C):
                    weight[d, c, dt, dy, dx] = 1.
                    d += 1
    conv = torch.nn.functional.conv3d(x, weight, stride=(t, p, p))
    expected = conv.flatten(2).transpose(1, 2)  # PatchEmbed's order
    torch.testing.assert_close(patchify3d(x, t, p), expected)
    # and token 0 of time slot 1 starts at frame 2, pixel (0, 0)
    n = 1 * (8 // p) * (12 // p)
    assert patchify3d(x, t, p)[0, n, 0] == x[0, 0, 2, 0, 0]


def test_patch_norm_per_token_and_channel():
    tokens = torch.rand(2, 5, 2 * 4 * 4 * 3) * 7 + 3
    out = patch_norm(tokens, 3).view(2, 5, -1, 3)
    torch.testing.assert_close(out.mean(-2), torch.zeros(2, 5, 3),
                               atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(-2), torch.ones(2, 5, 3),
                               atol=1e-4, rtol=0)


def test_static_clip_has_zero_motion():
    frame = torch.rand(1, 3, 1, 16, 16)
    assert frame_difference(frame.expand(-1, -1, 8, -1, -1)).abs().max() == 0


def _moving_bar(T=6, W=32, speed=2, width=4):
    clip = torch.zeros(1, 3, T, 8, W)
    for t in range(T):
        clip[:, :, t, :, 4 + speed * t:4 + speed * t + width] = 1.
    return clip


def test_bar_moving_right_has_signed_edges():
    clip = _moving_bar()
    d = frame_difference(clip)
    t = 3  # bar covers [10, 14) now, [8, 12) before
    row = d[0, 0, t, 0]
    assert (row[12:14] == 1).all()  # leading edge: newly covered
    assert (row[8:10] == -1).all()  # trailing edge: uncovered
    assert row[10:12].abs().max() == 0 and row[:8].abs().max() == 0
    assert torch.equal(d[:, :, 0], d[:, :, 1])  # first frame padded
    assert (frame_difference(clip, signed=False) >= 0).all()


def test_gap_and_grayscale():
    clip = _moving_bar()
    d2 = frame_difference(clip, gap=2, grayscale=True)
    assert d2.shape == (1, 1, 6, 8, 32)
    torch.testing.assert_close(d2[:, 0, 4], (clip[:, 0, 4] - clip[:, 0, 2]))
    assert torch.equal(d2[:, :, 0], d2[:, :, 2])
    assert torch.equal(d2[:, :, 1], d2[:, :, 2])
    with pytest.raises(ValueError, match='gap'):
        frame_difference(clip, gap=6)
