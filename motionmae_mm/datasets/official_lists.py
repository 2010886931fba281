# Copyright (c) OpenMMLab. All rights reserved.
"""mmaction2 ``VideoDataset`` lists from the official files of public datasets.

Parsers of the annotation files SSv2, Kinetics-400, UCF101 and HMDB51 ship
with, in their own folder layouts, and the writer of the
``<prefix>_{train,val}_split_<N>[_unlabeled].txt`` lists
(``tools/data/build_file_list.py`` is the command line; its docstring and
docs/data.md show the layouts). Paths are relative to the printed
``data_prefix``; labels are 0-based.
"""
import csv
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from ..utils.cli import UserError
from .annotation_list import is_video_file, read_annotation_list

DATASETS = ('ssv2', 'k400', 'ucf101', 'hmdb51')
DEFAULT_VIDEO_DIR = dict(
    ssv2='videos', k400='', ucf101='UCF-101', hmdb51='videos')
DEFAULT_ANN_DIR = dict(
    ssv2='labels',
    k400='kinetics400',
    ucf101='ucfTrainTestlist',
    hmdb51='testTrainMulti_7030_splits')

# (relative path, label or None) per split name ('train' / 'val').
Entries = Dict[str, List[Tuple[str, int]]]


class ListError(UserError):
    """A problem with the inputs, reported as one line."""


def _need(path: str, what: str) -> str:
    """Return ``path`` or raise a one-line error naming the missing file."""
    if not osp.exists(path):
        raise ListError(f'{what} not found: {path}')
    return path


def _read_lines(path: str) -> List[str]:
    """Non-blank, stripped lines of a text file (any line ending)."""
    return [entry.line.strip() for entry in read_annotation_list(path)]


