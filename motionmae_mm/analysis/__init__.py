# Copyright (c) OpenMMLab. All rights reserved.
"""Profiling: FLOPs and parameters, step timing next to the GEMM peaks and
VideoMAE's own step, and clips/s of the real training loop."""
from .build import PIXELS_ONLY, build_model, clip_shape, load_config
from .flops import PARTS, count_flops, count_params, flop_mapping
from .pretrain_benchmark import run_pretrain_benchmark
from .pretrain_step import PRECISIONS, PretrainStep
from .timing import GemmPeak, peak_memory_mb, timed
from .train_loop import time_train_loop

__all__ = [
    'GemmPeak', 'PARTS', 'PIXELS_ONLY', 'PRECISIONS', 'PretrainStep',
    'build_model', 'clip_shape', 'count_flops', 'count_params', 'flop_mapping',
    'load_config', 'peak_memory_mb', 'run_pretrain_benchmark', 'timed',
    'time_train_loop'
]
