# Copyright (c) OpenMMLab. All rights reserved.
"""torchrun, with one line naming the rank that failed, and preemption.

When a worker dies (SIGKILL, out of memory, a lost GPU), torchrun's agent
stops the other workers of its node at once (SIGTERM as soon as it sees a
worker exit), then ends with a 40-line ``ChildFailedError`` traceback.
``tools/dist_train.sh`` runs this module instead: the same arguments and
behaviour, and on failure one ``error:`` line saying which rank was lost
first, how, and how to go on.

A preemption notice (SIGTERM, SIGUSR1) to the launcher is passed on to the
workers, which save and exit with ``PREEMPTED_EXIT_CODE``
(``PreemptionHook``); the launcher then exits with it too. torchrun's own
SIGTERM handling would give the workers 30 s before killing them.

Usage: ``python -m motionmae_mm.engine.launcher [torchrun args] SCRIPT ...``
"""
import os
import signal
import sys
import time
from pathlib import Path
from typing import List, Optional

from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import parse_args, run

from .hooks.preemption_hook import PREEMPTED_EXIT_CODE

#: The notices passed on to the workers (Slurm: SIGTERM, --signal=USR1@T).
NOTICES = ('SIGTERM', 'SIGUSR1')


def child_pids(pid: int) -> List[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / 'stat').read_text()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rsplit(')', 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _pass_on(signum: int, frame) -> None:
    for pid in child_pids(os.getpid()):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def describe_failure(err: ChildFailedError) -> str:
    """One line naming the first failed rank and what ended it.

    The ranks the agent stopped after it (SIGTERM) count as failures too;
    the first one by time is the one that was lost.
    """
    rank, failure = err.get_first_failure()
    if failure.exitcode < 0:
        how = f'was killed by {failure.signal_name()}'
    else:
        how = f'exited with code {failure.exitcode}'
    when = time.strftime('%H:%M:%S', time.localtime(failure.timestamp))
    return (f'error: rank {rank} (local rank {failure.local_rank}, pid '
            f'{failure.pid}) {how} at {when}; the launcher stopped '
            'the other ranks. Fix the cause, then run the same command with '
            '--resume')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    # the agent keeps SIGINT, SIGHUP, SIGQUIT; the notices are passed on
    args.signals_to_handle = ','.join(
        s for s in args.signals_to_handle.split(',')
        if s.strip() not in NOTICES)
    for name in NOTICES:
        signal.signal(getattr(signal, name), _pass_on)
    try:
        run(args)
    except ChildFailedError as err:
        _, first = err.get_first_failure()
        if first.exitcode == PREEMPTED_EXIT_CODE:
            print(f'preempted: the workers saved and stopped (exit code '
                  f'{PREEMPTED_EXIT_CODE}); run the same command with '
                  '--resume to continue', file=sys.stderr)
            return PREEMPTED_EXIT_CODE
        print(describe_failure(err), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
