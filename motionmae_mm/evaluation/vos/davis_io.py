# Copyright (c) OpenMMLab. All rights reserved.
"""Reading and writing the DAVIS-2017 folder layout.

Layout (``<root>`` = the DAVIS folder)::

    <root>/ImageSets/2017/<split>.txt          one sequence name per line
    <root>/JPEGImages/480p/<seq>/00000.jpg ...
    <root>/Annotations/480p/<seq>/00000.png ... index PNGs, 0 = background,
                                                1..K = objects, 255 = void
    <results>/<seq>/00000.png ...               index PNGs, same ids/size

Every problem with the input is raised as :class:`DavisFormatError` whose
message is one line naming the offending file or folder, so a user sees at
once what to fix.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
from PIL import Image

VOID_LABEL = 255
PathLike = Union[str, Path]


class DavisFormatError(ValueError):
    """Bad DAVIS input; the message is one line and names the file."""


def davis_palette(num_colors: int = 256) -> np.ndarray:
    """Build the PASCAL-VOC / DAVIS colour map locally (no download).

    Colour ``i`` spreads the bits of ``i`` over the high bits of R, G and B
    (bit 0 -> R, bit 1 -> G, bit 2 -> B, then the next three bits one
    position lower, and so on), so index 1 is (128, 0, 0).

    Returns:
        np.ndarray: ``(num_colors, 3)`` uint8 array.
    """
    palette = np.zeros((num_colors, 3), dtype=np.uint8)
    for index in range(num_colors):
        value = index
        rgb = [0, 0, 0]
        for shift in range(7, -1, -1):
            for channel in range(3):
                rgb[channel] |= ((value >> channel) & 1) << shift
            value >>= 3
        palette[index] = rgb
    return palette


def read_split(data_root: PathLike,
               split: str = 'val',
               year: str = '2017') -> List[str]:
    """Read the sequence names of ``ImageSets/<year>/<split>.txt``."""
    path = Path(data_root) / 'ImageSets' / year / f'{split}.txt'
    if not path.is_file():
        raise DavisFormatError(f'{path}: split file not found')
    names = [line.strip() for line in path.read_text().splitlines()]
    names = [name for name in names if name]
    if not names:
        raise DavisFormatError(f'{path}: split file lists no sequence')
    return names


@dataclass
class DavisSequence:
    """The files of one sequence: frames and ground-truth annotations."""

    name: str
    frame_paths: List[Path]
    annotation_paths: List[Path] = field(default_factory=list)

    @property
    def frame_ids(self) -> List[str]:
        """Frame names without extension (``'00000'``, ...)."""
        return [path.stem for path in self.frame_paths]


def load_sequence(data_root: PathLike,
                  name: str,
                  resolution: str = '480p',
                  require_all_annotations: bool = True) -> DavisSequence:
    """List the frames and annotations of a sequence and check they agree.

    Args:
        data_root: DAVIS root folder.
        name: Sequence name.
        resolution: ``'480p'`` or ``'Full-Resolution'``.
        require_all_annotations: If True (val/train), every frame must have
            an annotation with the same name. If False (test-dev), only the
            first frame's annotation is required.

    Returns:
        DavisSequence: Sorted frame and annotation paths.
    """
    root = Path(data_root)
    frame_dir = root / 'JPEGImages' / resolution / name
    ann_dir = root / 'Annotations' / resolution / name
    if not frame_dir.is_dir():
        raise DavisFormatError(f'{frame_dir}: sequence folder not found')
    if not ann_dir.is_dir():
        raise DavisFormatError(f'{ann_dir}: annotation folder not found')
    frames = sorted(frame_dir.glob('*.jpg'))
    annotations = sorted(ann_dir.glob('*.png'))
    if not frames:
        raise DavisFormatError(f'{frame_dir}: no .jpg frames')
    if not annotations:
        raise DavisFormatError(f'{ann_dir}: no .png annotations')
    if annotations[0].stem != frames[0].stem:
        raise DavisFormatError(
            f'{ann_dir}: first annotation {annotations[0].name} does not '
            f'match first frame {frames[0].name}')
    if require_all_annotations:
        if len(frames) != len(annotations):
            raise DavisFormatError(
                f'{ann_dir}: {len(annotations)} annotations for '
                f'{len(frames)} frames in {frame_dir}')
        for frame, ann in zip(frames, annotations):
            if frame.stem != ann.stem:
                raise DavisFormatError(
                    f'{ann}: annotation name does not match frame '
                    f'{frame.name}')
    return DavisSequence(name, frames, annotations)


def read_index_png(path: PathLike) -> np.ndarray:
    """Read an index PNG ('P' palette or 'L' grey) as a uint8 label map.

    RGB and other modes are refused: their pixel values are colours, not
    object ids, and guessing a colour-to-id mapping would score silently
    wrong numbers.
    """
    path = Path(path)
    if not path.is_file():
        raise DavisFormatError(f'{path}: file not found')
    try:
        with Image.open(path) as image:
            mode = image.mode
            if mode not in ('P', 'L'):
                raise DavisFormatError(
                    f'{path}: mode {mode!r} is not an index PNG; save object '
                    "ids as a 'P' (palette) or 'L' (grey) image")
            return np.array(image, dtype=np.uint8)
    except DavisFormatError:
        raise
    except OSError as err:
        raise DavisFormatError(f'{path}: cannot read image ({err})') from None


def write_index_png(path: PathLike,
                    labels: np.ndarray,
                    palette: Optional[np.ndarray] = None) -> None:
    """Write a label map as a palette PNG (DAVIS result format)."""
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f'{path}: labels must be 2-D, got {labels.shape}')
    if labels.size and (labels.min() < 0 or labels.max() > 255):
        raise ValueError(f'{path}: label ids must be in 0..255')
    # an 'L' image turns into 'P' with its values kept as indices
    image = Image.fromarray(labels.astype(np.uint8))
    palette = davis_palette() if palette is None else palette
    image.putpalette(np.asarray(palette, dtype=np.uint8).ravel().tolist())
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    image.save(str(path), format='PNG')


def first_frame_objects(labels: np.ndarray) -> List[int]:
    """Object ids present in a label map, void and background excluded."""
    ids = np.unique(labels)
    return [int(i) for i in ids if i != 0 and i != VOID_LABEL]


def read_ground_truth(sequence: DavisSequence,
                      frame_ids: Optional[Sequence[str]] = None) -> np.ndarray:
    """Read the annotations of a sequence as ``(N, H, W)`` uint8, void -> 0.

    Void pixels (255) become background, as in the official
    semi-supervised evaluation. Ids that are not in the first frame are an
    error (the official code would drop them silently).

    Args:
        sequence: The sequence (with all annotations listed).
        frame_ids: Frame ids to return (default: all). The first frame is
            always read for the object list.
    """
    paths = {path.stem: path for path in sequence.annotation_paths}
    first = read_index_png(sequence.annotation_paths[0])
    allowed = set(first_frame_objects(first)) | {0, VOID_LABEL}
    wanted = list(paths) if frame_ids is None else list(frame_ids)
    out = np.zeros((len(wanted), *first.shape), dtype=np.uint8)
    for index, frame_id in enumerate(wanted):
        if frame_id not in paths:
            raise DavisFormatError(
                f'{sequence.annotation_paths[0].parent / frame_id}.png: '
                'annotation not found')
        labels = read_index_png(paths[frame_id])
        if labels.shape != first.shape:
            raise DavisFormatError(
                f'{paths[frame_id]}: size {labels.shape[::-1]} differs from '
                f'the first annotation {first.shape[::-1]}')
        extra = sorted(set(np.unique(labels).tolist()) - allowed)
        if extra:
            raise DavisFormatError(
                f'{paths[frame_id]}: object ids {extra} are not in the first '
                f'frame {sequence.annotation_paths[0].name}')
        labels = labels.copy()
        labels[labels == VOID_LABEL] = 0
        out[index] = labels
    return out
