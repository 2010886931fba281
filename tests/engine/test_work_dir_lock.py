# Copyright (c) OpenMMLab. All rights reserved.
"""One training run per work dir; a dead run's lock does not block."""
import json
import os
import socket
import time

import pytest

from motionmae_mm.engine.work_dir_lock import WorkDirBusyError, WorkDirLock


def _left(work, **holder):
    """A lock file as another run would have left it."""
    work.mkdir(exist_ok=True)
    (work / 'train.lock').write_text(json.dumps(holder))


def test_held_then_released(tmp_path):
    with WorkDirLock(str(tmp_path)) as lock:
        holder = json.loads((tmp_path / 'train.lock').read_text())
        assert (holder['pid'], holder['host']) == (os.getpid(),
                                                   socket.gethostname())
        with pytest.raises(WorkDirBusyError, match=f'pid {os.getpid()} on'):
            WorkDirLock(str(tmp_path)).acquire()
        assert lock.replaced is None
    assert not (tmp_path / 'train.lock').exists()


def test_a_dead_pid_on_this_host_is_taken_over(tmp_path):
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    _left(tmp_path, host=socket.gethostname(), pid=dead, started='then')
    with WorkDirLock(str(tmp_path)) as lock:
        assert lock.replaced['pid'] == dead


@pytest.mark.parametrize('age,job,busy', [
    (5, None, True),  # another host, refreshed lately: alive
    (3600, None, False),  # not refreshed for an hour: gone
    (5, '77', False),  # this Slurm job's earlier (requeued) life
])
def test_another_hosts_lock(tmp_path, monkeypatch, age, job, busy):
    monkeypatch.setenv('SLURM_JOB_ID', '77')
    _left(tmp_path, host='node-elsewhere', pid=1, slurm_job=job,
          started='then')
    then = time.time() - age
    os.utime(tmp_path / 'train.lock', (then, then))
    lock = WorkDirLock(str(tmp_path))
    if busy:
        with pytest.raises(WorkDirBusyError, match='node-elsewhere'):
            lock.acquire()
    else:
        lock.acquire()
        assert lock.replaced['host'] == 'node-elsewhere'
        lock.release()