def _load_json(path: str):
    """Parse a JSON file, naming it on errors."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except ValueError as e:
        raise ListError(f'{path}: not valid JSON ({e})')


def _read_classes(path: str) -> List[str]:
    """Class names, one per line, in label order."""
    return _read_lines(_need(path, 'class list (--classes)'))


def _norm(name: str) -> str:
    """Class-name key that ignores space/underscore and case differences."""
    return re.sub(r'[\s_]+', '_', name.strip()).lower()


def _index_videos(folder: str) -> Dict[str, str]:
    """Map video file stem -> path relative to ``folder`` (recursive)."""
    index: Dict[str, str] = {}
    for root, _, files in os.walk(folder, followlinks=True):
        for name in files:
            if is_video_file(name):
                rel = osp.relpath(osp.join(root, name), folder)
                index.setdefault(osp.splitext(name)[0], rel)
    return index


def ssv2_entries(root: str, ann_dir: str) -> Tuple[Entries, List[str]]:
    """Something-Something V2 from its official JSON files (one split)."""
    ann = osp.join(root, ann_dir)
    label_file = _need(
        osp.join(ann, 'something-something-v2-labels.json'),
        'SSv2 labels file')
    label_map = {k: int(v) for k, v in _load_json(label_file).items()}
    classes = [''] * len(label_map)
    for name, idx in label_map.items():
        classes[idx] = name
    entries: Entries = {}
    for split, fname in (('train', 'train'), ('val', 'validation')):
        path = _need(
            osp.join(ann, f'something-something-v2-{fname}.json'),
            f'SSv2 {fname} annotation file')
        items = _load_json(path)
        rows = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not {'id', 'template'
                                                  } <= set(item):
                raise ListError(f'{path}: entry {i} has no id/template')
            template = item['template'].replace('[', '').replace(']', '')
            if template not in label_map:
                raise ListError(f'{path}: template {template!r} of video '
                                f'{item["id"]} is not in {label_file}')
            rows.append((f'{item["id"]}.webm', label_map[template]))
        entries[split] = rows
    return entries, classes


def _k400_classes(names: Sequence[str],
                  classes_file: Optional[str]) -> Tuple[List[str], Dict]:
    """Class list and a normalised-name -> label map."""
    classes = (
        _read_classes(classes_file) if classes_file else sorted(set(names)))
    lookup = {_norm(c): i for i, c in enumerate(classes)}
    return classes, lookup


def _read_k400_csv(path: str) -> List[dict]:
    """Rows of an official Kinetics-400 CSV; refuses missing columns."""
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        missing = {'label', 'youtube_id', 'time_start', 'time_end'} - set(
            reader.fieldnames or ())
        if missing:
            raise ListError(f'{path}: missing column(s) {sorted(missing)}')
        return list(reader)


def _k400_csv_entry(path: str, n: int, row: dict, lookup: Dict[str, int],
                    index: Dict[str, str]) -> Tuple[str, int]:
    """(file name, label) of CSV row ``row`` (line ``n`` of ``path``): the
    indexed file of its ``<youtube_id>_<start>_<end>`` stem, else
    ``<stem>.mp4``."""
    try:
        stem = (f'{row["youtube_id"]}_'
                f'{int(float(row["time_start"])):06d}_'
                f'{int(float(row["time_end"])):06d}')
    except (TypeError, ValueError):
        raise ListError(f'{path} line {n}: bad youtube_id/'
                        f'time_start/time_end in {row}')
    key = _norm(row['label'] or '')
    if key not in lookup:
        raise ListError(f'{path} line {n}: class {row["label"]!r} is not in '
                        'the class list')
    return index.get(stem, f'{stem}.mp4'), lookup[key]


def _k400_from_csv(vroot: str, csv_dir: str,
                   classes_file: Optional[str]) -> Tuple[Entries, List[str]]:
    """Kinetics-400 from the official ``train.csv`` / ``validate.csv``;
    classes from the training CSV unless ``classes_file`` is given."""
    tables = {}
    for split, fname in (('train', 'train'), ('val', 'validate')):
        path = _need(osp.join(csv_dir, f'{fname}.csv'), 'Kinetics-400 CSV')
        tables[split] = (path, _read_k400_csv(path))
    classes, lookup = _k400_classes([r['label'] for r in tables['train'][1]],
                                    classes_file)
    entries: Entries = {}
    for split, (path, rows) in tables.items():
        folder = osp.join(vroot, split)
        index = _index_videos(folder) if osp.isdir(folder) else {}
        entries[split] = []
        for n, row in enumerate(rows, start=2):  # line 1: header
            rel, label = _k400_csv_entry(path, n, row, lookup, index)
            entries[split].append((osp.join(split, rel), label))
    return entries, classes


def _k400_from_folders(
        vroot: str, csv_dir: str,
        classes_file: Optional[str]) -> Tuple[Entries, List[str]]:
    """Kinetics-400 from ``train/<class>/`` and ``val/<class>/`` folders;
    classes from the training folders unless ``classes_file`` is given."""
    train_dir = _need(
        osp.join(vroot, 'train'), 'Kinetics-400 train folder '
        f'(or CSV {osp.join(csv_dir, "train.csv")})')
    _need(osp.join(vroot, 'val'), 'Kinetics-400 val folder')
    names = sorted(
        d for d in os.listdir(train_dir) if osp.isdir(osp.join(train_dir, d)))
    classes, lookup = _k400_classes(names, classes_file)
    entries: Entries = {}
    for split in ('train', 'val'):
        split_dir = osp.join(vroot, split)
        out = []
        for name in sorted(os.listdir(split_dir)):
            cdir = osp.join(split_dir, name)
            if not osp.isdir(cdir):
                continue
            if _norm(name) not in lookup:
                raise ListError(f'class folder {cdir} is not in the class '
                                'list')
            for video in sorted(os.listdir(cdir)):
                if is_video_file(video):
                    out.append((osp.join(split, name,
                                         video), lookup[_norm(name)]))
        entries[split] = out
    return entries, classes


def k400_entries(root: str, video_dir: str, ann_dir: str,
                 classes_file: Optional[str]) -> Tuple[Entries, List[str]]:
    """Kinetics-400 from the official CSV files when ``ann_dir`` has them,
    else from class folders."""
    vroot = osp.join(root, video_dir)
    csv_dir = osp.join(root, ann_dir)
    if osp.exists(osp.join(csv_dir, 'train.csv')):
        return _k400_from_csv(vroot, csv_dir, classes_file)
    return _k400_from_folders(vroot, csv_dir, classes_file)


def ucf101_entries(root: str, ann_dir: str,
                   split: int) -> Tuple[Entries, List[str]]:
    """UCF101 official split ``split`` (1-3)."""
    ann = osp.join(root, ann_dir)
    ind_file = _need(osp.join(ann, 'classInd.txt'), 'UCF101 class index')
    classes, lookup = [], {}
    for line in _read_lines(ind_file):
        parts = line.split()
        if len(parts) != 2 or parts[0] != str(len(classes) + 1):
            raise ListError(f'{ind_file}: expected index {len(classes) + 1}'
                            f', got {line!r}')
        lookup[parts[1]] = len(classes)
        classes.append(parts[1])
    entries: Entries = {}
    for split_name, fname in (('train', 'trainlist'), ('val', 'testlist')):
        path = _need(
            osp.join(ann, f'{fname}{split:02d}.txt'), 'UCF101 split file')
        out = []
        for line in _read_lines(path):
            parts = line.split()
            rel = parts[0].replace('\\', '/')
            cname = rel.split('/')[0]
            if len(parts) > 1:  # train lists carry a 1-based label
                if not parts[1].isdigit() or not 1 <= int(
                        parts[1]) <= len(classes):
                    raise ListError(f'{path}: bad label in {line!r}')
                label = int(parts[1]) - 1
            elif cname in lookup:
                label = lookup[cname]
            else:
                raise ListError(f'{path}: class folder {cname!r} is not in '
                                f'{ind_file}')
            out.append((rel, label))
        entries[split_name] = out
    return entries, classes


def hmdb51_entries(root: str, ann_dir: str,
                   split: int) -> Tuple[Entries, List[str]]:
    """HMDB51 official split ``split`` (1-3)."""
    ann = _need(osp.join(root, ann_dir), 'HMDB51 split folder')
    pattern = re.compile(rf'^(.+)_test_split{split}\.txt$')
    files = {}
    for name in os.listdir(ann):
        match = pattern.match(name)
        if match:
            files[match.group(1)] = osp.join(ann, name)
    if not files:
        raise ListError(f'no <class>_test_split{split}.txt files in {ann}')
    classes = sorted(files)
    entries: Entries = dict(train=[], val=[])
    for label, cname in enumerate(classes):
        for line in _read_lines(files[cname]):
            parts = line.split()
            if len(parts) != 2 or parts[1] not in ('0', '1', '2'):
                raise ListError(f'{files[cname]}: bad line {line!r} '
                                '(expected `<name>.avi <0|1|2>`)')
            if parts[1] == '0':
                continue
            split_name = 'train' if parts[1] == '1' else 'val'
            entries[split_name].append((f'{cname}/{parts[0]}', label))
    return entries, classes


def filter_missing(entries: Entries, video_root: str,
                   keep_missing: bool) -> Dict[str, int]:
    """Drop entries whose file does not exist; returns counts per split."""
    missing = {}
    for split, rows in entries.items():
        kept = [r for r in rows if osp.isfile(osp.join(video_root, r[0]))]
        missing[split] = len(rows) - len(kept)
        if not keep_missing:
            entries[split] = kept
    return missing


def write_lists(entries: Entries, classes: Sequence[str], out_dir: str,
                prefix: str, split: int, unlabeled: bool) -> List[str]:
    """Write one split's train/val lists and the class list."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    suffix = '_unlabeled' if unlabeled else ''
    for name in ('train', 'val'):
        path = osp.join(out_dir, f'{prefix}_{name}_split_{split}{suffix}.txt')
        with open(path, 'w') as f:
            for rel, label in entries[name]:
                if any(ch.isspace() for ch in rel):
                    raise ListError(
                        f'path holds whitespace, which mmaction2 lists '
                        f'cannot hold: {rel!r} (rename it, e.g. spaces -> _)')
                f.write(f'{rel}\n' if unlabeled else f'{rel} {label}\n')
        written.append(path)
    path = osp.join(out_dir, f'{prefix}_classes.txt')
    with open(path, 'w') as f:
        f.writelines(f'{c}\n' for c in classes)
    written.append(path)
    return written


