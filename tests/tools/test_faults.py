# Copyright (c) OpenMMLab. All rights reserved.
"""Faults a long run meets: a truncated checkpoint, unreadable videos."""
import json
import subprocess
from pathlib import Path

from motionmae_mm.utils import read_checkpoint
from .test_train import DEMO, TINY
from ..tool_process import run_tool


def run_train(data: Path, work_dir: Path, *extra: str, epochs: int = 1,
              extra_cfg: tuple = ()) -> subprocess.CompletedProcess:
    """tools/train.py on the demo clips, a checkpoint each epoch (kept)."""
    cmd = [
        'tools/train.py', DEMO, '--work-dir',
        str(work_dir), *extra, '--cfg-options',
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}',
        f'train_cfg.max_epochs={epochs}', 'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=3', *TINY, *extra_cfg
    ]
    return run_tool(*cmd)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])


def test_resume_skips_a_truncated_newest_checkpoint(demo_data, tmp_path):
    proc = run_train(demo_data, tmp_path, epochs=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    newest = tmp_path / 'epoch_2.pth'
    assert (tmp_path / 'last_checkpoint').read_text() == str(newest)
    _truncate(newest)

    proc = run_train(demo_data, tmp_path, '--resume', epochs=3)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    skips = [line for line in log.splitlines() if 'skipping checkpoint' in line]
    assert len(skips) == 1, skips
    assert skips[0].endswith(
        f'skipping checkpoint {newest}: truncated or corrupt (File is not a '
        'zip file); trying the one before it')
    assert 'resumed epoch: 1, iter: 2' in log  # from epoch_1.pth
    assert 'PytorchStreamReader' not in log
    # epochs 2 and 3 trained again; the new epoch_2.pth is whole
    assert read_checkpoint(tmp_path / 'epoch_3.pth')['meta']['iter'] == 6
    assert read_checkpoint(newest)['meta']['iter'] == 4


def test_resume_path_to_a_truncated_checkpoint_is_one_error_line(
        demo_data, tmp_path):
    assert run_train(demo_data, tmp_path).returncode == 0
    ckpt = tmp_path / 'epoch_1.pth'
    _truncate(ckpt)
    proc = run_train(demo_data, tmp_path, '--resume', str(ckpt), epochs=2)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        f'error: cannot read checkpoint {ckpt}: truncated or corrupt (File '
        'is not a zip file); pass an older checkpoint, or --resume without '
        'a path to take the newest readable one in the work dir '
        '(--traceback for details)')
    assert 'Traceback' not in proc.stderr


def test_skipped_videos_are_counted_per_epoch(demo_data, tmp_path):
    """Counted in data-loader worker processes, reported by the main one."""
    bad = tmp_path / 'broken.mp4'
    bad.write_bytes(b'not a video')
    ann = tmp_path / 'ann.txt'
    lines = (demo_data / 'pretrain.txt').read_text().splitlines()
    ann.write_text('\n'.join(lines + [f'{bad} 0']) + '\n')
    work = tmp_path / 'work'
    proc = run_train(
        demo_data, work, epochs=2, extra_cfg=[
            f'train_dataloader.dataset.ann_file={ann}',
            'train_dataloader.num_workers=2',
            'train_dataloader.persistent_workers=True'
        ])
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = next(work.glob('*/*.log')).read_text()
    # the sampler draws it once an epoch; in epoch 2 the dataset's retry
    # (seeded per sample, so the same every run) draws it a second time
    for epoch, count in ((1, 1), (2, 2)):
        assert (f'Epoch(train) [{epoch}]: skipped {count} sample(s), 1 '
                f'unreadable video(s): {bad}\n') in log
    scalars = [
        json.loads(line) for line in next(
            work.glob('*/vis_data/scalars.json')).read_text().splitlines()
    ]
    counts = [(s['epoch'], s['skipped_videos']) for s in scalars
              if 'skipped_videos' in s]
    assert counts == [(1, 1), (2, 2)]
