# Copyright (c) OpenMMLab. All rights reserved.
"""Write mmaction2 ``VideoDataset`` annotation lists for public datasets.

Reads the official annotation files in the folder layouts the datasets ship
in and writes ``OUT_DIR/<prefix>_{train,val}_split_<N>.txt`` with lines
``relative/path label`` (paths relative to the printed ``data_prefix``;
labels 0-based), plus ``OUT_DIR/<prefix>_classes.txt`` (class names in label
order). ``--unlabeled`` writes path-only lists for pretraining instead, named
``<prefix>_{train,val}_split_<N>_unlabeled.txt`` (mmaction2 gives label -1).

Expected layouts (``ROOT`` is the positional argument; the names in angle
brackets can be changed with ``--video-dir`` and ``--ann-dir``)::

    ssv2    ROOT/<labels>/something-something-v2-train.json
            ROOT/<labels>/something-something-v2-validation.json
            ROOT/<labels>/something-something-v2-labels.json
            ROOT/<videos>/<id>.webm                    data_prefix ROOT/videos
            (label = labels.json[template without brackets]; one split)

    k400    ROOT/train/<class>/<video>.mp4             data_prefix ROOT
            ROOT/val/<class>/<video>.mp4
            (classes = sorted class folders of train, or --classes FILE)
        or, when ROOT/<kinetics400>/train.csv exists (official CSVs with
            label,youtube_id,time_start,time_end,split):
            ROOT/<kinetics400>/{train,validate}.csv
            ROOT/{train,val}/[...]/<youtube_id>_<start:06d>_<end:06d>.<ext>
            (found anywhere under ROOT/train and ROOT/val, any extension;
            classes = sorted CSV labels, or --classes FILE)

    ucf101  ROOT/<ucfTrainTestlist>/classInd.txt       (`1 ApplyEyeMakeup`)
            ROOT/<ucfTrainTestlist>/trainlist0{1,2,3}.txt
            ROOT/<ucfTrainTestlist>/testlist0{1,2,3}.txt
            ROOT/<UCF-101>/<Class>/v_<Class>_gXX_cYY.avi
                                                       data_prefix ROOT/UCF-101
            (classInd is 1-based; written labels are 0-based)

    hmdb51  ROOT/<testTrainMulti_7030_splits>/<class>_test_split{1,2,3}.txt
            (lines `<name>.avi <0|1|2>`: unused / train / test)
            ROOT/<videos>/<class>/<name>.avi           data_prefix ROOT/videos
            (classes sorted alphabetically)

Videos missing on disk are left out with a count (``--keep-missing`` lists
them anyway). mmaction2 splits list lines on spaces, so a path holding a
space is an error (rename e.g. Kinetics class folders with ``_``).

Example::

    python tools/data/build_file_list.py ucf101 data/ucf101 --split 1 2 3
"""
import argparse

from motionmae_mm.datasets.official_lists import (DATASETS, ListError,
                                                  build_file_lists)
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description='Write mmaction2 annotation lists for SSv2, Kinetics-400,'
        ' UCF101 and HMDB51 from their official files (layouts: see the '
        'module docstring or docs/data.md).')
    parser.add_argument('dataset', choices=DATASETS)
    parser.add_argument('root', help='dataset root folder')
    parser.add_argument(
        '--out-dir', help='where lists are written (default: ROOT)')
    parser.add_argument(
        '--prefix', help='list file name prefix (default: the dataset name)')
    parser.add_argument(
        '--split',
        type=int,
        nargs='+',
        default=[1],
        help='official split(s): 1 2 3 for ucf101/hmdb51 (default: 1)')
    parser.add_argument(
        '--video-dir',
        help='video folder relative to ROOT (default: ssv2 videos, k400 ., '
        'ucf101 UCF-101, hmdb51 videos)')
    parser.add_argument(
        '--ann-dir',
        help='annotation folder relative to ROOT (default: ssv2 labels, '
        'k400 kinetics400, ucf101 ucfTrainTestlist, hmdb51 '
        'testTrainMulti_7030_splits)')
    parser.add_argument(
        '--classes',
        help='k400: class names in label order, one per line (default: '
        'sorted class folders / CSV labels)')
    parser.add_argument(
        '--unlabeled',
        action='store_true',
        help='write path-only lists for pretraining (*_unlabeled.txt)')
    parser.add_argument(
        '--keep-missing',
        action='store_true',
        help='list videos that are not on disk too')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    """Entry point."""
    args = parse_args()
    with user_errors(args.traceback):
        summaries = build_file_lists(
            args.dataset,
            args.root,
            out_dir=args.out_dir,
            prefix=args.prefix,
            splits=args.split,
            video_dir=args.video_dir,
            ann_dir=args.ann_dir,
            classes_file=args.classes,
            unlabeled=args.unlabeled,
            keep_missing=args.keep_missing)
    for s in summaries:
        counts = ', '.join(f'{k} {v}' for k, v in s['counts'].items())
        print(f'{args.dataset} split {s["split"]}: {s["num_classes"]} '
              f'classes, {counts}')
        if any(s['missing'].values()):
            miss = ', '.join(f'{k} {v}' for k, v in s['missing'].items())
            action = 'listed anyway' if args.keep_missing else 'left out'
            print(f'  missing on disk ({action}): {miss}')
        for path in s['files']:
            print(f'  wrote {path}')
    print(f'use data_prefix=dict(video={summaries[0]["data_prefix"]!r})')


if __name__ == '__main__':
    main()
