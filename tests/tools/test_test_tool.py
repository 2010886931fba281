# Copyright (c) OpenMMLab. All rights reserved.
"""Pretrain briefly -> fine-tune -> test, with the real tools, tiny sizes."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from motionmae_mm.utils import publish_checkpoint
from ..conftest import REPO, build_demo_data
from ..tool_process import run_tool

pytestmark = pytest.mark.heavy

PRETRAIN = 'configs/demo/motionmae_vit-tiny_demo.py'
FINETUNE = 'configs/demo/finetune_vit-tiny_demo.py'
ENCODER = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2'
]
LOADER = ['num_workers=0', 'persistent_workers=False', 'batch_size=4']


def _loader(key: str, data: Path, ann: str) -> list:
    return [f'{key}.{opt}' for opt in LOADER] + [
        f'{key}.dataset.ann_file={data}/{ann}',
        f'{key}.dataset.data_prefix.video={data}'
    ]


def _finetune_opts(data: Path) -> list:
    return ENCODER + [
        'model.cls_head.type=TimeSformerHead',  # the ViT-B recipes' head
        'model.cls_head.in_channels=32',
        'optim_wrapper.paramwise_cfg.num_layers=1',
        'default_hooks.logger.interval=1'
    ] + _loader('train_dataloader', data, 'train.txt') + _loader(
        'val_dataloader', data, 'val.txt') + _loader('test_dataloader', data,
                                                     'test.txt')


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return run_tool(*cmd)


@pytest.fixture(scope='module')
def ft_data(tmp_path_factory) -> Path:
    """Demo clips: 8 classes x 2 train / 1 val / 1 test."""
    return build_demo_data(tmp_path_factory.mktemp('ftdemo'), 2, 1, 1)


@pytest.fixture(scope='module')
def finetuned(ft_data, tmp_path_factory) -> dict:
    """Pretrain 1 epoch, then fine-tune 6 epochs from that checkpoint."""
    work = tmp_path_factory.mktemp('ftwork')
    pre = _run('tools/train.py', PRETRAIN, '--work-dir', work / 'pre',
               '--cfg-options', *ENCODER, 'model.neck.embed_dims=16',
               'model.neck.depth=1', 'train_cfg.max_epochs=1',
               *_loader('train_dataloader', ft_data, 'pretrain.txt'))
    assert pre.returncode == 0, pre.stderr[-3000:]
    ckpt = work / 'pre' / 'epoch_1.pth'
    ft = _run('tools/train.py', FINETUNE, '--work-dir', work / 'ft',
              '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}',
              'train_cfg.max_epochs=6', 'train_cfg.val_interval=6',
              'default_hooks.checkpoint.interval=6',
              'optim_wrapper.optimizer.lr=3e-3', 'log_processor.window_size=1',
              'param_scheduler.start_factor=1.', *_finetune_opts(ft_data))
    assert ft.returncode == 0, ft.stderr[-3000:]
    return dict(
        pretrain=ckpt,
        work=work / 'ft',
        log=ft.stdout + ft.stderr,
        checkpoint=work / 'ft' / 'epoch_6.pth')


def test_finetune_loads_encoder_and_moves_loss_down(finetuned):
    assert 'loaded ' in finetuned['log'] and 'fc_norm.weight' in finetuned[
        'log']
    scalars = next(finetuned['work'].glob('*/vis_data/scalars.json'))
    losses = [
        json.loads(line)['loss'] for line in scalars.read_text().splitlines()
        if '"loss"' in line
    ]
    assert len(losses) == 24  # 16 clips / batch 4 x 6 epochs
    first, last = sum(losses[:4]) / 4, sum(losses[-4:]) / 4
    assert last < first - 0.05, losses


def test_test_tool_reports_top1_top5_over_views(finetuned, ft_data):
    proc = _run('tools/test.py', FINETUNE, finetuned['checkpoint'],
                '--work-dir', finetuned['work'] / 'test', '--dump',
                finetuned['work'] / 'preds.pkl', '--cfg-options',
                *_finetune_opts(ft_data))
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = proc.stdout.strip().splitlines()[-1]
    top1 = float(re.search(r'acc/top1: ([\d.]+)', line).group(1))
    top5 = float(re.search(r'acc/top5: ([\d.]+)', line).group(1))
    assert 0 <= top1 <= top5 <= 1
    assert (finetuned['work'] / 'preds.pkl').is_file()


def test_test_tool_input_errors_are_one_line(finetuned, ft_data, tmp_path):
    opts = _finetune_opts(ft_data)
    proc = _run('tools/test.py', FINETUNE, tmp_path / 'nope.pth',
                '--cfg-options', *opts)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == \
        f'error: CHECKPOINT: no such file: {tmp_path}/nope.pth ' \
        '(--traceback for details)'

    bad = tmp_path / 'test.txt'
    lines = (ft_data / 'test.txt').read_text().splitlines()
    lines[2] = lines[2].rsplit(' ', 1)[0] + ' 8'
    bad.write_text('\n'.join(lines) + '\n')
    proc = _run('tools/test.py', FINETUNE, finetuned['checkpoint'],
                '--cfg-options', *opts,
                f'test_dataloader.dataset.ann_file={bad}')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: {bad}:3: label 8 outside [0, 8) '
        '(model.cls_head.num_classes=8) (--traceback for details)')

    proc = _run('tools/test.py', FINETUNE, finetuned['checkpoint'],
                '--cfg-options', *opts, 'model.backbone.depth=2')
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and 'does not fit' in last
    assert 'blocks.1' in last


def test_train_errors_name_the_key(finetuned, ft_data, tmp_path):
    opts = _finetune_opts(ft_data)
    proc = _run('tools/train.py', FINETUNE, '--work-dir', tmp_path,
                '--cfg-options', *opts, 'model.cls_head.num_classes=4')
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]  # one line, no traceback
    assert re.fullmatch(
        r'error: .*train\.txt:\d+: label [4-7] outside \[0, 4\) '
        r'\(model\.cls_head\.num_classes=4\) \(--traceback for details\)',
        last), last
    assert 'Traceback' not in proc.stderr
    proc = _run('tools/train.py', FINETUNE, '--work-dir', tmp_path,
                '--cfg-options', *opts,
                f'model.backbone.init_cfg.checkpoint={tmp_path}/no.pth')
    assert proc.returncode == 1
    assert f'init_cfg.checkpoint: no such file: {tmp_path}/no.pth' in \
        proc.stderr.strip().splitlines()[-1]


def test_test_tool_reads_safetensors(finetuned, ft_data, tmp_path):
    """The .safetensors twin of the fine-tuned checkpoint tests the same."""
    _, twin = publish_checkpoint(
        str(finetuned['checkpoint']), str(tmp_path / 'ft.pth'))
    lines = []
    for checkpoint in (finetuned['checkpoint'], twin):
        proc = _run('tools/test.py', FINETUNE, checkpoint, '--work-dir',
                    tmp_path / 'test', '--cfg-options',
                    *_finetune_opts(ft_data))
        assert proc.returncode == 0, proc.stderr[-3000:]
        lines.append(proc.stdout.strip().splitlines()[-1])
    assert 'acc/top1: ' in lines[0] and lines[0] == lines[1]
def test_finetune_log_has_no_per_parameter_lines(finetuned):
    log = finetuned['log']
    assert 'set param ' not in log and 'paramwise_options' not in log
    assert 'Param groups = ' not in log and 'torch.Size(' not in log
    assert 'MultiScaleDeformableAttention' not in log


def test_dist_test_prints_the_result_once(finetuned, ft_data):
    import os
    env = dict(os.environ, PYTHON=sys.executable, PORT='29548',
               OMP_NUM_THREADS='1')
    proc = subprocess.run([
        'bash', 'tools/dist_test.sh', FINETUNE,
        str(finetuned['checkpoint']), '2', '--work-dir',
        str(finetuned['work'] / 'dist_test'), '--cfg-options',
        *_finetune_opts(ft_data)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = [line for line in proc.stdout.splitlines()
               if line.startswith('acc/top1: ')]
    assert len(results) == 1, proc.stdout[-2000:]
    assert 'Processes: 2 (CPU, no GPU)' in proc.stdout + proc.stderr or \
        'GPU number: 2' in proc.stdout + proc.stderr
