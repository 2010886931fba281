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


def peak_memory_mb(device: torch.device) -> float:
    """Peak RSS of this process (CPU) or peak allocated memory (GPU), MiB."""
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
