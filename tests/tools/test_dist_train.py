# Copyright (c) OpenMMLab. All rights reserved.
"""tools/dist_train.sh and tools/slurm_train.sh with 2 CPU processes: the
ranks' masks and RNG, a preemption both ranks stop for, a Slurm requeue, a
killed rank. One uninterrupted 2-rank run serves the first two."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest
import torch

from motionmae_mm.engine import PREEMPTED_EXIT_CODE
from motionmae_mm.utils import read_checkpoint

from .probe_config import probe_config
from .test_resume import _check_continues, _losses
from .test_train import DEMO, REPO, TINY

pytestmark = pytest.mark.heavy

EPOCHS = 3
PER_EPOCH = 4  # 8 clips, 1 per rank and iteration
PROBE = dict(type='RankProbeHook')


def _config(tmp_path: Path, data: Path, *hooks: dict) -> Path:
    """The demo config on 8 clips for ``EPOCHS``, with ``hooks``
    (``RankProbeHook``, ``SignalAtIterHook``) and a collective time-out
    of 321 s."""
    name = '_'.join(h['type'] for h in hooks) or 'plain'
    return probe_config(
        tmp_path / f'{name}.py', REPO / DEMO, data, list(hooks), EPOCHS,
        'env_cfg = dict(dist_cfg=dict(timeout=321))  # not 30 minutes')


def _env() -> dict:
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = f"{REPO}:{env.get('PYTHONPATH', '')}"
    return env


def _run(cmd: list, env: dict) -> subprocess.CompletedProcess:
    """Run a launcher; on time-out kill its whole process group."""
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True)
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _read(work: Path, rank: int) -> list:
    lines = (work / f'rank{rank}.jsonl').read_text().splitlines()
    return [json.loads(line) for line in lines]


def _check_two_ranks(work: Path, checkpoint: Path) -> None:
    """Both ranks ran the same iterations, drew their own masks, had the
    config's collective time-out, and ``checkpoint`` holds both RNG
    states."""
    r0, r1 = _read(work, 0), _read(work, 1)
    iters = [x['iter'] for x in r0]
    assert iters == [x['iter'] for x in r1] == list(range(len(iters)))
    assert len(iters) >= 2
    assert r0[0]['mask'] != r1[0]['mask']  # ranks draw different masks
    assert all(x['loss'] > 0 for x in r0 + r1)
    assert {x['timeout'] for x in r0 + r1} == {321.0}
    states = read_checkpoint(checkpoint)['rng_states']
    assert len(states) == 2
    assert not torch.equal(states[0]['torch'], states[1]['torch'])


def _dist_train(cfg: Path, work: Path, port: int,
                *extra: str) -> subprocess.CompletedProcess:
    """``tools/dist_train.sh`` on 2 ranks, 1 clip per rank and iteration."""
    return _run(['bash', 'tools/dist_train.sh', str(cfg), '2',
                 '--work-dir', str(work), *extra, '--cfg-options', *TINY,
                 'train_dataloader.batch_size=1'],
                dict(_env(), PORT=str(port)))


@pytest.fixture(scope='module')
def two_ranks(demo_data, tmp_path_factory) -> Path:
    """The work dir of one uninterrupted run: 2 ranks, ``EPOCHS``."""
    tmp = tmp_path_factory.mktemp('two_ranks')
    proc = _dist_train(_config(tmp, demo_data, PROBE), tmp / 'work', 29531)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp / 'work'


def test_dist_train_two_cpu_processes(two_ranks):
    assert len(_read(two_ranks, 0)) == EPOCHS * PER_EPOCH
    _check_two_ranks(two_ranks, two_ranks / f'epoch_{EPOCHS}.pth')


def test_two_gloo_ranks_stop_together_and_resume(demo_data, tmp_path,
                                                 two_ranks):
    """Only rank 1 gets the notice; both ranks stop after iteration 2,
    and the resumed run continues the uninterrupted one."""
    expected = _losses(two_ranks)
    assert sorted(expected) == list(range(1, EPOCHS * PER_EPOCH + 1))
    cut = tmp_path / 'cut'
    notice = dict(type='SignalAtIterHook', iteration=2, rank=1)
    proc = _dist_train(_config(tmp_path, demo_data, notice), cut, 29542)
    assert proc.returncode == PREEMPTED_EXIT_CODE, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        'preempted: the workers saved and stopped (exit code 75); run the '
        'same command with --resume to continue')
    assert 'ChildFailedError' not in proc.stderr
    assert read_checkpoint(cut / 'preempted_iter_2.pth')['meta']['iter'] == 2
    proc = _dist_train(_config(tmp_path, demo_data), cut, 29543, '--resume')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resuming epoch 1 at batch 3 of 4' in proc.stdout + proc.stderr
    _check_continues(expected, cut)


def local_srun(tmp_path: Path) -> Path:
    """A folder with a stand-in ``srun``: it starts the tasks here with
    Slurm's variables and, as Slurm's srun does, passes SIGUSR1 / SIGTERM
    on to them. Put it first on ``PATH``."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text("""#!/usr/bin/env bash
n=1
while [[ "$1" == -* ]]; do
  case "$1" in
    --ntasks=*) n=${1#--ntasks=};;
    -p) shift;;  # partition value
  esac
  shift
done
pids=()
for ((i=0; i<n; i++)); do
  SLURM_PROCID=$i SLURM_NTASKS=$n SLURM_LOCALID=$i "$@" & pids+=($!)
