# Copyright (c) OpenMMLab. All rights reserved.
"""Wall and CPU time of a call, the machine's GEMM peak, peak memory."""
import resource
import time
from typing import Callable, Tuple

import torch


def sync(device: torch.device) -> None:
    """Wait for queued GPU work (no-op on CPU)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], None],
          device: torch.device = torch.device('cpu')) -> Tuple[float, float]:
    """Wall-clock and process CPU seconds of ``fn()``.

    On a machine shared with other work the CPU time is the steadier
    signal; benchmark contracts are wall-clock.
    """
    sync(device)
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    sync(device)
    return time.perf_counter() - start, time.process_time() - cpu


class GemmPeak:
    """Matrix-product throughput of a square GEMM, in FLOP/s.

    Args:
        size (int): Side of the square matrices.
        device (torch.device): Where to multiply.
        dtype (torch.dtype): ``torch.float32`` or ``torch.bfloat16`` (the
            rate bf16 autocast can reach). Defaults to fp32.
    """

    def __init__(self,
                 size: int,
                 device: torch.device,
                 dtype: torch.dtype = torch.float32) -> None:
        self.size = size
        self.device = device
        self.a = torch.randn(size, size, device=device).to(dtype)
        self.b = torch.randn(size, size, device=device).to(dtype)
        self.out = torch.empty(size, size, device=device, dtype=dtype)

    def __call__(self) -> float:
        seconds = timed(lambda: torch.mm(self.a, self.b, out=self.out),
                        self.device)[0]
        return 2 * self.size**3 / seconds


def reset_peak_memory(device: torch.device) -> None:
    """Start a new high-water mark of this process's memory (CPU: Linux
    ``/proc/self/clear_refs``; GPU: torch's peak statistics)."""
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    else:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')


def peak_memory_bytes(device: torch.device) -> int:
    """Peak resident memory of this process (CPU; since the last
    :func:`reset_peak_memory`, else since it started) or peak memory
    allocated by torch (GPU)."""
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device)
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:  # no procfs (not Linux)
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_memory_mb(device: torch.device) -> float:
    """:func:`peak_memory_bytes` in MiB."""
    return peak_memory_bytes(device) / 2**20
