# Copyright (c) OpenMMLab. All rights reserved.
"""tools/train.py end to end, in a subprocess, on generated clips."""
from pathlib import Path

from motionmae_mm.engine.optim_wrappers import cpu_supports_bf16
from motionmae_mm.utils import read_checkpoint
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'
TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1', 'train_dataloader.batch_size=4',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'default_hooks.logger.interval=1'
]


def run_train(data: Path, work_dir: Path, *extra: str, epochs: int = 1):
    cmd = [
        'tools/train.py', DEMO, '--work-dir',
        str(work_dir), *extra, '--cfg-options',
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}',
        f'train_cfg.max_epochs={epochs}', 'default_hooks.checkpoint.interval=1',
        *TINY
    ]
    return run_tool(*cmd)


def test_train_writes_checkpoint_on_cpu(demo_data, tmp_path):
    proc = run_train(demo_data, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the config's AMP wrapper trains in CPU bf16 where the CPU has kernels
    expected = ('mixed precision: bf16 autocast on CPU' if cpu_supports_bf16()
                else 'no native bf16 kernels, training in fp32')
    assert expected in proc.stdout + proc.stderr
    assert 'loss_motion' in proc.stdout + proc.stderr
    ckpt = read_checkpoint(tmp_path / 'epoch_1.pth')
    assert ckpt['meta']['iter'] == 2  # 8 clips / batch 4
    assert any(k.startswith('backbone.blocks.0') for k in ckpt['state_dict'])


def test_resume_continues_from_checkpoint(demo_data, tmp_path):
    assert run_train(demo_data, tmp_path).returncode == 0
    proc = run_train(demo_data, tmp_path, '--resume', epochs=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 1, iter: 2' in log
    assert 'Epoch(train) [1]' not in log  # epoch 1 is not trained again
    assert read_checkpoint(tmp_path / 'epoch_2.pth')['meta']['iter'] == 4
