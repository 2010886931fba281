# Copyright (c) OpenMMLab. All rights reserved.
"""Preempt a run with SIGTERM, resume it, compare with an uninterrupted one.

Prints the seconds from SIGTERM to exit, the exit code (75), the iteration
the run stopped after and resumed at, and the worst per-iteration loss
difference. Three real ``tools/train.py`` runs of CONFIG.

Example (the demo config, 2 epochs, SIGTERM after iteration 30)::

    python tools/analysis/benchmark_preemption.py \\
        configs/demo/motionmae_vit-tiny_demo.py --epochs 2 --notice-after 30
"""
import argparse
import json

from motionmae_mm.analysis.preemption import measure_preemption
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--notice-after', type=int, required=True,
                        help='send SIGTERM once this iteration is logged')
    parser.add_argument('--work-dir', default='work_dirs/preemption')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        figures = measure_preemption(
            args.config, args.work_dir,
            [f'train_cfg.max_epochs={args.epochs}', *args.cfg_options],
            args.notice_after)
        print(json.dumps(figures, indent=1))


if __name__ == '__main__':
    main()
