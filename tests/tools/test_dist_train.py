# Copyright (c) OpenMMLab. All rights reserved.
"""tools/dist_train.sh and tools/slurm_train.sh with 2 CPU processes."""
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

from motionmae_mm.utils import read_checkpoint

from .probe_config import probe_config
from .test_train import DEMO, REPO, TINY

pytestmark = pytest.mark.heavy


def _probe_config(tmp_path: Path, data: Path) -> Path:
    """The demo config, tiny, plus the per-rank probe hook."""
    return probe_config(
        tmp_path / 'probe_cfg.py', REPO / DEMO, data,
        [dict(type='RankProbeHook')], 1,
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


def _check_two_ranks(work: Path) -> None:
    r0, r1 = _read(work, 0), _read(work, 1)
    # 8 clips, batch 2 per rank, 2 ranks: 2 iterations on each rank
    assert [x['iter'] for x in r0] == [x['iter'] for x in r1] == [0, 1]
    assert r0[0]['mask'] != r1[0]['mask']  # ranks draw different masks
    assert all(x['loss'] > 0 for x in r0 + r1)
    assert {x['timeout'] for x in r0 + r1} == {321.0}
    # the checkpoint carries both ranks' RNG states, and they differ
    states = read_checkpoint(work / 'epoch_1.pth')['rng_states']
    assert len(states) == 2
    assert not torch.equal(states[0]['torch'], states[1]['torch'])


def test_dist_train_two_cpu_processes(demo_data, tmp_path):
    work = tmp_path / 'work'
    proc = _run([
        'bash', 'tools/dist_train.sh',
        str(_probe_config(tmp_path, demo_data)), '2', '--work-dir',
        str(work), '--cfg-options', *TINY, 'train_dataloader.batch_size=2'
    ], dict(_env(), PORT='29531'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    _check_two_ranks(work)


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


def test_slurm_train_with_a_local_srun(demo_data, tmp_path):
    """A stand-in `srun` starts the tasks locally with Slurm's variables."""
    bin_dir = local_srun(tmp_path)
    work = tmp_path / 'work'
    env = dict(_env(), GPUS='2', GPUS_PER_NODE='2', MASTER_PORT='29532')
    env['PATH'] = f"{bin_dir}:{env['PATH']}"
    proc = _run([
        'bash', 'tools/slurm_train.sh', 'cpu', 'probe',
        str(_probe_config(tmp_path, demo_data)), '--work-dir',
        str(work), '--cfg-options', *TINY, 'train_dataloader.batch_size=2'
    ], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _check_two_ranks(work)


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
        str(_probe_config(tmp_path, demo_data)), '2', '--work-dir',
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
