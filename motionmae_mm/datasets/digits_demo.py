# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo`'s data: moving handwritten digits as video files and lists.

The regime in which the tiny MotionMAE learns on a CPU (docs/results.md) is
small clips of moving digits over a dark background; this writes them as an
ordinary mmaction2 ``VideoDataset`` so the demo trains through the same
decoding, lists and pipeline a user's own data would::

    OUT_DIR/
      classes.txt                 # the 8 directions, label order
      train.txt val.txt test.txt  # `relative/path.mp4 label` (direction)
      pretrain.txt                # paths only: an unlabelled pool
      settings.json               # style 'digits', frames, size, seed
      pretrain/00000.mp4 ...  train/<direction>/<direction>_0000.mp4 ...

Labels are the mover's direction: the task ``make demo-finetune`` scores and
``make demo`` probes. Train, val and the pool draw digit images of the
``'train'`` split, test clips the ``'heldout'`` images only. Files are
written losslessly (FFV1) at ``scale`` times the clip size, every pixel
repeated: decord cannot read a 16-pixel FFV1 frame back, and an area resize
by ``scale`` in the pipeline restores the rendered frame exactly.
"""
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

import numpy as np

from .demo_dataset import SPLITS, check_demo_style, write_lists, write_video
from .moving_digits import DIRECTIONS, render_moving_digits

#: Class names, in label order (:data:`~.moving_digits.DIRECTIONS`).
DIRECTION_NAMES = ('east', 'north-east', 'north', 'north-west', 'west',
                   'south-west', 'south', 'south-east')
#: Labelled clips per direction, and the unlabelled pretraining pool.
DEFAULT_COUNTS = dict(train=100, val=20, test=50, pretrain=3200)
#: Seed streams, one per list (test clips also use held-out digits).
_STREAMS = dict(pretrain=0, train=1, val=2, test=3)
STYLE = 'digits'


def _write(out_dir: str, rel: str, frames: np.ndarray, scale: int) -> None:
    if scale > 1:
        frames = frames.repeat(scale, 1).repeat(scale, 2)
    write_video(osp.join(out_dir, rel), frames)


def build_digits_demo(out_dir: str,
                      counts: Optional[Dict[str, int]] = None,
                      size: int = 16,
                      num_frames: int = 4,
                      digit_size: int = 8,
                      scale: int = 2,
                      seed: int = 0,
                      log: Optional[Callable[[str], None]] = print
                      ) -> Dict[str, List[str]]:
    """Render, write and list the moving-digits demo data.

    Args:
        counts: Clips per direction of ``train``/``val``/``test``, and the
            size of the unlabelled ``pretrain`` pool (default
            :data:`DEFAULT_COUNTS`).
        size, num_frames, digit_size: The clips as the model sees them.
        scale: Pixel repeat of the written files (see the module doc).
        seed: Seed of every clip.
        log: Where the summary lines go (``None``: nowhere).

    Returns:
        dict: The lines of each written list.
    """
    counts = {**DEFAULT_COUNTS, **(counts or {})}
    if min(counts.values()) < 0:
        raise ValueError(f'clip counts must be >= 0, got {counts}')
    start = time.time()
    render = dict(size=size, num_frames=num_frames, digit_size=digit_size)
    lines: Dict[str, List[str]] = {}
    for split in SPLITS:
        lines[split] = []
        digits = 'heldout' if split == 'test' else 'train'
        for idx in range(counts[split]):
            for label, name in enumerate(DIRECTION_NAMES):
                rel = f'{split}/{name}/{name}_{idx:04d}.mp4'
                frames, _ = render_moving_digits(
                    [seed, _STREAMS[split], label, idx], split=digits,
                    direction=label, **render)
                _write(out_dir, rel, frames, scale)
                lines[split].append(f'{rel} {label}')
    lines['pretrain'] = []
    for idx in range(counts['pretrain']):
        rel = f'pretrain/{idx:05d}.mp4'
        frames, _ = render_moving_digits([seed, _STREAMS['pretrain'], idx],
                                         **render)
        _write(out_dir, rel, frames, scale)
        lines['pretrain'].append(rel)
    write_lists(out_dir, lines, DIRECTION_NAMES,
                dict(style=STYLE, num_frames=num_frames, size=size,
                     scale=scale, seed=seed))
    if log is not None:
        log(f'moving-digits demo data: {len(DIRECTIONS)} directions, '
            f'{num_frames} frames {size}x{size} (written x{scale}), seed '
            f'{seed}, {time.time() - start:.0f} s -> {osp.abspath(out_dir)}')
        log('  ' + ', '.join(f'{name} {len(lines[name])}'
                             for name in (*SPLITS, 'pretrain')))
    return lines


def ensure_digits_demo(out_dir: str, **kwargs) -> None:
    """Build the data unless ``out_dir`` has it (checked by its style)."""
    if not osp.isfile(osp.join(out_dir, 'pretrain.txt')):
        os.makedirs(out_dir, exist_ok=True)
        build_digits_demo(out_dir, **kwargs)
    check_demo_style(out_dir, STYLE)