def build_file_lists(dataset: str,
                     root: str,
                     out_dir: Optional[str] = None,
                     prefix: Optional[str] = None,
                     splits: Sequence[int] = (1, ),
                     video_dir: Optional[str] = None,
                     ann_dir: Optional[str] = None,
                     classes_file: Optional[str] = None,
                     unlabeled: bool = False,
                     keep_missing: bool = False) -> List[dict]:
    """Build the lists of ``dataset``; returns one summary dict per split."""
    if dataset not in DATASETS:
        raise ListError(f'unknown dataset {dataset!r}; choose from '
                        f'{DATASETS}')
    _need(root, f'{dataset} root folder')
    video_dir = DEFAULT_VIDEO_DIR[dataset] if video_dir is None else \
        video_dir
    ann_dir = DEFAULT_ANN_DIR[dataset] if ann_dir is None else ann_dir
    out_dir = root if out_dir is None else out_dir
    prefix = prefix or dataset
    video_root = osp.join(root, video_dir)
    if dataset in ('ssv2', 'k400'):
        if list(splits) not in ([1], ):
            raise ListError(f'{dataset} has one official split; got '
                            f'--split {" ".join(map(str, splits))}')
    elif any(s not in (1, 2, 3) for s in splits):
        raise ListError(f'{dataset} splits are 1, 2, 3; got {list(splits)}')
    summaries = []
    for split in splits:
        if dataset == 'ssv2':
            entries, classes = ssv2_entries(root, ann_dir)
        elif dataset == 'k400':
            entries, classes = k400_entries(root, video_dir, ann_dir,
                                            classes_file)
        elif dataset == 'ucf101':
            entries, classes = ucf101_entries(root, ann_dir, split)
        else:
            entries, classes = hmdb51_entries(root, ann_dir, split)
        missing = filter_missing(entries, video_root, keep_missing)
        if not keep_missing and sum(len(v) for v in entries.values()) == 0:
            raise ListError(f'none of the {sum(missing.values())} listed '
                            f'videos exists under {video_root} (wrong '
                            '--video-dir?)')
        files = write_lists(entries, classes, out_dir, prefix, split,
                            unlabeled)
        summaries.append(
            dict(
                split=split,
                num_classes=len(classes),
                counts={
                    k: len(v)
                    for k, v in entries.items()
                },
                missing=missing,
                files=files,
                data_prefix=osp.abspath(video_root)))
    return summaries
