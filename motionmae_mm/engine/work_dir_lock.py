# Copyright (c) OpenMMLab. All rights reserved.
"""One training run per work dir.

Two runs writing the same work dir (a job submitted twice, a requeued job
next to its old self) overwrite each other's checkpoints and
``last_checkpoint``. The first run holds ``<work_dir>/train.lock`` (host,
pid, Slurm job, start time); a second one refuses with one line. A lock
whose run is gone does not block: on the same host its pid is dead; from
the same Slurm job it is the job's own earlier, preempted life; from
another host it has not been refreshed for ``stale_after`` seconds (the
holder touches it every ``heartbeat`` seconds).
"""
import json
import os
import os.path as osp
import socket
import threading
import time
from typing import Optional

from ..utils.cli import UserError

LOCK_NAME = 'train.lock'


class WorkDirBusyError(UserError):
    """Another live run holds the work dir."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


class WorkDirLock:
    """``with WorkDirLock(work_dir):`` holds the work dir for one run.

    Args:
        work_dir (str): The run's work dir.
        heartbeat (float): Seconds between refreshes of the lock file.
        stale_after (float): A lock from another host not refreshed for
            this long is a dead run's.
    """

    def __init__(self, work_dir: str, heartbeat: float = 60.,
                 stale_after: float = 600.) -> None:
        self.path = osp.join(work_dir, LOCK_NAME)
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.me = dict(host=socket.gethostname(), pid=os.getpid(),
                       slurm_job=os.environ.get('SLURM_JOB_ID'),
                       started=time.strftime('%Y-%m-%d %H:%M:%S'))
        self.replaced: Optional[dict] = None  # a dead run's lock, taken over
        self._stop = threading.Event()

    def _holder(self) -> Optional[dict]:
        try:
            with open(self.path) as f:
                return json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):  # half-written: its run died at once
            return {}

    def _gone(self, holder: dict) -> bool:
        """Whether the run that wrote ``holder`` is no longer running."""
        if not holder.get('pid'):
            return True
        if holder.get('host') == self.me['host']:
            return not _pid_alive(int(holder['pid']))
        if holder.get('slurm_job') and \
                holder['slurm_job'] == self.me['slurm_job']:
            return True  # a requeued job: its earlier life ended
        try:
            age = time.time() - osp.getmtime(self.path)
        except FileNotFoundError:
            return True
        return age > self.stale_after

    def acquire(self) -> None:
        """Take the lock, or raise :class:`WorkDirBusyError`."""
        os.makedirs(osp.dirname(self.path), exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self._holder()
                if holder is None:
                    continue  # released meanwhile
                if not self._gone(holder):
                    raise WorkDirBusyError(
                        f'{osp.dirname(self.path)} is in use by another '
                        f'training run (pid {holder.get("pid")} on '
                        f'{holder.get("host")}, started '
                        f'{holder.get("started")}): wait for it, pass '
                        f'another --work-dir, or delete its {LOCK_NAME} if '
                        'that run is gone')
                self.replaced = holder
                os.remove(self.path)
                continue
            with os.fdopen(fd, 'w') as f:
                json.dump(self.me, f)
            threading.Thread(target=self._beat, daemon=True).start()
            return
        raise WorkDirBusyError(f'could not take {self.path}: another run '
                               'took it at the same time')

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat):
            try:
                os.utime(self.path)
            except OSError:
                return

    def release(self) -> None:
        """Drop the lock, if it is still this run's."""
        self._stop.set()
        holder = self._holder()
        if holder and holder.get('pid') == self.me['pid'] and \
                holder.get('host') == self.me['host']:
            os.remove(self.path)

    def __enter__(self) -> 'WorkDirLock':
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
