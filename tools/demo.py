# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo`: pretrain a tiny MotionMAE on moving digits, show the gain.

Writes the moving-digits demo data (video files and mmaction2 lists,
labelled with the mover's direction) unless it exists, pretrains
``configs/demo/motionmae_vit-tiny_digits-demo.py`` on it, draws a
reconstruction, then prints a few-label linear probe of the frozen encoder
next to the same encoder at random init, and both encoders' health.

Ends with two lines other tools parse::

    checkpoint: <absolute path>.pth
    reconstruction: <absolute path>.png
"""
import argparse
import os.path as osp
import time
from collections import Counter

from mmengine.config import Config

from motionmae_mm.apis import (configure_pretrain, draw_reconstruction,
                               pretrain, probe_against_random_init)
from motionmae_mm.datasets import read_labelled_list
from motionmae_mm.datasets.digits_demo import ensure_digits_demo
from motionmae_mm.utils.cli import (ErrorContext, UserError,
                                    add_traceback_flag, user_errors)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default=osp.join(REPO, 'configs/demo/motionmae_vit-tiny_digits-demo.py'))
    parser.add_argument('--data-root', default='data/demo_digits')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--shots', type=int, default=20,
        help='labelled clips per class of the closing probe')
    parser.add_argument(
        '--video',
        default=None,
        help='clip to reconstruct (default: a test clip of the demo data)')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback) as ctx:
        run_demo(args, ctx)


def check_shots(data_root: str, shots: int) -> None:
    """Refuse, before training, a probe that needs more labelled clips per
    class than ``train.txt`` has."""
    _, labels = read_labelled_list(osp.join(data_root, 'train.txt'))
    fewest = min(Counter(labels).values())
    if not 0 < shots <= fewest:
        raise UserError(f'--shots {shots}: {data_root}/train.txt has '
                        f'{fewest} clips per class at the fewest')


def run_demo(args: argparse.Namespace, ctx: ErrorContext) -> None:
    """Build the data if needed, pretrain, draw, probe against random."""
    start = time.time()
    ensure_digits_demo(args.data_root)
    check_shots(args.data_root, args.shots)
    ctx.cfg = cfg = configure_pretrain(
        Config.fromfile(args.config), args.data_root, args.work_dir)
    result = pretrain(cfg)  # loss and every target's loss_<name>
    video = args.video or osp.join(args.data_root, 'test/east/east_0000.mp4')
    picture = osp.abspath(osp.join(args.work_dir, 'reconstruction.png'))
    draw_reconstruction(cfg, result['checkpoint'], video, picture)
    report = probe_against_random_init(cfg, result['checkpoint'],
                                       args.data_root, shots=args.shots)

    print('losses (mean of the first -> last 10 iterations): ' + ', '.join(
        f'{key} {result["first_losses"][key]:.3f} -> {value:.3f}'
        for key, value in result['losses'].items()))
    draws = len(report['probe']['pretrained']['acc'])
    print(f'few-label probe of the frozen encoder: {report["classes"]} '
          f'classes (direction), {args.shots} labels per class, {draws} '
          f'draws, {report["test_clips"]} test clips of held-out digits')
    for name, probe in report['probe'].items():
        print(f'  {name:<12} {probe["mean"]:5.1f} % +- {probe["std"]:.1f}')
    print('health on test clips (docs/results.md explains each figure):')
    print(report['health'])
    print(f'demo finished in {time.time() - start:.0f} s')
    print(f'checkpoint: {result["checkpoint"]}')
    print(f'reconstruction: {picture}')


if __name__ == '__main__':
    main()
