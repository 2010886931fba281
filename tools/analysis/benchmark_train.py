# Copyright (c) OpenMMLab. All rights reserved.
"""Clips per second of a config's real training loop, before and after.

Runs ``tools/train.py``'s runner (dataset, pipeline, workers, optim wrapper,
hooks) for ``--warmup`` + ``--iters`` iterations and times the last
``--iters``, data loading included. ``--baseline-cfg-options`` times the
same config with other settings in the same run, rounds alternating, and
reports the speed-up. Library code: :mod:`motionmae_mm.analysis.train_loop`.

Prints one line ``benchmark_train: key=value ...`` (``--json``: JSON).
Example (the demo's fast path against the streaming path it replaced: two
decoding workers, decord per sample, fp32)::

    python tools/analysis/benchmark_train.py \\
        configs/demo/motionmae_vit-tiny_demo.py --rounds 2 \\
        --baseline-cfg-options train_dataloader.num_workers=2 \\
        train_dataloader.persistent_workers=True \\
        train_dataloader.dataset.pipeline.0.transforms.0.type=DecordInit \\
        optim_wrapper.dtype=float32
"""
import argparse
import statistics
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Clips per second of the real training loop')
    parser.add_argument('config', help='training config file')
    parser.add_argument('--iters', type=int, default=50, help='timed iters')
    parser.add_argument(
        '--warmup', type=int, default=10, help='untimed first iterations')
    parser.add_argument(
        '--rounds', type=int, default=1, help='alternating timed runs')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    parser.add_argument(
        '--baseline-cfg-options',
        nargs='+',
        default=None,
        help='overrides of the run to compare against')
    parser.add_argument('--json', action='store_true', help='print JSON')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    from motionmae_mm.analysis import time_train_loop
    from motionmae_mm.utils.report import print_result
    args = parse_args(argv)
    runs = {'ours': list(args.cfg_options or [])}
    if args.baseline_cfg_options:
        runs['baseline'] = runs['ours'] + args.baseline_cfg_options
    rates = {name: [] for name in runs}
    last = {}
    for _ in range(args.rounds):
        for name, options in runs.items():
            last[name] = time_train_loop(args.config, options, args.iters,
                                         args.warmup)
            rates[name].append(last[name]['clips_per_s'])
    res = dict(
        config=args.config,
        iters=args.iters,
        rounds=args.rounds,
        batch_size=last['ours']['batch_size'],
        clips_per_s=statistics.median(rates['ours']),
        s_per_iter=last['ours']['batch_size'] /
        statistics.median(rates['ours']))
    if 'baseline' in runs:
        res['baseline_clips_per_s'] = statistics.median(rates['baseline'])
        res['speedup'] = res['clips_per_s'] / res['baseline_clips_per_s']
    print_result('benchmark_train', res, args.json)


if __name__ == '__main__':
    main()
