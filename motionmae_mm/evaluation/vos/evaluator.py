# Copyright (c) OpenMMLab. All rights reserved.
"""Score a folder of DAVIS results (semi-supervised protocol).

Same protocol as the official davis2017-evaluation: objects ``1..K`` with K
the largest id of the first ground-truth frame, void counted as background,
the first and last frames left out, statistics per object and global
numbers averaged over objects (not sequences). CSVs use the official file
names and columns, written with 6 decimals instead of 3.
"""
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
from tqdm import tqdm

from .davis_io import (DavisFormatError, DavisSequence, load_sequence,
                       read_ground_truth, read_index_png, read_split)
from .metrics import BOUNDARY_THRESHOLD, score_objects, statistics

PathLike = Union[str, Path]
GLOBAL_COLUMNS = ('J&F-Mean', 'J-Mean', 'J-Recall', 'J-Decay', 'F-Mean',
                  'F-Recall', 'F-Decay')
SEQUENCE_COLUMNS = ('Sequence', 'J-Mean', 'F-Mean')


@dataclass
class ObjectScore:
    """Per-frame J and F of one object of one sequence."""

    sequence: str
    object_id: int
    frame_ids: List[str]
    j: np.ndarray
    f: np.ndarray

    @property
    def name(self) -> str:
        """Official row name ``<sequence>_<object id>``."""
        return f'{self.sequence}_{self.object_id}'

    @property
    def j_stats(self) -> Tuple[float, float, float]:
        """J Mean, Recall, Decay."""
        return statistics(self.j)

    @property
    def f_stats(self) -> Tuple[float, float, float]:
        """F Mean, Recall, Decay."""
        return statistics(self.f)


@dataclass
class DavisScores:
    """All object scores of a run, with the official global summary."""

    objects: List[ObjectScore]

    def global_results(self) -> Dict[str, float]:
        """The official global row: object means of every statistic."""
        if not self.objects:
            raise ValueError('no object was scored')
        j = np.array([obj.j_stats for obj in self.objects])
        f = np.array([obj.f_stats for obj in self.objects])
        j_mean, j_recall, j_decay = j.mean(axis=0)
        f_mean, f_recall, f_decay = f.mean(axis=0)
        values = ((j_mean + f_mean) / 2, j_mean, j_recall, j_decay, f_mean,
                  f_recall, f_decay)
        return {k: float(v) for k, v in zip(GLOBAL_COLUMNS, values)}

    def per_sequence_results(self) -> List[Dict[str, Union[str, float]]]:
        """The official per-object rows (``Sequence, J-Mean, F-Mean``)."""
        return [{
            'Sequence': obj.name,
            'J-Mean': obj.j_stats[0],
            'F-Mean': obj.f_stats[0]
        } for obj in self.objects]


def score_sequence(sequence: DavisSequence,
                   results_dir: PathLike,
                   bound_th: float = BOUNDARY_THRESHOLD) -> List[ObjectScore]:
    """Score the result PNGs of one sequence against its ground truth."""
    if len(sequence.annotation_paths) != len(sequence.frame_paths):
        raise DavisFormatError(
            f'{sequence.annotation_paths[0].parent}: scoring needs an '
            'annotation for every frame')
    frame_ids = sequence.frame_ids[1:-1]
    gt_first = read_ground_truth(sequence, sequence.frame_ids[:1])[0]
    num_objects = int(gt_first.max())
    if num_objects == 0:
        raise DavisFormatError(
            f'{sequence.annotation_paths[0]}: first annotation has no object')
    gt = read_ground_truth(sequence, frame_ids)
    seq_dir = Path(results_dir) / sequence.name
    if not seq_dir.is_dir():
        raise DavisFormatError(f'{seq_dir}: results folder not found')
    pred = np.zeros_like(gt)
    for index, frame_id in enumerate(frame_ids):
        path = seq_dir / f'{frame_id}.png'
        labels = read_index_png(path)
        if labels.shape != gt.shape[1:]:
            raise DavisFormatError(
                f'{path}: size {labels.shape[::-1]} differs from the ground '
                f'truth {gt.shape[1:][::-1]}')
        top = int(labels.max())
        if top > num_objects:
            raise DavisFormatError(
                f'{path}: id {top} is higher than the {num_objects} '
                'object(s) of the sequence')
        pred[index] = labels
    j, f = score_objects(gt, pred, num_objects, bound_th)
    return [
        ObjectScore(sequence.name, obj + 1, list(frame_ids), j[obj], f[obj])
        for obj in range(num_objects)
    ]


def evaluate_results(data_root: PathLike,
                     results_dir: PathLike,
                     split: str = 'val',
                     resolution: str = '480p',
                     sequences: Optional[Iterable[str]] = None,
                     bound_th: float = BOUNDARY_THRESHOLD,
                     progress: bool = True) -> DavisScores:
    """Score every sequence of a split found in ``results_dir``.

    Args:
        data_root: DAVIS root with ``ImageSets/2017/<split>.txt``.
        results_dir: Folder with ``<seq>/<frame>.png`` index PNGs.
        split: Split name (``'val'``).
        resolution: Annotation resolution folder.
        sequences: Restrict to these names (default: the split file).
        bound_th: Boundary tolerance for F.
        progress: Show a progress bar.
    """
    names = list(sequences) if sequences is not None else read_split(
        data_root, split)
    # check the whole layout first, so a bad folder fails before the work
    loaded = [load_sequence(data_root, name, resolution) for name in names]
    objects: List[ObjectScore] = []
    for sequence in tqdm(loaded, desc='scoring', disable=not progress):
        objects.extend(score_sequence(sequence, results_dir, bound_th))
    return DavisScores(objects)


def write_results_csv(scores: DavisScores,
                      out_dir: PathLike,
                      split: str = 'val',
                      precision: int = 6) -> Tuple[Path, Path]:
    """Write ``global_results-<split>.csv`` and ``per-sequence_results-...``.

    Existing files are overwritten (the official script would instead reuse
    them and silently report stale numbers).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fmt = f'{{:.{precision}f}}'
    global_path = out_dir / f'global_results-{split}.csv'
    seq_path = out_dir / f'per-sequence_results-{split}.csv'
    row = scores.global_results()
    with open(global_path, 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(GLOBAL_COLUMNS)
        writer.writerow([fmt.format(row[key]) for key in GLOBAL_COLUMNS])
    with open(seq_path, 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(SEQUENCE_COLUMNS)
        for item in scores.per_sequence_results():
            writer.writerow([
                item['Sequence'],
                fmt.format(item['J-Mean']),
                fmt.format(item['F-Mean'])
            ])
    return global_path, seq_path


def format_results(scores: DavisScores) -> str:
    """Human-readable table of the global and per-object numbers."""
    row = scores.global_results()
    lines = [' '.join(f'{key:>9}' for key in GLOBAL_COLUMNS)]
    lines.append(' '.join(f'{row[key]:9.6f}' for key in GLOBAL_COLUMNS))
    lines.append('')
    lines.append(f'{"Sequence":<28}{"J-Mean":>10}{"F-Mean":>10}')
    for item in scores.per_sequence_results():
        lines.append(f'{item["Sequence"]:<28}{item["J-Mean"]:10.6f}'
                     f'{item["F-Mean"]:10.6f}')
    return '\n'.join(lines)
