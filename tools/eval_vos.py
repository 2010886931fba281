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
import time
from typing import List, Optional

import motionmae_mm  # noqa: F401  (registers models, checkpoint allow-list)
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    """What to read: config and checkpoint (propagate) or a results folder
    (score only), and the DAVIS folder either way."""
    parser.add_argument('config', nargs='?', help='VOS config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (.pth)')
    parser.add_argument(
        '--data-root',
        required=True,
        help='DAVIS folder (JPEGImages, '
        'Annotations, ImageSets)')
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        '--out-dir',
        help='propagate (CONFIG CHECKPOINT): where result PNGs and CSVs go')
    mode.add_argument(
        '--score-only',
        action='store_true',
        help='only score --results-dir; no config or checkpoint')
    parser.add_argument(
        '--results-dir', help='results folder to score (--score-only)')


def _add_selection(parser: argparse.ArgumentParser) -> None:
    """Which part of DAVIS: split, resolution, sequences."""
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


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """How to run: device, scoring, progress bars, config overrides."""
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
    add_traceback_flag(parser)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments; a mode without its inputs is a usage error."""
    parser = argparse.ArgumentParser(
        description='DAVIS-2017 label propagation with a frozen encoder, '
        'scored with the official J&F protocol')
    _add_inputs(parser)
    _add_selection(parser)
    _add_run_options(parser)
    args = parser.parse_args(argv)
    if args.score_only and not args.results_dir:
        parser.error('--score-only needs --results-dir')
    if not args.score_only and not (args.config and args.checkpoint):
        parser.error('give CONFIG and CHECKPOINT, or use --score-only')
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
    with user_errors(args.traceback):
        return run(args)


if __name__ == '__main__':
    main()
