# Copyright (c) OpenMMLab. All rights reserved.
"""Clips per second of a config's training data pipeline.

Builds ``train_dataloader`` exactly as training does (dataset, pipeline,
sampler, ``num_workers`` of the config unless ``--num-workers``), skips the
first batches (worker start-up and the batches queued meanwhile) and times
the next ones: the rate at which the loader keeps up, not a burst.

``--videos`` points the dataset at real clips without a prepared data set:
the files given (or the videos inside the folders given) are listed in a
temporary annotation file, repeated to fill the run. ``--num-repeats R``
switches the dataset to mmaction2's ``RepeatAugDataset`` (one decode serves R
augmented clips, VideoMAE v2's decode amortisation); the model accepts the
resulting (B * R) clips as they are.

Prints one line ``benchmark_data: key=value ...`` (``--json``: JSON).
Example::

    python tools/analysis/benchmark_data.py configs/motionmae_vitb_ssv2.py \\
        --videos /path/to/videos --batches 20
"""
import argparse
import os
import os.path as osp
import statistics
import tempfile
import time
from typing import Dict, List, Optional

from motionmae_mm.datasets.annotation_list import VIDEO_EXTS, find_videos


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark the training data pipeline of a config')
    parser.add_argument('config', help='training config file')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=None,
        help='data loader workers (default: the config\'s)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='clips per batch (default: the config\'s)')
    parser.add_argument(
        '--batches', type=int, default=20, help='timed batches')
    parser.add_argument(
        '--warmup',
        type=int,
        default=None,
        help='untimed first batches (default: workers x prefetch_factor + '
        '1, so that batches queued while nothing consumed are not counted)')
    parser.add_argument(
        '--videos',
        nargs='+',
        default=None,
        help='real video files or folders to read instead of the config\'s '
        'annotation file')
    parser.add_argument(
        '--num-repeats',
        type=int,
        default=1,
        help='RepeatAugDataset: augmented clips per decoded video')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    parser.add_argument(
        '--traceback',
        action='store_true',
        help='show the full traceback of input errors, not one line')
    return parser.parse_args(argv)


def list_videos(paths: List[str]) -> List[str]:
    """Absolute paths of the videos given or found in the folders given."""
    found = []
    for path in paths:
        if osp.isdir(path):
            found += find_videos(path, recursive=False)
        elif osp.isfile(path):
            found.append(path)
        else:
            raise FileNotFoundError(f'--videos: no such file or folder: '
                                    f'{path}')
    if not found:
        raise FileNotFoundError(
            f'--videos: no videos ({", ".join(VIDEO_EXTS)})'
            f' in {" ".join(paths)}')
    return [osp.abspath(p) for p in found]


def unwrap_loading(pipeline: list) -> list:
    """Pipeline with ``MotionMAESafeLoad`` replaced by the transforms it
    wraps (``RepeatAugDataset`` needs ``DecordInit`` and ``DecordDecode`` at
    positions 0 and 2)."""
    out = []
    for step in pipeline:
        if step.get('type') == 'MotionMAESafeLoad':
            out += list(step['transforms'])
        else:
            out.append(step)
    return out


def build_loader_cfg(args: argparse.Namespace, tmp_dir: str):
    """The config's ``train_dataloader`` with the command line applied."""
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *args.cfg_options]).o)
    loader = cfg.train_dataloader
    if args.num_workers is not None:
        loader.num_workers = args.num_workers
    if args.batch_size is not None:
        loader.batch_size = args.batch_size
    if loader.num_workers == 0:
        loader.persistent_workers = False
    if args.warmup is None:
        prefetch = loader.get('prefetch_factor') or 2
        args.warmup = loader.num_workers * prefetch + 1
    dataset = loader.dataset
    if args.videos:
        videos = list_videos(args.videos)
        needed = (args.warmup + args.batches + 1) * loader.batch_size
        lines = [
            videos[i % len(videos)] for i in range(max(needed, len(videos)))
        ]
        ann = osp.join(tmp_dir, 'videos.txt')
        with open(ann, 'w') as f:
            f.write(''.join(f'{line}\n' for line in lines))
        dataset.ann_file = ann
        dataset.data_prefix = dict(video='')
    if args.num_repeats > 1:
        dataset.type = 'RepeatAugDataset'
        dataset.num_repeats = args.num_repeats
        dataset.pipeline = unwrap_loading(dataset.pipeline)
        loader.collate_fn = dict(type='repeat_pseudo_collate')
    return cfg, loader


def run(args: argparse.Namespace) -> Dict[str, object]:
    """Build the loader, skip the warm-up batches, time the rest."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    import motionmae_mm  # noqa: F401
    with tempfile.TemporaryDirectory() as tmp_dir:
        cfg, loader_cfg = build_loader_cfg(args, tmp_dir)
        init_default_scope(cfg.get('default_scope', 'mmaction'))
        loader = Runner.build_dataloader(loader_cfg, seed=0)
        batch_times: List[float] = []
        clips = 0
        it = iter(loader)
        seen = 0
        start = time.perf_counter()
        while seen < args.warmup + args.batches:
            try:
                batch = next(it)
            except StopIteration:
                it = iter(loader)
                continue
            now = time.perf_counter()
            if seen >= args.warmup:
                batch_times.append(now - start)
                clips += len(batch['inputs'])
            start = now
            seen += 1
        del it, loader
    total = sum(batch_times)
    return dict(
        config=args.config,
        num_workers=loader_cfg.num_workers,
        batch_size=loader_cfg.batch_size,
        num_repeats=args.num_repeats,
        batches=args.batches,
        clips=clips,
        clips_per_s=clips / total,
        batch_s_median=statistics.median(batch_times),
        cpu_count=os.cpu_count())


def main(argv: Optional[List[str]] = None) -> None:
    from motionmae_mm.utils.cli import user_errors
    from motionmae_mm.utils.report import print_result
    args = parse_args(argv)
    with user_errors(args.traceback):
        res = run(args)
    print_result('benchmark_data', res, args.json)


if __name__ == '__main__':
    main()
