# Copyright (c) OpenMMLab. All rights reserved.
"""Extract clip features of a video list with a (pre)trained encoder.

    python tools/extract_features.py CONFIG CHECKPOINT ANN_FILE \\
        --out feats.safetensors --data-prefix data/k400/videos \\
        --clips 4 --crops 3

``feats.safetensors`` maps each video of ANN_FILE (an mmaction2 list,
``path [label]`` per line) to a float32 array: ``(clips*crops, C)`` pooled
features (mean of the encoder's final-norm tokens), or with ``--tokens``
``(clips*crops, N, C)``; read it with ``motionmae_mm.apis.load_features``
or ``safetensors.numpy.load_file``. An interrupted run resumes: videos
already done are skipped. Unreadable videos are listed at the end, not
fatal. An existing ``--out`` this tool did not write (a pickle, say) is
refused, never loaded.
"""
import argparse
import sys

from motionmae_mm.apis import extract_features, init_model
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Clip features of every video of an annotation list')
    parser.add_argument('config', help='pretraining or fine-tuning config')
    parser.add_argument('checkpoint', help='checkpoint (.pth/.safetensors)')
    parser.add_argument('ann_file', help='mmaction2 video list')
    parser.add_argument(
        '--out', required=True, help='output .safetensors (resumed if ours)')
    parser.add_argument(
        '--data-prefix', default='', help='folder the list is relative to')
    parser.add_argument(
        '--clips', type=int, default=1, help='clips per video (K)')
    parser.add_argument(
        '--crops',
        type=int,
        default=1,
        choices=[1, 3],
        help='crops per clip: 1 centre or 3 (ThreeCrop)')
    parser.add_argument(
        '--frame-interval',
        type=int,
        default=None,
        help='frame step (default: the config\'s SampleFrames)')
    parser.add_argument(
        '--tokens',
        action='store_true',
        help='save token maps (views, N, C) instead of pooled features')
    parser.add_argument(
        '--batch-size', type=int, default=4, help='videos per forward')
    parser.add_argument(
        '--num-workers', type=int, default=0, help='decoding processes')
    parser.add_argument(
        '--device', default='cpu', help='where the model runs (cpu, cuda)')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bar')
    add_traceback_flag(parser)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback):
        model = init_model(args.config, args.checkpoint, args.device)
        report = extract_features(
            model,
            args.ann_file,
            args.out,
            data_prefix=args.data_prefix,
            clips=args.clips,
            crops=args.crops,
            tokens=args.tokens,
            frame_interval=args.frame_interval,
            batch_size=args.batch_size,
            num_workers=args.num_workers,
            progress=not args.no_progress)
    print(f'features of {len(report["done"])} video(s) extracted, '
          f'{len(report["skipped"])} already done -> {args.out}')
    if report['failed']:
        print(f'{len(report["failed"])} video(s) could not be read:')
        for line in report['failed']:
            print(f'  {line}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
