# Copyright (c) OpenMMLab. All rights reserved.
"""A preempted run saves mid-epoch and resumes loss for loss; a diverged
run stops with one line; two runs cannot share a work dir. With 2 ranks
and under Slurm: test_dist_train.py."""
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from motionmae_mm.engine import PREEMPTED_EXIT_CODE
from motionmae_mm.engine.optim_wrappers import cpu_supports_bf16
from motionmae_mm.utils import read_checkpoint

from .probe_config import probe_config
from .test_dist_train import _env
from .test_resume import _check_continues, _losses
from .test_train import DEMO, REPO, TINY
from ..tool_process import run_tool, start_tool

pytestmark = pytest.mark.heavy

EPOCHS = 3
PER_EPOCH = 4  # 8 clips, 2 per iteration
VARIANTS = {
    # (extra options, iteration that gets the notice, iteration it stops);
    # fp32 without workers: test_the_preemption_benchmark_... below
    # a notice inside an accumulation window stops at the window's end
    'persistent-workers-accumulation':
    (['optim_wrapper.dtype=float32', 'train_dataloader.num_workers=2',
      'train_dataloader.persistent_workers=True',
      'optim_wrapper.accumulative_counts=2'], 5, 6),
    'bf16': (['optim_wrapper.dtype=bfloat16'], 6, 6),
}


def _config(tmp_path: Path, data: Path, notice_at=None) -> Path:
    """The demo config on 8 clips, 2 per iteration, plus a real notice."""
    hooks = [] if notice_at is None else [
        dict(type='SignalAtIterHook', iteration=notice_at)]
    return probe_config(tmp_path / f'cfg_{notice_at}.py', REPO / DEMO, data,
                        hooks, EPOCHS)


def _train(cfg: Path, work: Path, *options: str, resume: bool = False,
           batch: int = 2) -> subprocess.CompletedProcess:
    return run_tool('tools/train.py', cfg, '--work-dir', work,
                    *(['--resume'] if resume else []), '--cfg-options', *TINY,
                    f'train_dataloader.batch_size={batch}', *options,
                    env=_env())


@pytest.mark.parametrize('variant', list(VARIANTS))
def test_sigterm_mid_epoch_then_resume_matches_the_uninterrupted_run(
        demo_data, tmp_path, variant):
    options, notice_at, stops_at = VARIANTS[variant]
    if variant == 'bf16' and not cpu_supports_bf16():
        pytest.skip('this CPU has no native bf16 kernels (fp32 fallback)')
    full = tmp_path / 'full'
    proc = _train(_config(tmp_path, demo_data), full, *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = _losses(full)
    assert sorted(expected) == list(range(1, EPOCHS * PER_EPOCH + 1))

    cut = tmp_path / 'cut'
    proc = _train(_config(tmp_path, demo_data, notice_at), cut, *options)
    assert proc.returncode == PREEMPTED_EXIT_CODE, proc.stderr[-3000:]
    path = cut / f'preempted_iter_{stops_at}.pth'
    line = next(x for x in (proc.stdout + proc.stderr).splitlines()
                if 'preempted (' in x)
    assert re.search(
        rf'preempted \(SIGTERM\): stopped after iteration {stops_at}, saved '
        rf'{path} [\d.]+ s after the notice; exiting with code 75, run '
        'again with --resume to continue$', line), line
    meta = read_checkpoint(path)['meta']
    assert (meta['epoch'], meta['iter']) == (1, stops_at)  # in epoch 2
    assert (cut / 'last_checkpoint').read_text() == str(path)
    assert max(_losses(cut)) == stops_at

    proc = _train(_config(tmp_path, demo_data), cut, *options, resume=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert f'resumed epoch: 1, iter: {stops_at}' in log
    assert f'resuming epoch 2 at batch {stops_at - PER_EPOCH + 1} of ' \
        f'{PER_EPOCH}' in log
    _check_continues(expected, cut)
    assert not path.exists()  # replaced by the next regular checkpoint


def test_a_non_finite_fp32_loss_stops_with_one_line(demo_data, tmp_path):
    proc = _train(_config(tmp_path, demo_data), tmp_path / 'work',
                  'optim_wrapper.dtype=float32',
                  'model.targets.motion.loss.loss_weight=inf')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        'error: a non-finite loss_motion at iteration 1: training stopped '
        'before the step; last good checkpoint: none saved yet '
        '(--traceback for details)')
    assert not list((tmp_path / 'work').glob('*.pth'))


def test_a_second_run_in_a_work_dir_refuses_and_a_dead_ones_lock_does_not(
        demo_data, tmp_path):
    work = tmp_path / 'work'
    cfg = _config(tmp_path, demo_data)
    first = start_tool('tools/train.py', cfg, '--work-dir', work,
                       '--cfg-options', *TINY, 'train_cfg.max_epochs=1000',
                       env=_env())
    try:
        deadline = time.time() + 240
        while not (work / 'last_checkpoint').exists():
            assert first.poll() is None and time.time() < deadline
            time.sleep(0.05)
        proc = _train(cfg, work, batch=4)
        assert proc.returncode == 1
        line = proc.stderr.strip().splitlines()[-1]
        assert re.fullmatch(
            rf'error: {work} is in use by another training run \(pid '
            rf'{first.pid} on \S+, started [\d: -]+\): wait for it, pass '
            r'another --work-dir, or delete its train.lock if that run is '
            'gone', line), line
    finally:
        first.send_signal(signal.SIGKILL)  # leaves its lock behind
        first.wait()
    assert (work / 'train.lock').exists()
    done = read_checkpoint((work / 'last_checkpoint').read_text())['meta']
    proc = _train(cfg, work, f'train_cfg.max_epochs={done["epoch"] + 1}',
                  resume=True, batch=4)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'{work}/train.lock was left by a run that is gone (pid ' \
        f'{first.pid} on' in proc.stdout + proc.stderr
    assert not (work / 'train.lock').exists()  # released at the end


def test_the_preemption_benchmark_measures_a_real_sigterm(demo_data,
                                                          tmp_path):
    """tools/analysis/benchmark_preemption.py: an external SIGTERM."""
    proc = run_tool('tools/analysis/benchmark_preemption.py',
                    _config(tmp_path, demo_data), '--epochs', '6',
                    '--notice-after', '5', '--work-dir', tmp_path / 'bench',
                    '--cfg-options', *TINY, 'train_dataloader.batch_size=2',
                    'optim_wrapper.dtype=float32', env=_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout[proc.stdout.index('{'):])
    assert figures['exit_code'] == PREEMPTED_EXIT_CODE
    assert figures['stopped_after'] >= 5
    assert figures['resumed_at'] == figures['stopped_after'] + 1
    assert figures['missing_iterations'] == []
    assert figures['worst_loss_diff'] <= 1e-5
    assert figures['seconds_to_exit'] > 0
    stopped = figures['stopped_after']
    log = ''.join(p.read_text()
                  for p in (tmp_path / 'bench/preempted').glob('*/*.log'))
    assert re.search(
        rf'preempted \(SIGTERM\): stopped after iteration {stopped}, saved '
        rf'{figures["checkpoint"]} [\d.]+ s after the notice; exiting with '
        'code 75, run again with --resume to continue', log)
