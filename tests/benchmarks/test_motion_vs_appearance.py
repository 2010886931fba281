# Copyright (c) OpenMMLab. All rights reserved.
"""tools/benchmarks/motion_vs_appearance.py: variants, modes, cache, CLI.

The protocols it runs are tested with the package
(tests/evaluation/test_probes.py, test_summary.py, test_vos_encoder_jf.py).
"""
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from motionmae_mm.analysis.run_cache import run_config, train_command
from ..tool_process import load_tool, run_tool

pytestmark = pytest.mark.heavy

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'benchmarks' / 'motion_vs_appearance.py'


bench = load_tool(TOOL)


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


#: Every key of (b)'s motion target: dropped by the pixels-only variants.
MOTION = {
    f'targets.motion.{k}'
    for k in ('type', 'gap', 'signed', 'grayscale', 'norm_pix', 'loss.type',
              'loss.loss_weight')
}


@pytest.mark.parametrize('name,expected', [
    ('motionmae_shared', set()),
    ('videomae_tube', {'mask_generator.type', *MOTION}),
    ('motionmae_independent', {'neck.mode'}),
    ('framewise_pixels', MOTION),
    ('motionmae_guided', {
        'mask_generator.type', 'mask_generator.per_slot',
        'mask_generator.temperature', 'mask_generator.gap'
    }),
    ('ablation_gap2', {'targets.motion.gap'}),
    ('ablation_gap4', {'targets.motion.gap'}),
    ('ablation_no-norm', {'targets.motion.norm_pix'}),
    ('ablation_abs', {'targets.motion.signed'}),
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


def test_data_with_other_split_sizes_is_refused(tmp_path, monkeypatch):
    (tmp_path / 'classes.txt').write_text('left\nright\n')
    for split, n in (('train', 24), ('val', 8), ('test', 40)):
        (tmp_path / f'{split}.txt').write_text(''.join(
            f'{split}/c_{i}.mp4 {i % 2}\n' for i in range(n)))
    with pytest.raises(
            ValueError,
            match=r'train.txt lists 24 clips, expected 100 per class \(200\)'):
        bench.ensure_data(str(tmp_path))
    monkeypatch.setattr(bench, 'DATA_SPLITS', (12, 4, 20))
    with pytest.raises(ValueError, match="holds 'smooth' clips"):
        bench.ensure_data(str(tmp_path))  # no settings.json: older data
    (tmp_path / 'settings.json').write_text('{"style": "textured"}')
    bench.ensure_data(str(tmp_path))  # matching sizes and style: accepted


def test_schedule_is_the_configs_but_length_and_warmup():
    assert bench.schedule_options(10) == {
        'train_cfg.max_epochs': 10,
        'param_scheduler.warmup': 1
    }
    assert bench.schedule_options(40)['param_scheduler.warmup'] == 4  # 10 %
    # one epoch: cosine only
    assert bench.schedule_options(1)['param_scheduler.warmup'] == 0
    path = VARIANT_CFG['motionmae_shared']
    options = bench.run_options(path, 'data/x', 10, 3, 0)
    cfg = run_config(str(REPO / path), options, 'w')
    written = Config.fromfile(REPO / path)
    assert cfg.param_scheduler == dict(written.param_scheduler, warmup=1)
    assert cfg.optim_wrapper == written.optim_wrapper
    assert (cfg.train_cfg.max_epochs, cfg.randomness.seed) == (10, 3)


def test_a_run_is_the_printed_train_command(tmp_path):
    """tools/train.py with the printed command trains the same config."""
    import argparse
    import shlex

    from mmengine.config import DictAction
    path = VARIANT_CFG['motionmae_shared']
    options = bench.run_options(path, str(tmp_path), 2, 1, 2)
    command = shlex.split(train_command(path, options, 'w'))
    assert command[:6] == ['python', 'tools/train.py', path, '--work-dir',
                           'w', '--cfg-options']
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parsed = parser.parse_args(command[5:]).cfg_options
    assert parsed == options
    trained = run_config(str(REPO / path), options, 'w')
    alone = Config.fromfile(REPO / path)
    alone.merge_from_dict(parsed)
    alone.work_dir, alone.launcher = 'w', 'none'
    assert trained.to_dict() == alone.to_dict()


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


def test_davis_runs_only_on_a_folder_given(tmp_path):
    """No default DAVIS folder outside the checkout; the cache key says
    whether DAVIS was scored."""
    plain = bench.parse_args(['--quick'])
    assert plain.davis_root is None and not bench.runs_vos(plain)
    absent = bench.parse_args(['--quick', '--davis-root', str(tmp_path / 'x')])
    assert not bench.runs_vos(absent)
    given = bench.parse_args(['--quick', '--davis-root', str(tmp_path)])
    assert bench.runs_vos(given)
    assert not bench.runs_vos(
        bench.parse_args(['--quick', '--no-vos', '--davis-root',
                          str(tmp_path)]))
    path = VARIANT_CFG['motionmae_shared']

    def key(args):
        options = bench.run_options(path, args.data_root, args.epochs, 0, 0)
        return bench.settings_key(args, 'motionmae_shared', options, path)

    assert key(plain) == key(absent)
    assert key(plain) != key(given)


def test_smoke_run_writes_table_plot_and_reuses_runs(tmp_path):
    cmd = [
        TOOL, '--smoke', '--no-vos', '--threads', '1', '--work-dir',
        str(tmp_path / 'w')
    ]
    proc = run_tool(*cmd, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    lines = out.strip().split('\n')
    # each pretraining run prints what it overrides, as a train.py command
    printed = next(t for t in lines if t.startswith('[motionmae_shared'))
    assert printed.startswith(
        '[motionmae_shared seed 0] pretraining 1 epochs: python '
        'tools/train.py configs/benchmarks/motionmae_shared_vit-tiny.py '
        f'--work-dir {tmp_path}/w/motionmae_shared/seed0 --cfg-options '
        f'train_dataloader.dataset.ann_file={tmp_path}/w/data/pretrain.txt ')
    assert printed.endswith(' train_cfg.max_epochs=1 param_scheduler.warmup=0'
                            ' default_hooks.checkpoint.interval=1'
                            ' default_hooks.checkpoint.max_keep_ckpts=1'
                            ' default_hooks.logger.interval=20 custom_hooks=[]')
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
    # the table shows the runs' numbers, mean over the one seed
    rows = {r['variant']: r for r in result['runs']}
    line = next(t for t in text.splitlines() if t.startswith('| (b)'))
    cells = [c.strip() for c in line.strip('|').split('|')]
    assert cells[1] == '1'
    assert cells[2] == f"{rows['motionmae_shared']['probe_acc']:.1f}"
    assert cells[4] == f"{rows['motionmae_shared']['finetune_acc']:.1f}"
    assert cells[6] == f"{rows['motionmae_shared']['loss_motion']:.3f}"
    assert result['summary']['motionmae_shared']['probe_acc']['values'] == [
        rows['motionmae_shared']['probe_acc']
    ]
    # accuracies are top-1 over the 16 smoke test clips: multiples of 6.25
    for row in rows.values():
        for key in ('probe_acc', 'probe_t_acc', 'finetune_acc'):
            assert row[key] / 6.25 == int(row[key] / 6.25), (key, row)
    assert 'loss_motion' not in rows['videomae_tube']
    proc = run_tool(*cmd, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = proc.stdout
    assert again.count('cached') == 3
    rerun = json.loads((tmp_path / 'w' / 'results.json').read_text())
    assert rerun['runs'] == result['runs']  # reused as they were
