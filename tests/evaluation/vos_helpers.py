# Copyright (c) OpenMMLab. All rights reserved.
"""Helpers for the DAVIS VOS tests: write tiny DAVIS layouts."""
from pathlib import Path
from typing import Dict, Optional

import numpy as np
from PIL import Image


def write_davis(root: Path,
                sequences: Dict[str, np.ndarray],
                frames: Optional[Dict[str, np.ndarray]] = None,
                split: str = 'val') -> Path:
    """Write a DAVIS-2017 layout from label maps ``(N, H, W)`` per sequence.

    Frames default to a grey image with the labels painted in, so features
    of a real encoder see the objects.
    """
    from motionmae_mm.evaluation.vos import write_index_png
    for name, labels in sequences.items():
        jpg_dir = root / 'JPEGImages' / '480p' / name
        ann_dir = root / 'Annotations' / '480p' / name
        jpg_dir.mkdir(parents=True, exist_ok=True)
        ann_dir.mkdir(parents=True, exist_ok=True)
        for t, lab in enumerate(labels):
            if frames is not None and name in frames:
                rgb = frames[name][t]
            else:
                rgb = np.full((*lab.shape, 3), 90, np.uint8)
                rgb[lab > 0] = (np.array([200, 40, 40]) +
                                30 * lab[lab > 0, None]).clip(0, 255)
            Image.fromarray(rgb).save(jpg_dir / f'{t:05d}.jpg', quality=95)
            write_index_png(ann_dir / f'{t:05d}.png', lab)
    sets = root / 'ImageSets' / '2017'
    sets.mkdir(parents=True, exist_ok=True)
    (sets / f'{split}.txt').write_text('\n'.join(sequences) + '\n')
    return root


def moving_squares(num_frames: int = 6,
                   size=(48, 64),
                   num_objects: int = 2) -> np.ndarray:
    """Label maps of squares moving right by 2 px a frame."""
    labels = np.zeros((num_frames, *size), np.uint8)
    for t in range(num_frames):
        for obj in range(1, num_objects + 1):
            top = 6 + (obj - 1) * 20
            left = 4 + 2 * t + (obj - 1) * 10
            labels[t, top:top + 14, left:left + 14] = obj
    return labels


def trimmed_sample(
    davis: Path,
    root: Path,
    num_frames: int,
    sequences=('blackswan', 'car-shadow')) -> Path:
    """Symlinked copy of the DAVIS sample keeping the first frames only."""
    for seq in sequences:
        for kind, ext in (('JPEGImages', 'jpg'), ('Annotations', 'png')):
            src = sorted((davis / kind / '480p' / seq).glob(f'*.{ext}'))
            dst = root / kind / '480p' / seq
            dst.mkdir(parents=True)
            for path in src[:num_frames]:
                (dst / path.name).symlink_to(path.resolve())
    sets = root / 'ImageSets' / '2017'
    sets.mkdir(parents=True)
    (sets / 'val.txt').write_text('\n'.join(sequences) + '\n')
    return root
