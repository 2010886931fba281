# Copyright (c) OpenMMLab. All rights reserved.
"""Time pretraining steps side by side with the machine's GEMM peaks.

Rounds interleave an fp32 and a bf16 GEMM with every timed step (ours,
optionally ours without the motion target, optionally VideoMAE's own code),
so load that comes and goes touches all of them alike; medians over rounds
are reported. The share of the peak is taken against the GEMM of the dtype
the step computes in (bf16 under bf16 autocast, else fp32).
"""
import statistics
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch

from .build import PIXELS_ONLY
from .flops import count_flops
from .pretrain_step import PretrainStep
from .timing import GemmPeak, peak_memory_mb, timed

#: Wall seconds, CPU seconds (per step name) and GEMM FLOP/s (per dtype),
#: one entry per round.
_Times = Tuple[Dict[str, List[float]], Dict[str, List[float]],
               Dict[str, List[float]]]
#: Ours, every step by name, FLOPs by name, peak memory (MB), VideoMAE's.
_Steps = Tuple[PretrainStep, Dict[str, Callable[[], None]], Dict[str, float],
               float, Optional[Any]]


def _build_steps(config: str, cfg_options: Optional[List[str]],
                 batch_size: int, dev: torch.device, precision: str,
                 compile_step: bool, warmup: int,
                 compare_appearance_only: bool,
                 videomae_root: Optional[str]) -> _Steps:
    """Build the steps to time, count their FLOPs and warm each one up.

    Ours first; the peak memory is read right after its warm-up, before the
    other steps exist, so it is ours alone. Returns ours, every step by
    name (``ours``, ``appearance_only``, ``videomae``), their FLOPs, the
    peak memory (MB) and VideoMAE's step (None without ``videomae_root``).
    """
    ours = PretrainStep(config, cfg_options, batch_size, dev, precision,
                        compile_step)
    steps: Dict[str, Callable[[], None]] = {'ours': ours}
    flops = {'ours': count_flops(ours)[0]}
    for _ in range(warmup):
        ours()
    peak_mem = peak_memory_mb(dev)
    if compare_appearance_only:
        app = PretrainStep(config, [*(cfg_options or []), *PIXELS_ONLY],
                           batch_size, dev, precision, compile_step)
        steps['appearance_only'] = app
        flops['appearance_only'] = count_flops(app)[0]
        for _ in range(warmup):
            app()
    videomae = None
    if videomae_root:
        from .videomae_step import VideoMAEStep
        videomae = VideoMAEStep(videomae_root, ours, batch_size, dev)
        steps['videomae'] = videomae
        flops['videomae'] = count_flops(videomae)[0]
        for _ in range(warmup):
            videomae()
            videomae.next_mask()
    return ours, steps, flops, peak_mem, videomae


def _time_rounds(gemms: Dict[str, GemmPeak],
                 steps: Dict[str, Callable[[], None]], rounds: int,
                 dev: torch.device, videomae: Optional[Any]) -> _Times:
    """Time ``rounds`` rounds, each the GEMMs then every step once.

    Interleaving spreads load that comes and goes over all of them alike.
    Returns wall and CPU seconds per step name and GEMM FLOP/s per dtype,
    one entry per round.
    """
    walls: Dict[str, List[float]] = {name: [] for name in steps}
    cpus: Dict[str, List[float]] = {name: [] for name in steps}
    peaks: Dict[str, List[float]] = {name: [] for name in gemms}
    for _ in range(rounds):
        for name, gemm in gemms.items():
            peaks[name].append(gemm())
        for name, step in steps.items():
            wall, cpu = timed(step, dev)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if step is videomae:
                videomae.next_mask()
    return walls, cpus, peaks


