# Copyright (c) OpenMMLab. All rights reserved.
"""The FSDP2 recipes: their deltas, and two training iterations of each at
tiny size (patch 14 kept), with the optimizer FSDP2 trains them with."""
import copy
import random
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from motionmae_mm.engine.fsdp import (FSDP2Options, MMFullyShardedModel,
                                      checkpoint_forward, fsdp_optim_wrapper,
                                      parse_strategy, shard_model, shard_units)
from motionmae_mm.utils.cli import UserError
from .tools.fsdp_probe import make_next_loss_non_finite

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
# config: (width, depth, FFN ratio, the ViT-B config it inherits)
PRETRAIN = {
    'motionmae_vith_ssv2.py': (1280, 32, 4, 'motionmae_vitb_ssv2.py'),
    'motionmae_vith_k400.py': (1280, 32, 4, 'motionmae_vitb_k400.py'),
    'motionmae_vitg_ssv2.py': (1408, 40, 48 / 11, 'motionmae_vitb_ssv2.py'),
    'motionmae_vitg_k400.py': (1408, 40, 48 / 11, 'motionmae_vitb_k400.py'),
}
# config: (width, depth, layer decay)
FINETUNE = {
    f'finetune/motionmae_vit{size}_finetune_{data}.py': values
    for size, values in (('h', (1280, 32, 0.8)), ('g', (1408, 40, 0.9)))
    for data in ('ssv2', 'k400')
}
FSDP = dict(type='FSDP2', activation_checkpointing=True)


def test_demo_fsdp_config_is_one_delta():
    demo = Config.fromfile(CONFIGS / 'demo/motionmae_vit-tiny_demo.py')
    fsdp = Config.fromfile(CONFIGS / 'demo/motionmae_vit-tiny_demo_fsdp.py')
    fsdp = fsdp.to_dict()
    assert fsdp.pop('strategy') == dict(type='FSDP2')
    assert fsdp == demo.to_dict()
    assert Config.fromfile(CONFIGS / 'motionmae_vitl_ssv2.py').strategy == FSDP


def test_strategy_key_and_precision_follow_the_amp_key():
    assert parse_strategy(None) is None
    assert parse_strategy(dict(type='DDP')) is None
    assert parse_strategy(dict(type='FSDP2', cpu_offload=True)) == \
        FSDP2Options(cpu_offload=True)
    with pytest.raises(UserError, match=r"strategy.type='FSDPStrategy'"):
        parse_strategy(dict(type='FSDPStrategy'))
    with pytest.raises(UserError, match=r"unknown key\(s\) \['offload'\]"):
        parse_strategy(dict(type='FSDP2', offload=True))
    amp = dict(
        type='NonFiniteSkipAmpOptimWrapper',
        loss_scale='dynamic',
        max_consecutive=None,
        optimizer=dict(type='AdamW'))
    cfg, dtype = fsdp_optim_wrapper(amp, 'cuda')
    assert dtype == torch.bfloat16
    assert cfg == dict(
        type='NonFiniteSkipOptimWrapper',
        max_consecutive=10,
        optimizer=dict(type='AdamW'))
    cfg, dtype = fsdp_optim_wrapper(dict(amp, dtype='float32'), 'cuda')
    assert dtype is None and cfg['max_consecutive'] is None
    # without the key, as with it: bf16 compute skips up to 10 like AMP
    amp.pop('max_consecutive')
    assert fsdp_optim_wrapper(amp, 'cuda')[0]['max_consecutive'] == 10
    plain = dict(type='OptimWrapper', optimizer=dict(type='AdamW'))
    assert fsdp_optim_wrapper(plain, 'cuda') == (plain, None)


def _tiny_pretrain(cfg: Config) -> Config:
    cfg.model.backbone.update(
        img_size=56, embed_dims=32, depth=2, num_heads=2, num_frames=4)
    cfg.model.neck.update(embed_dims=16, depth=1, num_heads=2)
    return cfg


def _clips() -> dict:
    """A batch of two random uint8 clips of the tiny pretraining size."""
    clips = torch.randint(0, 256, (2, 1, 3, 4, 56, 56), dtype=torch.uint8)
    return dict(inputs=list(clips), data_samples=None)


