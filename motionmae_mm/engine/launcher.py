# Copyright (c) OpenMMLab. All rights reserved.
"""torchrun, with one line naming the rank that failed.

When a worker dies (SIGKILL, out of memory, a lost GPU), torchrun's agent
stops the other workers of its node at once (SIGTERM as soon as it sees a
worker exit), then ends with a 40-line ``ChildFailedError`` traceback. ``tools/dist_train.sh`` runs this
module instead: the same arguments and behaviour, and on failure one
``error:`` line saying which rank was lost first, how, and how to go on.

Usage: ``python -m motionmae_mm.engine.launcher [torchrun args] SCRIPT ...``
"""
import sys
import time
from typing import List, Optional

from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import parse_args, run


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
    try:
        run(parse_args(argv))
    except ChildFailedError as err:
        print(describe_failure(err), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
