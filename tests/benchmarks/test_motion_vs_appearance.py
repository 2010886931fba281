# Copyright (c) OpenMMLab. All rights reserved.
"""tools/benchmarks/motion_vs_appearance.py: its pieces on tiny settings."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'benchmarks' / 'motion_vs_appearance.py'
SHARED = Path(os.environ.get('MOTIONMAE_SHARED', REPO.parent / 'shared'))


def _load_tool():
    spec = importlib.util.spec_from_file_location('motion_vs_appearance', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_tool()


def _flatten(d: dict, prefix: str = '') -> dict:
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f'{prefix}{key}.'))
        else:
            out[f'{prefix}{key}'] = value
    return out


def _model_diff(name: str) -> set:
    """Model keys where a variant differs from (b), motionmae_shared."""
    base = _flatten(
        Config.fromfile(REPO / VARIANT_CFG['motionmae_shared']).model)
    other = _flatten(Config.fromfile(REPO / VARIANT_CFG[name]).model)
    return {k for k in set(base) | set(other) if base.get(k) != other.get(k)}


VARIANT_CFG = {
    name: cfg
    for name, (cfg, _) in {
        **bench.VARIANTS,
        **bench.ABLATIONS
    }.items()
}


@pytest.mark.parametrize('name,expected', [
    ('motionmae_shared', set()),
    ('videomae_tube', {'mask_generator.type', 'head.motion_weight'}),
    ('motionmae_independent', {'neck.mode'}),
    ('framewise_pixels', {'head.motion_weight'}),
    ('motionmae_guided', {
        'mask_generator.type', 'mask_generator.per_slot',
        'mask_generator.temperature', 'mask_generator.gap'
    }),
    ('ablation_gap2', {'head.gap'}),
    ('ablation_gap4', {'head.gap'}),
    ('ablation_no-norm', {'head.motion_norm_pix'}),
    ('ablation_abs', {'head.signed'}),
])
def test_variant_configs_change_only_what_they_say(name, expected):
    assert _model_diff(name) == expected


def test_variant_configs_keep_the_demo_recipe():
    demo = Config.fromfile(REPO / 'configs/demo/motionmae_vit-tiny_demo.py')
    for name, path in VARIANT_CFG.items():
        cfg = Config.fromfile(REPO / path)
        assert cfg.model.backbone == demo.model.backbone, name
        assert cfg.train_dataloader.dataset.pipeline == \
            demo.train_dataloader.dataset.pipeline, name
        assert cfg.optim_wrapper == demo.optim_wrapper, name


def test_every_variant_builds_and_computes_a_loss():
    from motionmae_mm.apis import init_model
    clip = torch.rand(2, 1, 3, 8, 64, 64) * 255
    for name, path in VARIANT_CFG.items():
        torch.manual_seed(0)
        model = init_model(Config.fromfile(REPO / path)).train()
        batch = model.data_preprocessor(
            dict(inputs=list(clip), data_samples=None), True)
        losses = model.loss(batch['inputs'])
        has_motion = name not in ('videomae_tube', 'framewise_pixels')
        assert ('loss_motion' in losses) == has_motion, name
        assert all(torch.isfinite(v) for v in losses.values()), name


def test_format_mean_std():
    assert bench.format_mean_std([50.]) == '50.0'
    assert bench.format_mean_std([50., 60., 70.]) == '60.0 ± 10.0'
    assert bench.format_mean_std([1.23456, 1.23456], 3) == '1.235 ± 0.000'
    assert bench.format_mean_std([]) == '–'
    mean, std = bench.mean_std([1., 2., 3., 4.])
    assert mean == 2.5 and std == pytest.approx(np.std([1, 2, 3, 4], ddof=1))


def test_linear_probe_separable_features_reach_100():
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 16, generator=gen) * 10

    def draw(n):
        y = torch.arange(4).repeat(n)
        return centres[y] + torch.randn(len(y), 16, generator=gen), y

    out = bench.linear_probe(draw(10), draw(5), draw(25), 4)
    assert out['acc'] == 100. and out['val_acc'] == 100.


def test_linear_probe_is_deterministic_and_chance_on_noise():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(400, 8, generator=gen)
    y = torch.randint(0, 2, (400, ), generator=gen)
    split = ((x[:200], y[:200]), (x[200:250], y[200:250]), (x[250:], y[250:]))
    first = bench.linear_probe(*split, 2)
    assert first == bench.linear_probe(*split, 2)
    assert 30 < first['acc'] < 70


TINY_BACKBONE = dict(
    type='MotionMAEVisionTransformer',
    img_size=16,
    patch_size=8,
    embed_dims=16,
    depth=1,
    num_heads=2,
    num_frames=4,
    tubelet_size=2,
    use_mean_pooling=False)


def _tiny_backbone():
    from mmaction.registry import MODELS

    from motionmae_mm.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    return MODELS.build(TINY_BACKBONE)


def test_encode_pools_space_per_time_slot():
    backbone = _tiny_backbone().eval()
    clips = torch.randn(3, 3, 4, 16, 16)
    slots, hidden = bench.encode(backbone, clips, batch_size=2)
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
        bench.mean_features(slots),
        fmap.mean(dim=(2, 3, 4)),
        atol=1e-5,
        rtol=1e-5)
    with pytest.raises(ValueError, match='encoder has 1 blocks'):
        bench.encode(backbone, clips, tuned_blocks=2)
    temporal = bench.temporal_features(slots)
    assert temporal.shape == (3, 32)
    torch.testing.assert_close(temporal[:, 16:], slots[:, 1] - slots[:, 0])


def test_finetune_is_seeded_and_learns_an_easy_task():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(2).repeat(8)
    # class = brightness: trivially learnable
    clips = torch.randn(16 * 2, 3, 4, 16, 16, generator=gen) * .1 + \
        (y.repeat_interleave(2).float() * 2 - 1).view(-1, 1, 1, 1, 1)
    backbone = _tiny_backbone()
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    _, hidden = bench.encode(backbone, clips)
    hidden = hidden.unflatten(0, (16, 2))
    runs = [
        bench.finetune(
            backbone,
            hidden,
            y,
            hidden[:, 0],
            y,
            2,
            6,
            seed=3,
            batch_size=4) for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0]['acc'] == 100.
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, before[key]), key  # trained a copy


def test_data_with_other_split_sizes_is_refused(tmp_path, monkeypatch):
    (tmp_path / 'classes.txt').write_text('left\nright\n')
    for split, n in (('train', 24), ('val', 8), ('test', 40)):
        (tmp_path / f'{split}.txt').write_text(''.join(
            f'{split}/c_{i}.mp4 {i % 2}\n' for i in range(n)))
    with pytest.raises(ValueError, match=r'train.txt lists 24 clips.*200'):
        bench.ensure_data(str(tmp_path))
    monkeypatch.setattr(bench, 'DATA_SPLITS', (12, 4, 20))
    bench.ensure_data(str(tmp_path))  # matching sizes: accepted


def test_set_epochs_schedule():
    cfg = Config.fromfile(REPO / VARIANT_CFG['motionmae_shared'])
    bench.set_epochs(cfg, 10)
    assert cfg.train_cfg.max_epochs == 10
    warm, cosine = cfg.param_scheduler
    assert (warm.begin, warm.end) == (0, 1)
    assert (cosine.begin, cosine.end, cosine.T_max) == (1, 10, 9)
    bench.set_epochs(cfg, 1)
    assert len(cfg.param_scheduler) == 1
    assert cfg.param_scheduler[0].end == 1


def test_modes():
    full = bench.parse_args([])
    assert full.seeds == [0, 1, 2] and full.variants == list(bench.VARIANTS)
    quick = bench.parse_args(['--quick'])
    assert quick.seeds == [0] and quick.variants == list(bench.VARIANTS)
    assert quick.epochs < full.epochs
    assert quick.work_dir.endswith('motion_vs_appearance_quick')
    abl = bench.parse_args(['--ablation', '--quick'])
    assert {'ablation_gap2', 'ablation_gap4',
            'ablation_no-norm'} <= set(abl.variants)
    assert abl.work_dir.endswith('motion_vs_appearance_ablation_quick')
    with pytest.raises(SystemExit):
        bench.parse_args(['--variants', 'nope'])


def test_table_and_plot(tmp_path):
    runs = [
        dict(
            variant='a',
            seed=s,
            probe_acc=50. + s,
            finetune_acc=40.,
            pretrain_s=10.) for s in range(3)
    ] + [dict(variant='b', seed=0, probe_acc=70., loss_motion=0.5)]
    summary = bench.aggregate(runs, ['a', 'b'])
    assert summary['a']['probe_acc']['mean'] == 51.
    table = bench.markdown_table(summary, dict(a='A', b='B'))
    lines = table.strip().split('\n')
    assert len(lines) == 4
    assert lines[2].startswith('| A | 3 | 51.0 ± 1.0 | 40.0 ± 0.0 |')
    assert lines[3].startswith('| B | 1 | 70.0 | – |')
    png = tmp_path / 'r.png'
    bench.bar_chart(summary, dict(a='A', b='B'), str(png), 'title')
    assert png.read_bytes()[:4] == b'\x89PNG'


@pytest.mark.skipif(
    not (SHARED / 'data' / 'davis_sample').is_dir(),
    reason='DAVIS sample not found (set MOTIONMAE_SHARED)')
def test_davis_jf_on_the_sample(tmp_path):
    backbone = _tiny_backbone()
    ckpt = tmp_path / 'enc.pth'
    torch.save(
        dict(state_dict={
            f'backbone.{k}': v
            for k, v in backbone.state_dict().items()
        }), ckpt)
    from mmengine.config import ConfigDict
    scores = bench.davis_jf(
        ConfigDict(TINY_BACKBONE), str(ckpt),
        str(SHARED / 'data' / 'davis_sample'), str(tmp_path / 'davis'), 64)
    assert 0 < scores['J&F-Mean'] < 100


def test_smoke_run_writes_table_plot_and_reuses_runs(tmp_path):
    cmd = [
        sys.executable,
        str(TOOL), '--smoke', '--no-vos', '--threads', '1', '--work-dir',
        str(tmp_path / 'w')
    ]
    out = subprocess.run(
        cmd, cwd=REPO, check=True, capture_output=True, text=True).stdout
    lines = out.strip().split('\n')
    assert lines[-2].startswith('table: ') and lines[-1].startswith('plot: ')
    table = Path(lines[-2][len('table: '):])
    plot = Path(lines[-1][len('plot: '):])
    assert table.is_absolute() and plot.is_file()
    text = table.read_text()
    for label in ('(a) VideoMAE', '(b) MotionMAE', 'random init'):
        assert label in text
    assert 'DAVIS J&F skipped' in text
    result = json.loads((tmp_path / 'w' / 'results.json').read_text())
    assert {r['variant']
            for r in result['runs']
            } == {'videomae_tube', 'motionmae_shared', 'random_init'}
    assert (tmp_path / 'w' / 'reconstruction_motionmae_shared.png').is_file()
    again = subprocess.run(
        cmd, cwd=REPO, check=True, capture_output=True, text=True).stdout
    assert again.count('cached') == 3