def _figures(ours: PretrainStep, flops: Dict[str, float], times: _Times,
             peak_mem: float, config: str, dev: torch.device,
             batch_size: int, rounds: int) -> Dict[str, object]:
    """Medians over the rounds: our step's figures, then each other step's
    time, FLOPs and share of the peak, and how ours compares with it."""
    walls, cpus, peaks = times
    peak = {name: statistics.median(v) for name, v in peaks.items()}
    dtype = 'bf16' if ours.autocast_dtype == torch.bfloat16 else 'fp32'
    step_s = statistics.median(walls['ours'])
    res: Dict[str, object] = dict(
        config=config,
        device=str(dev),
        threads=torch.get_num_threads(),
        batch_size=batch_size,
        clip='x'.join(map(str, ours.shape[1:])),
        precision=dtype,
        optim_wrapper=type(ours.optim_wrapper).__name__,
        steps=rounds,
        step_s=step_s,
        step_s_min=min(walls['ours']),
        step_cpu_s=statistics.median(cpus['ours']),
        clips_per_s=batch_size / step_s,
        tokens_per_s=batch_size * ours.tokens_per_clip / step_s,
        gflops_per_step=flops['ours'] / 1e9,
        gflops_per_s=flops['ours'] / step_s / 1e9,
        peak_gflops_per_s=peak[dtype] / 1e9,
        peak_fp32_gflops_per_s=peak['fp32'] / 1e9,
        peak_bf16_gflops_per_s=peak['bf16'] / 1e9,
        peak_ratio=flops['ours'] / step_s / peak[dtype],
        peak_mem_mb=peak_mem)
    for name in walls:
        if name == 'ours':
            continue
        other = statistics.median(walls[name])
        res[f'{name}_step_s'] = other
        res[f'{name}_gflops_per_step'] = flops[name] / 1e9
        # VideoMAE's step runs fp32 here (its own autocast is CUDA-only)
        other_dtype = 'fp32' if name == 'videomae' else dtype
        res[f'{name}_peak_ratio'] = flops[name] / other / peak[other_dtype]
        res[f'ratio_vs_{name}'] = step_s / other
        res[f'{name}_step_cpu_s'] = statistics.median(cpus[name])
        res[f'cpu_ratio_vs_{name}'] = (
            res['step_cpu_s'] / res[f'{name}_step_cpu_s'])
    return res


def run_pretrain_benchmark(config: str,
                           cfg_options: Optional[List[str]] = None,
                           batch_size: int = 2,
                           steps: int = 5,
                           warmup: int = 1,
                           device: str = 'cpu',
                           precision: str = 'config',
                           compare_appearance_only: bool = False,
                           videomae_root: Optional[str] = None,
                           gemm_size: int = 4096,
                           compile_step: bool = False) -> Dict[str, object]:
    """Build, warm up, count FLOPs and time; returns the figures.

    Args:
        config (str): Pretraining config file.
        cfg_options (list[str], optional): ``key=value`` overrides.
        batch_size (int): Clips per step.
        steps (int): Timed rounds.
        warmup (int): Untimed steps per model.
        device (str): ``'cpu'`` or ``'cuda'``.
        precision (str): See :class:`PretrainStep`.
        compare_appearance_only (bool): Also time the config with the
            motion target removed.
        videomae_root (str, optional): VideoMAE checkout to time its step.
        gemm_size (int): Side of the square GEMMs measuring the peaks.
        compile_step (bool): ``torch.compile`` our step.
    """
    from mmengine.logging import MMLogger
    MMLogger.get_instance('mmengine').setLevel('WARNING')
    dev = torch.device(device)
    torch.manual_seed(0)
    gemms = {
        'fp32': GemmPeak(gemm_size, dev),
        'bf16': GemmPeak(gemm_size, dev, torch.bfloat16)
    }
    for gemm in gemms.values():
        gemm()
    ours, steps_, flops, peak_mem, videomae = _build_steps(
        config, cfg_options, batch_size, dev, precision, compile_step, warmup,
        compare_appearance_only, videomae_root)
    times = _time_rounds(gemms, steps_, steps, dev, videomae)
    return _figures(ours, flops, times, peak_mem, config, dev, batch_size,
                    steps)
