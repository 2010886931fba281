# Copyright (c) OpenMMLab. All rights reserved.
"""The fast paths equal the plain computations they replace."""
import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.models import (MotionMAEDecoder, MotionMAEHead,
                                 MotionMAEVisionTransformer)
from motionmae_mm.models.targets import (frame_difference, patch_norm,
                                         patchify3d, select_patches)
from ..conftest import REPO, tiny_model_cfg, tiny_vit_kwargs

KW = tiny_vit_kwargs(num_heads=4)


def _mask(batch: int, num: int, masked: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    idx = torch.rand(batch, num, generator=gen).argsort(1)[:, :masked]
    return torch.zeros(batch, num, dtype=torch.bool).scatter_(1, idx, True)


@pytest.mark.parametrize('t, p', [(2, 8), (1, 4), (2, 16)])
def test_select_patches_equals_patchify_then_select(t, p):
    x = torch.randn(2, 3, 4, 32, 48)
    n = (4 // t) * (32 // p) * (48 // p)
    mask = _mask(2, n, n // 3)
    expected = patchify3d(x, t, p)[mask].reshape(2, -1, t * p * p * 3)
    assert torch.equal(select_patches(x, mask, t, p), expected)
    # conv-weight layout (c, dt, dy, dx)
    conv = torch.nn.Conv3d(3, 5, (t, p, p), (t, p, p))
    tokens = conv(x).flatten(2).transpose(1, 2)[mask].reshape(2, -1, 5)
    patches = select_patches(x, mask, t, p, channels_last=False)
    out = torch.nn.functional.linear(patches, conv.weight.flatten(1),
                                     conv.bias)
    torch.testing.assert_close(out, tokens, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('gap', [1, 2])
@pytest.mark.parametrize('signed', [True, False])
def test_frame_difference_equals_plain(gap, signed):
    clip = torch.rand(2, 3, 6, 8, 8)
    diff = clip[:, :, gap:] - clip[:, :, :-gap]
    if not signed:
        diff = diff.abs()
    plain = torch.cat([diff[:, :, :1].expand(-1, -1, gap, -1, -1), diff], 2)
    assert torch.equal(frame_difference(clip, gap, signed), plain)


def test_head_targets_equal_full_patchify():
    head = MotionMAEHead(
        targets=dict(
            appearance=dict(type='PixelTarget'),
            motion=dict(type='FrameDifferenceTarget')),
        in_dims=16, patch_size=8, tubelet_size=2)
    clip = torch.rand(2, 3, 4, 32, 32)
    mask = _mask(2, 32, 24)
    out = head.compute_targets(clip, mask)
    for name, src in (('appearance', clip), ('motion',
                                             frame_difference(clip))):
        tokens = patchify3d(src, 2, 8)[mask].reshape(2, 24, -1)
        assert torch.equal(out[name], patch_norm(tokens, 3))


def test_visible_embedding_equals_conv_then_select():
    torch.manual_seed(0)
    vit = MotionMAEVisionTransformer(**KW)
    assert vit._can_embed_visible()
    x = torch.randn(2, 3, 4, 32, 32)
    mask = _mask(2, 32, 24)
    fast = vit.embed_visible(x, mask)
    plain = vit.patch_embed(x)[0][~mask].reshape(2, 8, 32)
    torch.testing.assert_close(fast, plain, rtol=1e-5, atol=1e-5)
    # the same weight gradients
    grads = []
    for out in (vit.embed_visible(x, mask),
                vit.patch_embed(x)[0][~mask].reshape(2, 8, 32)):
        vit.zero_grad()
        (out * torch.linspace(-1, 1, 32)).sum().backward()
        grads.append(vit.patch_embed.projection.weight.grad.clone())
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-4, atol=1e-5)


def test_checkpointed_blocks_equal_plain():
    """Same outputs and gradients, and the checkpointed blocks really run
    again in backward (once each), the plain ones never."""
    torch.manual_seed(0)
    plain = MotionMAEVisionTransformer(**KW)
    ckpt = MotionMAEVisionTransformer(**KW, with_cp=True)
    ckpt.load_state_dict(plain.state_dict())
    kw = dict(in_dims=32, embed_dims=16, depth=2, num_heads=2,
              branches=('pixels', ))
    dec = MotionMAEDecoder(**kw)
    dec_cp = MotionMAEDecoder(**kw, with_cp=True)
    dec_cp.load_state_dict(dec.state_dict())
    x = torch.randn(2, 3, 4, 32, 32)
    mask = _mask(2, 32, 24)
    outs, grads, calls = [], [], []
    for enc, neck in ((plain, dec), (ckpt, dec_cp)):
        blocks = list(enc.blocks) + list(neck.decoders['shared'].blocks)
        count = {'forward': 0, 'backward': 0}
        phase = ['forward']

        def hook(*_):
            count[phase[0]] += 1

        # a pre-hook: recomputation may stop before a block returns
        handles = [blk.register_forward_pre_hook(hook) for blk in blocks]
        enc.train()
        out = neck(enc(x, mask), mask)['pixels']
        phase[0] = 'backward'
        out.square().sum().backward()
        for handle in handles:
            handle.remove()
        outs.append(out)
        grads.append([p.grad for p in enc.parameters()] +
                     [p.grad for p in neck.parameters()])
        calls.append((len(blocks), count))
    (n, plain_calls), (n_cp, cp_calls) = calls
    assert n == n_cp == KW['depth'] + 2
    assert plain_calls == {'forward': n, 'backward': 0}
    assert cp_calls == {'forward': n, 'backward': n}  # recomputed
    torch.testing.assert_close(outs[0], outs[1])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b)


def test_model_loss_equals_the_conv_embedding_path(monkeypatch):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg())
    model.init_weights()
    inputs = torch.randn(2, 1, 3, 4, 32, 32)
    losses = []
    for fast in (True, False):
        torch.manual_seed(1)  # same mask
        monkeypatch.setattr(
            type(model.backbone),
            '_can_embed_visible',
            lambda self, fast=fast: fast)
        losses.append(model.loss(inputs))
    for key in losses[0]:
        torch.testing.assert_close(losses[0][key], losses[1][key])


@pytest.mark.parametrize('schedule',
                         ['adamw_pretrain_800e.py', 'adamw_finetune.py'])
def test_fused_adamw_of_the_schedules_equals_foreach(schedule):
    """The recipes' fused AdamW gives the updates of the default one."""
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from motionmae_mm.apis import adapt_cfg_to_machine
    cfg = adapt_cfg_to_machine(
        Config.fromfile(REPO / 'configs/_base_/schedules' / schedule))
    cfg.optim_wrapper.pop('constructor', None)  # needs a recognizer
    cfg.optim_wrapper.pop('paramwise_cfg', None)
    assert cfg.optim_wrapper.optimizer.fused is True
    models, wrappers = [], []
    for fused in (True, False):
        torch.manual_seed(0)
        model = MODELS.build(tiny_model_cfg())
        model.init_weights()
        opt_cfg = cfg.optim_wrapper.copy()
        opt_cfg.optimizer = dict(cfg.optim_wrapper.optimizer, fused=fused)
        models.append(model)
        wrappers.append(build_optim_wrapper(model, opt_cfg))
    assert wrappers[0].optimizer.defaults['fused']
    assert not wrappers[1].optimizer.defaults['fused']
    before = models[0].head.predictors['motion'].weight.detach().clone()
    inputs = torch.randn(2, 1, 3, 4, 32, 32)
    for step in range(3):
        for model, wrapper in zip(models, wrappers):
            torch.manual_seed(step)  # same masks
            wrapper.update_params(sum(model.loss(inputs).values()))
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    # the steps did move the weights
    assert not torch.equal(models[0].head.predictors['motion'].weight, before)
