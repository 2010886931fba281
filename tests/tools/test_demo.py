# Copyright (c) OpenMMLab. All rights reserved.
"""tools/demo.py at toy size: data, pretraining, picture, closing probe."""
import re

from motionmae_mm.datasets.digits_demo import build_digits_demo
from ..conftest import REPO
from ..tool_process import run_tool


def test_demo_pretrains_draws_and_probes_against_random_init(tmp_path):
    data, work = tmp_path / 'data', tmp_path / 'work'
    build_digits_demo(
        str(data), counts=dict(train=3, val=1, test=2, pretrain=32), log=None)
    cfg = tmp_path / 'tiny.py'
    cfg.write_text(
        f"_base_ = ['{REPO}/configs/demo/motionmae_vit-tiny_digits-demo.py']\n"
        'model = dict(backbone=dict(embed_dims=32, depth=1, num_heads=2),\n'
        '             neck=dict(embed_dims=16, depth=1))\n'
        'train_dataloader = dict(batch_size=8)\n'
        'param_scheduler = dict(warmup=1)\n'
        'train_cfg = dict(max_epochs=2)\n')
    proc = run_tool('tools/demo.py', '--config', cfg, '--data-root', data,
                    '--work-dir', work, '--shots', '2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout[proc.stdout.index('losses (mean'):].splitlines()
    assert re.fullmatch(
        r'losses \(mean of the first -> last 10 iterations\): loss [\d.]+ -> '
        r'[\d.]+, loss_appearance [\d.]+ -> [\d.]+, loss_motion [\d.]+ -> '
        r'[\d.]+', out[0]), out[0]
    assert out[1] == ('few-label probe of the frozen encoder: 8 classes '
                      '(direction), 2 labels per class, 3 draws, 16 test '
                      'clips of held-out digits')
    for line, name in zip(out[2:4], ('pretrained', 'random init')):
        assert re.fullmatch(rf'  {name} +[\d.]+ % \+- [\d.]+', line), line
    assert out[5].split() == ['pretrained', 'random', 'init']
    health = {line.split()[0]: line.split()[1:] for line in out[6:11]}
    assert set(health) == {'token_cosine', 'token_rank', 'clip_rank',
                           'clip_share', 'attn_entropy/0'}
    assert all(len(values) == 2 for values in health.values())
    assert out[-2] == f'checkpoint: {work}/epoch_2.pth'
    assert out[-1] == f'reconstruction: {work}/reconstruction.png'
    assert (work / 'reconstruction.png').stat().st_size > 0


def test_a_probe_larger_than_the_labels_is_refused_before_training(
        tmp_path):
    data = tmp_path / 'data'
    build_digits_demo(
        str(data), counts=dict(train=3, val=1, test=1, pretrain=0), log=None)
    proc = run_tool('tools/demo.py', '--data-root', data, '--work-dir',
                    tmp_path / 'work', '--shots', '5')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --shots 5: {data}/train.txt has 3 clips per class at the '
        'fewest')
    assert not (tmp_path / 'work').exists()
