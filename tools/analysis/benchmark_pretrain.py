# Copyright (c) OpenMMLab. All rights reserved.
"""Time one pretraining step (forward + backward + optimizer) of a config.

The step is the config's own: ``model.train_step`` with the config's optim
wrapper (the AMP wrappers train in bf16 autocast on a CPU with bf16
kernels; ``--fp32`` / ``--amp`` pick the wrapper's fp32 / AMP twin), on a
synthetic uint8 batch of the configured clip size, masks drawn by the
model. In the same run an fp32 and a bf16 GEMM measure the machine's
matmul peaks; rounds interleave the GEMMs and every timed step, so load
that comes and goes touches all of them alike. Medians over rounds are
reported; ``peak_ratio`` is against the peak of the step's dtype.
Library code: :mod:`motionmae_mm.analysis`.

Options that add comparisons, timed in the same rounds:

* ``--compare-appearance-only``: the same config with the motion target
  removed (``PIXELS_ONLY`` of ``motionmae_mm.analysis``: the pixel target
  alone).
* ``--videomae-root DIR``: a checkout of VideoMAE's official code
  (github.com/MCG-NJU/VideoMAE; nothing of it is shipped here). Its
  ``PretrainVisionTransformer`` with this config's sizes is stepped the way
  its ``engine_for_pretraining.py`` does: targets from the whole clip
  (per-patch normalised) then gathered at the masked tokens under
  ``no_grad``, MSE, ``torch.optim.AdamW`` with its parameter groups. timm is
  not needed: if it is absent, the four helpers VideoMAE imports from it
  are provided in-process.

Each step's process CPU time is reported next to its wall time
(``*_cpu_s``): on a machine shared with other work it is the steadier
signal; the contract figures are wall-clock.

FLOPs: ``torch.utils.flop_counter`` on one step (2 per multiply-add,
backward included, fused attention counted as plain attention). Peak memory: the process's peak RSS after our own
warm-up (CPU; measured before any comparison model is built) or
``torch.cuda.max_memory_allocated`` (GPU).

Prints one line ``benchmark_pretrain: key=value ...`` (``--json``: one JSON
object). Example::

    python tools/analysis/benchmark_pretrain.py \\
        configs/motionmae_vitb_ssv2.py --batch-size 2 --steps 5 \\
        --warmup 1 --amp --compare-appearance-only \\
        --videomae-root /tmp/videomae_ref
"""
import argparse
from typing import List, Optional

import torch


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark a MotionMAE pretraining step')
    parser.add_argument('config', help='pretraining config file')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument(
        '--steps', type=int, default=5, help='timed rounds (medians)')
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed steps per model')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cpu or cuda')
    parser.add_argument(
        '--compare-appearance-only',
        action='store_true',
        help='also time the config with the motion target removed')
    parser.add_argument(
        '--videomae-root',
        default=None,
        help='checkout of github.com/MCG-NJU/VideoMAE to time its '
        'pretraining step beside ours')
    parser.add_argument(
        '--gemm-size',
        type=int,
        default=4096,
        help='side of the square GEMMs measuring the fp32 and bf16 peaks')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile train_step, as mmengine does for compile=True')
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument(
        '--amp',
        action='store_true',
        help="the AMP twin of the config's optim wrapper (bf16 on CPU)")
    precision.add_argument(
        '--fp32',
        action='store_true',
        help="the fp32 twin of the config's optim wrapper")
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    from motionmae_mm.analysis import run_pretrain_benchmark
    from motionmae_mm.utils.report import print_result
    args = parse_args(argv)
    res = run_pretrain_benchmark(
        args.config,
        args.cfg_options,
        batch_size=args.batch_size,
        steps=args.steps,
        warmup=args.warmup,
        device=args.device,
        precision='amp' if args.amp else 'fp32' if args.fp32 else 'config',
        compare_appearance_only=args.compare_appearance_only,
        videomae_root=args.videomae_root,
        gemm_size=args.gemm_size,
        compile_step=args.compile)
    print_result('benchmark_pretrain', res, args.json)


if __name__ == '__main__':
    main()