done
trap 'kill -USR1 "${pids[@]}" 2>/dev/null' USR1 TERM
code=0
for p in "${pids[@]}"; do
  # wait returns early on a trapped signal: wait again while p runs
  while :; do wait $p; c=$?; kill -0 $p 2>/dev/null || break; done
  [ $c -ne 0 ] && code=$c
done
exit $code
""")
    srun.chmod(0o755)
    return bin_dir


def test_slurm_train_passes_the_notice_on_and_requeues(demo_data,
                                                     tmp_path):
    """tools/slurm_train.sh under stand-ins for srun (``local_srun``) and
    scontrol (records the requeue): 2 ranks, then the notice."""
    bin_dir = local_srun(tmp_path)
    (bin_dir / 'scontrol').write_text(
        f'#!/usr/bin/env bash\necho "$@" >> {tmp_path}/scontrol.log\n')
    (bin_dir / 'scontrol').chmod(0o755)
    work = tmp_path / 'work'
    env = dict(_env(), GPUS='2', GPUS_PER_NODE='2', MASTER_PORT='29544',
               SLURM_JOB_ID='4242')
    env['PATH'] = f"{bin_dir}:{env['PATH']}"
    cmd = ['bash', 'tools/slurm_train.sh', 'cpu', 'job',
           str(_config(tmp_path, demo_data, PROBE)), '--work-dir',
           str(work), '--cfg-options', *TINY, 'train_dataloader.batch_size=2']
    log = tmp_path / 'stderr.txt'
    with open(log, 'w') as stderr:
        job = subprocess.Popen(
            cmd + ['train_cfg.max_epochs=1000'], cwd=REPO, env=env,
            stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True)
    try:
        deadline = time.time() + 240
        while not (work / 'last_checkpoint').exists():
            assert job.poll() is None and time.time() < deadline
            time.sleep(0.05)
        os.kill(job.pid, signal.SIGUSR1)  # Slurm: --signal=B:USR1@120
        job.wait(timeout=120)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
    assert job.returncode == PREEMPTED_EXIT_CODE, log.read_text()[-3000:]
    assert (tmp_path / 'scontrol.log').read_text() == 'requeue 4242\n'
    last = (work / 'last_checkpoint').read_text()
    assert 'preempted_iter_' in last, last
    _check_two_ranks(work, Path(last))
    done = read_checkpoint(last)['meta']
    # the requeued job: the same command, Slurm counts the restart
    proc = _run(cmd + [f'train_cfg.max_epochs={done["epoch"] + 1}'],
                dict(env, SLURM_RESTART_COUNT='1', MASTER_PORT='29545'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed epoch: {done["epoch"]}, iter: {done["iter"]}' in \
        proc.stdout + proc.stderr


def _parent(pid: int) -> int:
    stat = Path(f'/proc/{pid}/stat').read_text()
    return int(stat.rsplit(')', 1)[1].split()[1])


def _rank_pid(ancestor: int, rank: int) -> Optional[int]:
    """PID of the training process of ``rank`` started under ``ancestor``."""
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / 'environ').read_bytes().split(b'\0')
            cmdline = (entry / 'cmdline').read_bytes()
            if b'tools/train.py' not in cmdline or \
                    f'RANK={rank}'.encode() not in environ:
                continue
            pid = int(entry.name)
            while pid > 1 and pid != ancestor:
                pid = _parent(pid)
        except OSError:  # gone meanwhile
            continue
        if pid == ancestor:
            return int(entry.name)
    return None


def test_a_killed_rank_stops_the_run_with_one_line_then_resumes(
        demo_data, tmp_path):
    work = tmp_path / 'work'
    args = [
        'bash', 'tools/dist_train.sh',
        str(_config(tmp_path, demo_data, PROBE)), '2', '--work-dir',
        str(work)
    ]
    tiny = [
        *TINY, 'train_dataloader.batch_size=2',
        'default_hooks.checkpoint.interval=1'
    ]
    log = tmp_path / 'stderr.txt'
    with open(log, 'w') as stderr:  # a file: a full pipe would block it
        job = subprocess.Popen(
            args + ['--cfg-options', *tiny, 'train_cfg.max_epochs=100'],
            cwd=REPO,
            env=dict(_env(), PORT='29533'),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True)
    try:
        deadline = time.time() + 240
        while not (work / 'epoch_2.pth').exists():
            assert job.poll() is None and time.time() < deadline
            time.sleep(0.05)
        victim = _rank_pid(job.pid, 1)
        assert victim is not None
        os.kill(victim, signal.SIGKILL)
        # the launcher stops rank 0 itself: no 30-minute collective time-out
        job.wait(timeout=120)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
    err = log.read_text()
    assert job.returncode == 1
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf'error: rank 1 \(local rank 1, pid {victim}\) was killed by '
        r'SIGKILL at \d\d:\d\d:\d\d; the launcher stopped the other ranks\. '
        r'Fix the cause, then run the same command with --resume', last), last
    assert 'ChildFailedError' not in err

    done = read_checkpoint(
        (work / 'last_checkpoint').read_text().strip())['meta']['epoch']
    proc = _run(args + ['--resume', '--cfg-options', *tiny,
                        f'train_cfg.max_epochs={done + 1}'],
                dict(_env(), PORT='29534'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed epoch: {done}' in proc.stdout + proc.stderr
    resumed = read_checkpoint(work / f'epoch_{done + 1}.pth')
    assert resumed['meta']['epoch'] == done + 1
