# Copyright (c) OpenMMLab. All rights reserved.
"""A preempted run, measured end to end with ``tools/train.py``.

Three runs of one config: uninterrupted; the same run sent SIGTERM after
a given iteration; then ``--resume``. Gives the seconds from the signal to
the process's exit, the iteration the run stopped and resumed at, and the
worst per-iteration loss difference against the uninterrupted run (the
scalar logs, with the log's smoothing window set to one iteration).
"""
import glob
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time
from typing import Dict, List

from ..utils.checkpoint import read_checkpoint
from .scalars import read_scalars

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Per-iteration losses in the scalar log, unsmoothed.
PER_ITERATION = [
    'default_hooks.logger.interval=1', 'log_processor.window_size=1'
]


def logged_losses(work_dir: str) -> Dict[int, float]:
    """Iteration -> loss over every run logged in ``work_dir``."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))
    return read_scalars(logs, ['loss'])['loss']


def _train(config: str, work_dir: str, options: List[str],
           resume: bool = False) -> List[str]:
    return [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
            '--work-dir', work_dir, *(['--resume'] if resume else []),
            '--cfg-options', *PER_ITERATION, *options]


def _check(proc: subprocess.CompletedProcess, what: str) -> str:
    if proc.returncode != 0:
        tail = (proc.stderr or '').strip().splitlines()[-1:] or ['']
        raise RuntimeError(f'{what} failed (exit {proc.returncode}): '
                           f'{tail[0]}')
    return proc.stdout + proc.stderr


def measure_preemption(config: str, work_dir: str, options: List[str],
                       notice_after: int, timeout: float = 3600.) -> Dict:
    """Run, preempt after iteration ``notice_after``, resume; the figures.

    Args:
        config: The config file.
        work_dir: Holds the ``uninterrupted`` and ``preempted`` runs.
        options: ``--cfg-options`` for all three runs.
        notice_after: SIGTERM once the log has this iteration.
        timeout: Seconds any one run may take.
    """
    full = osp.join(work_dir, 'uninterrupted')
    cut = osp.join(work_dir, 'preempted')
    _check(subprocess.run(_train(config, full, options), capture_output=True,
                          text=True, timeout=timeout), 'the uninterrupted run')
    expected = logged_losses(full)
    os.makedirs(cut, exist_ok=True)
    with open(osp.join(cut, 'stderr.txt'), 'w') as err:
        job = subprocess.Popen(_train(config, cut, options),
                               stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + timeout
    while max(logged_losses(cut), default=0) < notice_after:
        if job.poll() is not None or time.time() > deadline:
            job.kill()
            raise RuntimeError(f'the run ended before iteration '
                               f'{notice_after}; see {cut}/stderr.txt')
        time.sleep(0.02)
    sent = time.time()
    job.send_signal(signal.SIGTERM)
    code = job.wait(timeout=timeout)
    seconds = time.time() - sent
    with open(osp.join(cut, 'last_checkpoint')) as f:
        saved = f.read().strip()
    stopped = read_checkpoint(saved)['meta']['iter']
    log = _check(subprocess.run(_train(config, cut, options, resume=True),
                                capture_output=True, text=True,
                                timeout=timeout), 'the resumed run')
    resumed = re.search(r'resumed epoch: \d+, iter: (\d+)', log)
    got = logged_losses(cut)
    missing = sorted(set(expected) - set(got))
    return dict(
        iterations=len(expected),
        notice_after=notice_after,
        exit_code=code,
        seconds_to_exit=round(seconds, 2),
        checkpoint=saved,
        stopped_after=stopped,
        resumed_at=int(resumed.group(1)) + 1 if resumed else None,
        missing_iterations=missing,
        worst_loss_diff=max(abs(got[i] - expected[i])
                            for i in expected if i in got))
