# Copyright (c) OpenMMLab. All rights reserved.
"""Every config parses; every pretraining config builds and trains a step."""
from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from motionmae_mm.apis import adapt_cfg_to_machine

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
ALL = sorted(p for p in CONFIGS.rglob('*.py') if '_base_' not in p.parts)


def _name(path: Path) -> str:
    return str(path.relative_to(CONFIGS))


def _pretrain_configs():
    return [
        p for p in ALL if Config.fromfile(p).model.get('type') == 'MotionMAE'
    ]


def test_configs_found():
    names = {_name(p) for p in ALL}
    assert {
        'motionmae_vitb_ssv2.py', 'videomae_vitb_ssv2.py',
        'demo/motionmae_vit-tiny_demo.py'
    } <= names


@pytest.mark.parametrize('path', ALL, ids=_name)
def test_config_parses_in_mmaction_scope(path):
    cfg = Config.fromfile(path)
    if 'vos' in path.parts:  # read by tools/eval_vos.py, not by a Runner
        assert set(cfg.model) == {'backbone'}  # the encoder, named as usual
        assert cfg.model.backbone.type.endswith('VisionTransformer')
        return
    assert cfg.default_scope == 'mmaction'
    assert cfg.custom_imports['imports'] == ['motionmae_mm']


def _tiny(cfg: Config) -> Config:
    """Shrink the model to CPU-test size, keep everything else."""
    cfg.model.backbone.update(
        img_size=32, embed_dims=32, depth=1, num_heads=2, num_frames=8)
    if 32 % cfg.model.backbone.patch_size:  # the /14 encoders
        cfg.model.backbone.patch_size = 16
    cfg.model.neck.update(embed_dims=16, depth=1, num_heads=2)
    return cfg


@pytest.mark.parametrize('path', _pretrain_configs(), ids=_name)
def test_pretrain_config_trains_one_step(path):
    cfg = adapt_cfg_to_machine(_tiny(Config.fromfile(path)))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    clips = torch.randint(0, 256, (2, 1, 3, 8, 32, 32), dtype=torch.uint8)
    log = model.train_step(dict(inputs=list(clips), data_samples=None), optim)
    expected = {'loss', *(f'loss_{n}' for n in model.head.target_names)}
    assert set(log) == expected and torch.isfinite(log['loss'])
    # no weight decay on 1-D params, positions and the mask token
    for group in optim.optimizer.param_groups:
        if group['params'][0].ndim == 1:
            assert group['weight_decay'] == 0


def test_ssv2_recipe_values():
    cfg = Config.fromfile(CONFIGS / 'motionmae_vitb_ssv2.py')
    m = cfg.model
    assert (m.backbone.embed_dims, m.backbone.depth, m.backbone.num_frames,
            m.backbone.img_size) == (768, 12, 16, 224)
    assert m.mask_generator == dict(
        type='FrameRandomMaskGenerator', mask_ratio=0.9)
    assert (m.neck.mode, m.neck.embed_dims, m.neck.depth) == ('shared', 384, 4)
    assert list(m.targets) == ['appearance', 'motion']
    assert m.targets.appearance.type == 'PixelTarget'
    assert m.targets.motion.type == 'FrameDifferenceTarget'
    assert (m.targets.motion.gap, m.targets.motion.signed) == (1, True)
    assert m.targets.appearance.loss.loss_weight == \
        m.targets.motion.loss.loss_weight == 1.
    sample = cfg.train_pipeline[0].transforms[1]
    assert (sample.clip_len, sample.frame_interval) == (16, 2)
    assert cfg.optim_wrapper.optimizer.lr == 1.5e-4
    assert cfg.optim_wrapper.optimizer.betas == (0.9, 0.95)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=256)
    sched = cfg.param_scheduler
    assert (sched.type, sched.warmup,
            cfg.train_cfg.max_epochs) == ('MotionMAEWarmupCosineLR', 40, 800)
    assert 'end' not in sched  # the cosine ends at train_cfg.max_epochs
    assert 'Flip' not in str(cfg.train_pipeline)
    assert cfg.train_dataloader.dataset.ann_file.endswith(
        'sthv2_train_list_videos.txt')