def _seed(seed: int) -> None:
    """Seed torch, numpy and random: the fine-tune configs' MixUp / CutMix
    draw from numpy, so the same torch seed alone gives other losses."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _train_two(cfg: Config, batch: dict, checkpointing: bool) -> tuple:
    """Two iterations from a seeded init with the FSDP2 optimizer wrapper
    (fp32 here); returns the losses and the final weights."""
    _seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    if checkpointing:
        for unit in shard_units(model, ('blocks', )):
            checkpoint_forward(unit)
    wrapper, _ = fsdp_optim_wrapper(cfg.optim_wrapper, 'cpu')
    optim = build_optim_wrapper(model, wrapper)
    losses = []
    for _ in range(2):
        losses.append(float(model.train_step(batch, optim)['loss']))
    return losses, model.state_dict(), optim


@pytest.mark.parametrize('name', sorted(PRETRAIN))
def test_big_pretrain_recipe_trains_two_iterations(name):
    width, depth, ratio, base = PRETRAIN[name]
    cfg = Config.fromfile(CONFIGS / name)
    vitb = Config.fromfile(CONFIGS / base)
    b = cfg.model.backbone
    assert (b.patch_size, b.embed_dims, b.depth, b.num_heads,
            b.get('mlp_ratio', 4)) == (14, width, depth, 16, ratio)
    assert (cfg.model.neck.embed_dims, cfg.model.neck.num_heads) == (512, 8)
    assert (cfg.model.decoder_mask_ratio,
            cfg.model.decoder_mask_mode) == (0.5, 'running_cell')
    assert cfg.strategy == FSDP and cfg.optim_wrapper.dtype == 'bfloat16'
    for key in ('train_dataloader', 'param_scheduler', 'train_cfg'):
        assert cfg[key] == vitb[key], key  # the ViT-B recipe otherwise
    assert cfg.optim_wrapper.optimizer == vitb.optim_wrapper.optimizer
    cfg = _tiny_pretrain(cfg)
    batch = _clips()
    losses, weights, _ = _train_two(cfg, batch, checkpointing=True)
    assert all(0 < x < 10 for x in losses) and losses[0] != losses[1]


def test_activation_checkpointing_recomputes_the_same_step():
    cfg = _tiny_pretrain(Config.fromfile(CONFIGS / 'motionmae_vith_ssv2.py'))
    batch = _clips()
    losses, weights, _ = _train_two(cfg, batch, checkpointing=True)
    same, plain, _ = _train_two(cfg, batch, checkpointing=False)
    assert same == losses
    for key, value in plain.items():
        assert torch.allclose(value, weights[key], atol=1e-6), key


def _tiny_finetune(cfg: Config) -> Config:
    cfg.model.backbone.update(
        img_size=28,
        embed_dims=32,
        depth=2,
        num_heads=2,
        num_frames=4,
        init_cfg=None)
    cfg.model.cls_head.in_channels = 32
    cfg.optim_wrapper.paramwise_cfg.num_layers = 2
    return cfg


def _labelled(count: int) -> dict:
    clips = torch.randint(0, 256, (count, 1, 3, 4, 28, 28), dtype=torch.uint8)
    samples = [ActionDataSample().set_gt_labels(i % 3) for i in range(count)]
    return dict(inputs=list(clips), data_samples=samples)


@pytest.mark.parametrize('name', sorted(FINETUNE))
def test_big_finetune_recipe_trains_two_iterations(name):
    width, depth, decay = FINETUNE[name]
    cfg = Config.fromfile(CONFIGS / name)
    b = cfg.model.backbone
    assert (b.patch_size, b.embed_dims, b.depth) == (14, width, depth)
    assert cfg.model.cls_head.in_channels == width
    assert (cfg.optim_wrapper.paramwise_cfg.decay_rate,
            cfg.optim_wrapper.paramwise_cfg.num_layers) == (decay, depth)
    assert cfg.strategy == FSDP
    cfg = _tiny_finetune(cfg)
    losses, _, optim = _train_two(cfg, _labelled(4), checkpointing=True)
    assert all(x > 0 for x in losses) and losses[0] != losses[1]
    base = cfg.optim_wrapper.optimizer.lr
    scales = {round(g['lr'] / base, 6) for g in optim.param_groups}
    # layer ids 0 (embedding) .. 3 (head) of 2 blocks: decay ** (3 - id)
    assert scales == {round(decay**k, 6) for k in range(4)}


@pytest.fixture
def one_gloo_rank(tmp_path):
    """A process group of one gloo rank in this process, for FSDP2."""
    store = dist.FileStore(str(tmp_path / 'store'), 1)
    dist.init_process_group('gloo', store=store, rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def _sharded(cfg: Config, options: FSDP2Options) -> tuple:
    """``cfg``'s model from a seeded init, sharded, in the wrapper the
    runner gives it, with the FSDP2 optimizer wrapper."""
    _seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    shard_model(model, options, None)
    wrapper, _ = fsdp_optim_wrapper(cfg.optim_wrapper, 'cpu')
    return model, MMFullyShardedModel(model), build_optim_wrapper(
        model, wrapper)


def _gathered(model) -> dict:
    """The model's state with every shard gathered."""
    return {k: v.full_tensor() if hasattr(v, 'full_tensor') else v
            for k, v in model.state_dict().items()}


