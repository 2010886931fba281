# Copyright (c) OpenMMLab. All rights reserved.
"""A run killed with SIGKILL resumes and continues the uninterrupted run."""
import json
import signal
import time
from pathlib import Path

import pytest

from motionmae_mm.utils import read_checkpoint

from .test_train import DEMO, TINY
from ..tool_process import run_tool, start_tool

EPOCHS = 5  # 2 iterations each
# no workers; persistent workers, which keep their random state across
# epochs (exact only with the per-sample seeds of SampleSeedSampler)
WORKERS = {
    'main-process': [],
    'persistent-workers': [
        'train_dataloader.num_workers=2',
        'train_dataloader.persistent_workers=True'
    ],
}


def _cmd(data: Path, work: Path, *extra: str, workers: tuple = ()) -> list:
    return [
        'tools/train.py', DEMO, '--work-dir',
        str(work), *extra, '--cfg-options',
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}',
        f'train_cfg.max_epochs={EPOCHS}',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=5', *TINY, *workers
    ]


def _losses(work: Path) -> dict:
    """iteration -> loss, from every run's scalar log in ``work``."""
    out = {}
    for log in sorted(work.glob('*/vis_data/scalars.json')):
        for line in log.read_text().splitlines():
            rec = json.loads(line)
            if 'loss' in rec:
                out[rec['step']] = rec['loss']
    return out


def _check_continues(expected: dict, work: Path) -> None:
    """The losses in ``work`` (the cut run's, then the resumed run's) equal
    the uninterrupted run's ``expected``, iteration for iteration."""
    got = _losses(work)
    assert sorted(got) == sorted(expected)
    worst = max(abs(got[it] - expected[it]) for it in expected)
    assert worst <= 1e-5, {it: (got[it], expected[it]) for it in expected}


@pytest.mark.parametrize('workers', list(WORKERS))
def test_sigkill_then_resume_matches_uninterrupted_run(demo_data, tmp_path,
                                                       workers):
    workers = WORKERS[workers]
    full = tmp_path / 'full'
    proc = run_tool(*_cmd(demo_data, full, workers=workers))
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = _losses(full)
    assert sorted(expected) == list(range(1, 2 * EPOCHS + 1))

    # same config and seed: the same losses step for step (determinism)
    cut = tmp_path / 'cut'
    job = start_tool(*_cmd(demo_data, cut, workers=workers))
    deadline = time.time() + 240
    while not (cut / 'epoch_2.pth').exists() and job.poll() is None:
        assert time.time() < deadline
        time.sleep(0.02)
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert job.returncode == -signal.SIGKILL  # killed mid-run
    last = (cut / 'last_checkpoint').read_text().strip()
    done = read_checkpoint(last)['meta']['iter']
    assert 4 <= done < 2 * EPOCHS
    before = _losses(cut)
    for it, loss in before.items():
        assert abs(loss - expected[it]) <= 1e-6 * abs(expected[it]), it

    proc = run_tool(*_cmd(demo_data, cut, '--resume', workers=workers))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed epoch: {done // 2}, iter: {done}' in proc.stdout + \
        proc.stderr
    resumed = {
        it: loss
        for it, loss in _losses(cut).items() if it not in before
        or it > done
    }
    # at most one checkpoint interval (2 iterations) was redone, and the
    # continuation equals the uninterrupted run (masks, data order, RNG)
    assert min(resumed) == done + 1 and max(resumed) == 2 * EPOCHS
    for it, loss in resumed.items():
        assert abs(loss - expected[it]) <= 1e-5 * abs(expected[it]), (
            it, loss, expected[it])
