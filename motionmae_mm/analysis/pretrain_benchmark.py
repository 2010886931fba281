# Copyright (c) OpenMMLab. All rights reserved.
"""Time pretraining steps side by side with the machine's GEMM peaks.

Rounds interleave an fp32 and a bf16 GEMM with every timed step (ours,
optionally ours without the motion target, optionally VideoMAE's own code),
so load that comes and goes touches all of them alike; medians over rounds
are reported. The share of the peak is taken against the GEMM of the dtype
the step computes in (bf16 under bf16 autocast, else fp32).
"""
import statistics
from typing import Callable, Dict, List, Optional

import torch

from .flops import count_flops
from .pretrain_step import PretrainStep
from .timing import GemmPeak, peak_memory_mb, timed


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
    ours = PretrainStep(config, cfg_options, batch_size, dev, precision,
                        compile_step)
    steps_: Dict[str, Callable[[], None]] = {'ours': ours}
    flops = {'ours': count_flops(ours)[0]}
    for _ in range(warmup):
        ours()
    peak_mem = peak_memory_mb(dev)
    if compare_appearance_only:
        app = PretrainStep(config,
                           list(cfg_options or []) +
                           ['model.head.motion_weight=0'], batch_size, dev,
                           precision, compile_step)
        steps_['appearance_only'] = app
        flops['appearance_only'] = count_flops(app)[0]
        for _ in range(warmup):
            app()
    videomae = None
    if videomae_root:
        from .videomae_step import VideoMAEStep
        videomae = VideoMAEStep(videomae_root, ours, batch_size, dev)
        steps_['videomae'] = videomae
        flops['videomae'] = count_flops(videomae)[0]
        for _ in range(warmup):
            videomae()
            videomae.next_mask()

    walls: Dict[str, List[float]] = {name: [] for name in steps_}
    cpus: Dict[str, List[float]] = {name: [] for name in steps_}
    peaks: Dict[str, List[float]] = {name: [] for name in gemms}
    for _ in range(steps):
        for name, gemm in gemms.items():
            peaks[name].append(gemm())
        for name, step in steps_.items():
            wall, cpu = timed(step, dev)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if step is videomae:
                videomae.next_mask()

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
        steps=steps,
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
    for name in steps_:
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