def test_sharded_model_has_the_unsharded_groups_and_losses(one_gloo_rank):
    """FSDP2 on one gloo rank: layer-wise lr decay groups from the same
    names and sizes, and the same two losses as the unsharded model."""
    cfg = _tiny_finetune(Config.fromfile(CONFIGS / sorted(FINETUNE)[0]))
    batch = _labelled(4)
    losses, _, optim = _train_two(cfg, batch, checkpointing=False)
    _, wrapped, sharded = _sharded(cfg, FSDP2Options())
    got = [float(wrapped.train_step(batch, sharded)['loss']) for _ in range(2)]

    def groups(wrapper):
        return [(g['lr'], g['weight_decay'],
                 [tuple(p.shape) for p in g['params']])
                for g in wrapper.param_groups]

    assert groups(sharded) == groups(optim)
    assert got == pytest.approx(losses, abs=1e-5)


def test_a_dropped_window_leaves_no_unreduced_gradient(one_gloo_rank):
    """Accumulation over 2 under FSDP2 (one gloo rank): the first window's
    second loss is NaN, so the window is dropped; the next window's update
    equals a fresh model's first one (FSDP2's unreduced gradients of the
    dropped window's first micro-batch are gone)."""
    cfg = _tiny_pretrain(Config.fromfile(CONFIGS / 'motionmae_vith_ssv2.py'))
    cfg.optim_wrapper.update(accumulative_counts=2, max_consecutive=3)
    batches = [_clips() for _ in range(4)]

    def train(steps: list) -> dict:
        """Train on ``(batch, non-finite)`` steps; the gathered weights."""
        model, wrapped, optim = _sharded(
            cfg, FSDP2Options(activation_checkpointing=False))
        for i, (batch, non_finite) in enumerate(steps):
            if i == len(steps) - 2:
                _seed(1)  # the same masks for the last two
            if non_finite:
                make_next_loss_non_finite(model)
            wrapped.train_step(batch, optim)
            assert optim.dropped_window == non_finite
        return _gathered(model)

    with pytest.warns(UserWarning, match='step skipped'):
        got = train([(batches[0], False), (batches[1], True),
                     (batches[2], False), (batches[3], False)])
    expected = train([(batches[2], False), (batches[3], False)])
    for key, value in expected.items():
        assert torch.equal(got[key], value), key


def test_cpu_offload_trains_the_same_steps(one_gloo_rank):
    """``strategy.cpu_offload=True`` (one gloo rank): the sharded weights
    and optimizer state live on the CPU, and two iterations give the same
    losses and weights as without offloading."""
    cfg = _tiny_pretrain(Config.fromfile(CONFIGS / 'motionmae_vith_ssv2.py'))
    batch = _clips()

    def train(offload: bool) -> tuple:
        model, wrapped, optim = _sharded(cfg,
                                         FSDP2Options(cpu_offload=offload))
        losses = [float(wrapped.train_step(batch, optim)['loss'])
                  for _ in range(2)]
        states = [t for s in optim.optimizer.state.values()
                  for t in s.values() if torch.is_tensor(t)]
        return losses, _gathered(model), states

    plain = train(False)
    offloaded = train(True)
    assert offloaded[0] == plain[0]
    for key, value in plain[1].items():
        assert torch.equal(offloaded[1][key], value), key
    assert offloaded[2] and all(t.device.type == 'cpu' for t in offloaded[2])