def test_videomae_ssv2_only_swaps_modules():
    ours = Config.fromfile(CONFIGS / 'motionmae_vitb_ssv2.py')
    base = Config.fromfile(CONFIGS / 'videomae_vitb_ssv2.py')
    assert base.model.mask_generator.type == 'TubeMaskGenerator'
    assert list(base.model.targets) == ['appearance']
    assert base.model.targets.appearance == ours.model.targets.appearance
    base.model.mask_generator = ours.model.mask_generator
    base.model.targets = ours.model.targets
    assert base.model == ours.model
    assert base.optim_wrapper == ours.optim_wrapper


@pytest.mark.parametrize('name, interval, ratio, lr, batch, epochs', [
    ('motionmae_vitb_k400.py', 4, 0.9, 1.5e-4, 32, 800),
    ('motionmae_vitb_k400_1600e.py', 4, 0.9, 1.5e-4, 32, 1600),
    ('motionmae_vitb_ucf101.py', 4, 0.75, 3e-4, 24, 3200),
    ('motionmae_vitl_ssv2.py', 2, 0.9, 1.5e-4, 32, 800),
])
def test_recipe_deltas(name, interval, ratio, lr, batch, epochs):
    cfg = Config.fromfile(CONFIGS / name)
    sample = cfg.train_dataloader.dataset.pipeline[0].transforms[1]
    assert sample.frame_interval == interval
    assert cfg.model.mask_generator.mask_ratio == ratio
    assert cfg.optim_wrapper.optimizer.lr == lr
    assert cfg.train_dataloader.batch_size == batch
    sched = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == epochs
    # the cosine runs from the warm-up's end to train_cfg.max_epochs
    assert 'end' not in sched and 'T_max' not in sched
    assert sched.warmup == 40
    # warm-up start and cosine floor stay 1e-6 / 1e-5 per 256 clips
    assert sched.start_factor * lr == pytest.approx(1e-6)
    assert sched.eta_min_ratio * lr == pytest.approx(1e-5)


def test_vit_large_decoder():
    cfg = Config.fromfile(CONFIGS / 'motionmae_vitl_ssv2.py')
    assert (cfg.model.backbone.embed_dims, cfg.model.backbone.depth,
            cfg.model.backbone.num_heads) == (1024, 24, 16)
    assert (cfg.model.neck.embed_dims, cfg.model.neck.num_heads) == (512, 8)


@pytest.mark.parametrize('ds', ['ssv2', 'k400', 'ucf101'])
def test_variants_differ_only_where_named(ds):
    ours = Config.fromfile(CONFIGS / f'motionmae_vitb_{ds}.py')
    ind = Config.fromfile(CONFIGS / f'motionmae_vitb_{ds}_independent.py')
    assert ind.model.neck.mode == 'independent'
    ind.model.neck.mode = 'shared'
    assert ind.model == ours.model
    base = Config.fromfile(CONFIGS / f'videomae_vitb_{ds}.py')
    assert base.model.mask_generator.type == 'TubeMaskGenerator'
    assert base.model.mask_generator.mask_ratio == \
        ours.model.mask_generator.mask_ratio
    assert list(base.model.targets) == ['appearance']


@pytest.mark.parametrize(
    'path',
    sorted(p for p in CONFIGS.rglob('*.py') if '_base_' not in p.parts),
    ids=lambda p: str(p.relative_to(CONFIGS)))
def test_schedules_follow_max_epochs(path):
    """One warm-up + cosine entry whose length comes from train_cfg (so
    --cfg-options train_cfg.max_epochs=N moves the cosine's end)."""
    cfg = Config.fromfile(path)
    if 'param_scheduler' not in cfg:
        return
    sched = cfg.param_scheduler
    assert sched.type == 'MotionMAEWarmupCosineLR'
    assert 'end' not in sched and 'T_max' not in sched
    assert 0 < sched.warmup < cfg.train_cfg.max_epochs


@pytest.mark.parametrize(
    'path', [p for p in ALL if 'vos' not in p.parts], ids=_name)
def test_config_names_the_hooks_that_run(path):
    hooks = Config.fromfile(path).default_hooks
    assert (hooks.checkpoint.type, hooks.rng_state.type,
            hooks.skipped_videos.type) == ('SafeCheckpointHook',
                                           'RNGStateHook', 'SkippedVideoHook')
