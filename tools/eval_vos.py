# Copyright (c) OpenMMLab. All rights reserved.
"""DAVIS-2017 semi-supervised VOS with a frozen MotionMAE/VideoMAE encoder.

Propagate and score::

    python tools/eval_vos.py configs/vos/davis2017_label_propagation.py \
        CHECKPOINT --data-root /path/to/DAVIS --out-dir OUT

Score an existing results folder (no config or checkpoint)::

    python tools/eval_vos.py --score-only --data-root /path/to/DAVIS \
        --results-dir RESULTS

CSVs (``global_results-val.csv``, ``per-sequence_results-val.csv``, official
columns, 6 decimals) are written into the results folder, overwriting.
"""
import argparse
import sys
import time
import warnings
from typing import List, Optional


def _import_project() -> None:
    """Import ``motionmae_mm``: registers models and the checkpoint
    allow-list for ``torch.load(weights_only=True)``."""
    import motionmae_mm  # noqa: F401


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='DAVIS-2017 label propagation with a frozen encoder, '
        'scored with the official J&F protocol')
    parser.add_argument('config', nargs='?', help='VOS config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (.pth)')
    parser.add_argument(
        '--data-root',
        required=True,
        help='DAVIS folder (JPEGImages, '
        'Annotations, ImageSets)')
    parser.add_argument('--out-dir', help='where result PNGs and CSVs go')
    parser.add_argument(
        '--score-only',
        action='store_true',
        help='only score --results-dir; no config or checkpoint')
    parser.add_argument(
        '--results-dir', help='results folder to score (--score-only)')
    parser.add_argument(
        '--split',
        default=None,
        help='split (default: '
        'config dataset.split, else val)')
    parser.add_argument(
        '--resolution',
        default=None,
        help='480p or Full-Resolution '
        '(default: config dataset.resolution, else 480p)')
    parser.add_argument(
        '--sequences',
        nargs='+',
        help='only these sequences (default: all '
        'of the split)')
    parser.add_argument(
        '--device',
        default=None,
        help='cuda / cpu (default: cuda when available)')
    parser.add_argument(
        '--no-score',
        action='store_true',
        help='propagate only; sequences may be annotated on the first '
        'frame only (test-dev)')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide progress bars')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        metavar='KEY=VALUE',
        help='override config settings, e.g. propagation.topk=7')
    args = parser.parse_args(argv)
    if args.score_only:
        args.results_dir = args.results_dir or args.out_dir
        if not args.results_dir:
            parser.error('--score-only needs --results-dir')
    else:
        if not args.config or not args.checkpoint:
            parser.error('give CONFIG and CHECKPOINT, or use --score-only')
        if not args.out_dir:
            parser.error('--out-dir is required to propagate')
    return args


def _load_config(args: argparse.Namespace):
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        action = DictAction(option_strings=[], dest='cfg_options')
        namespace = argparse.Namespace()
        action(None, namespace, args.cfg_options)
        cfg.merge_from_dict(namespace.cfg_options)
    return cfg


def score(data_root: str, results_dir: str, split: str, resolution: str,
          sequences: Optional[List[str]], progress: bool) -> dict:
    """Score a results folder, write the CSVs into it, print the table."""
    from motionmae_mm.evaluation.vos import (evaluate_results, format_results,
                                             write_results_csv)
    scores = evaluate_results(
        data_root,
        results_dir,
        split=split,
        resolution=resolution,
        sequences=sequences,
        progress=progress)
    global_csv, seq_csv = write_results_csv(scores, results_dir, split)
    print(format_results(scores))
    print(f'global results: {global_csv}')
    print(f'per-sequence results: {seq_csv}')
    return scores.global_results()


def run(args: argparse.Namespace) -> Optional[dict]:
    """Propagate (unless --score-only) and score."""
    _import_project()
    progress = not args.no_progress
    if args.score_only:
        return score(args.data_root, args.results_dir, args.split or 'val',
                     args.resolution or '480p', args.sequences, progress)

    import torch

    from motionmae_mm.evaluation.vos.runner import DavisSegmenter
    cfg = _load_config(args)
    dataset = dict(cfg.get('dataset') or {})
    split = args.split or dataset.get('split', 'val')
    resolution = args.resolution or dataset.get('resolution', '480p')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    segmenter = DavisSegmenter.from_config(cfg, args.checkpoint, device)
    start = time.time()
    names = segmenter.run(
        args.data_root,
        args.out_dir,
        split=split,
        resolution=resolution,
        sequences=args.sequences,
        progress=progress,
        require_all_annotations=not args.no_score)
    print(f'segmented {len(names)} sequence(s) on {device} in '
          f'{time.time() - start:.1f} s -> {args.out_dir}')
    if args.no_score:
        return None
    return score(args.data_root, args.out_dir, split, resolution,
                 args.sequences, progress)


def main(argv: Optional[List[str]] = None) -> Optional[dict]:
    """Entry point; input problems end with a one-line error, exit code 1."""
    args = parse_args(argv)
    warnings.filterwarnings('ignore', message='Fail to import ``MultiScale')
    _import_project()
    from motionmae_mm.evaluation.vos import DavisFormatError
    from motionmae_mm.evaluation.vos.feature_extractor import CheckpointError
    try:
        return run(args)
    except (DavisFormatError, FileNotFoundError, ValueError,
            CheckpointError) as err:
        message = ' '.join(str(err).split()) or type(err).__name__
        sys.stderr.write(f'eval_vos: error: {message}\n')
        raise SystemExit(1)


if __name__ == '__main__':
    main()
