# Copyright (c) OpenMMLab. All rights reserved.
"""Decode every video of an mmaction2 annotation list and report problems.

A broken or truncated file stops a long training run far from its start
(decord raises inside a dataloader worker), so check a list once, up front:
each entry is opened with decord, its frame count read, and its first,
middle and last frames decoded (``--full``: every frame). Entries are
reported as *missing* (no file), *undecodable* (decord fails) or *too short*
(fewer than ``--min-frames`` frames). The good lines are written, unchanged,
to a cleaned list; the exit code is 1 when anything was wrong.

Example::

    python tools/data/check_dataset.py data/ucf101/ucf101_train_split_1.txt \\
        --data-prefix data/ucf101/UCF-101 --min-frames 32 --workers 8
"""
import argparse
import multiprocessing
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from tqdm import tqdm

from motionmae_mm.datasets.annotation_list import read_annotation_list
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors

PROBLEMS = ('missing', 'undecodable', 'too_short')
_STATE: Dict[str, object] = {}


def check_video(path: str,
                min_frames: int = 1,
                full: bool = False) -> Tuple[str, int, str]:
    """Check one video.

    Returns:
        tuple: status (``'ok'`` or one of :data:`PROBLEMS`), the number of
        frames decord reports (-1 when unknown) and a short reason.
    """
    if not osp.isfile(path):
        return 'missing', -1, 'no such file'
    import decord
    try:
        reader = decord.VideoReader(path, num_threads=1)
        num = len(reader)
        if num == 0:
            return 'undecodable', 0, 'no frames'
        if full:
            for start in range(0, num, 32):
                reader.get_batch(list(range(start, min(num, start + 32))))
        else:
            reader.get_batch(sorted({0, num // 2, num - 1}))
    except Exception as e:  # decord raises its own error types
        reason = str(e).strip().splitlines()[0] if str(e).strip() else ''
        return 'undecodable', -1, f'{type(e).__name__}: {reason}'[:200]
    if num < min_frames:
        return 'too_short', num, f'{num} frames < {min_frames}'
    return 'ok', num, ''


def _init_worker(min_frames: int, full: bool) -> None:
    _STATE.update(min_frames=min_frames, full=full)


def _check_entry(path: str) -> Tuple[str, int, str]:
    return check_video(path, _STATE['min_frames'], _STATE['full'])


def check_list(entries: Sequence[Tuple[str, str]],
               data_prefix: Optional[str],
               min_frames: int = 1,
               workers: int = 1,
               full: bool = False,
               progress: bool = True) -> List[Tuple[str, int, str]]:
    """Check every entry, in order; ``workers`` > 1 uses a process pool."""
    paths = [
        osp.join(data_prefix, p) if data_prefix else p for _, p in entries
    ]
    bar = dict(
        total=len(paths),
        desc='checking',
        unit='video',
        disable=not progress,
        dynamic_ncols=True)
    if workers <= 1 or len(paths) <= 1:
        _init_worker(min_frames, full)
        return [_check_entry(p) for p in tqdm(paths, **bar)]
    chunk = max(1, min(16, len(paths) // (workers * 8)))
    with multiprocessing.Pool(workers, _init_worker,
                              (min_frames, full)) as pool:
        return list(
            tqdm(pool.imap(_check_entry, paths, chunksize=chunk), **bar))


def default_out(ann_file: str) -> str:
    """``foo.txt`` -> ``foo.clean.txt``."""
    stem, ext = osp.splitext(ann_file)
    return f'{stem}.clean{ext or ".txt"}'


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description='Decode every video of an mmaction2 annotation list; '
        'report missing, undecodable and too-short videos and write a '
        'cleaned list. Exit code 1 when anything is wrong.')
    parser.add_argument('ann_file', help='annotation list (`path [label]`)')
    parser.add_argument(
        '--data-prefix',
        default='',
        help='folder the list paths are relative to (absolute paths in the '
        'list are kept)')
    parser.add_argument(
        '--min-frames',
        type=int,
        default=1,
        help='videos with fewer frames are reported as too short')
    parser.add_argument(
        '--workers',
        type=int,
        default=min(4,
                    os.cpu_count() or 1),
        help='decoding processes (1: no pool)')
    parser.add_argument(
        '--out', help='cleaned list (default: <ann_file stem>.clean.txt)')
    parser.add_argument(
        '--full',
        action='store_true',
        help='decode every frame (slow) instead of first/middle/last')
    parser.add_argument(
        '--max-print',
        type=int,
        default=20,
        help='problems printed per kind (all are counted)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return add_traceback_flag(parser).parse_args()


def main() -> int:
    """Entry point; returns the exit code."""
    args = parse_args()
    with user_errors(args.traceback, exit_code=2):
        if args.data_prefix and not osp.isdir(args.data_prefix):
            raise UserError(
                f'--data-prefix folder not found: {args.data_prefix}')
        try:
            entries = [(e.line, e.path)
                       for e in read_annotation_list(args.ann_file)]
        except UnicodeDecodeError as e:
            raise UserError(
                f'{args.ann_file} is not a UTF-8 text list') from e
    if not entries:
        print(f'error: {args.ann_file} lists no videos', file=sys.stderr)
        return 1
    results = check_list(entries, args.data_prefix, args.min_frames,
                         args.workers, args.full, not args.no_progress)

    counts = {k: 0 for k in ('ok', ) + PROBLEMS}
    for kind in PROBLEMS:
        shown = 0
        for (line, path), (status, _, reason) in zip(entries, results):
            if status != kind:
                continue
            if shown < args.max_print:
                print(f'{kind}: {path} ({reason})')
            shown += 1
        if shown > args.max_print:
            print(f'{kind}: ... and {shown - args.max_print} more')
    for status, _, _ in results:
        counts[status] += 1

    out = args.out or default_out(args.ann_file)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.writelines(line + '\n'
                     for (line, _), (status, _, _) in zip(entries, results)
                     if status == 'ok')
    bad = sum(counts[k] for k in PROBLEMS)
    print(f'checked {len(entries)}: ok {counts["ok"]}, missing '
          f'{counts["missing"]}, undecodable {counts["undecodable"]}, '
          f'too short {counts["too_short"]} (min {args.min_frames} frames)')
    print(f'cleaned list ({counts["ok"]} entries): {out}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
