# Copyright (c) OpenMMLab. All rights reserved.
"""Segment DAVIS sequences with a frozen encoder and write result PNGs.

Wires the pieces together: frames -> :class:`FrameFeatureExtractor` ->
:class:`LabelPropagator` -> :func:`soft_to_labels` -> palette PNGs of the
ground-truth size in ``<out_dir>/<sequence>/<frame>.png``. The config is a
plain dict (an mmengine ``Config`` works) with the keys of
``configs/vos/davis2017_label_propagation.py``.
"""
import warnings
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import torch
from tqdm import tqdm

from .davis_io import (VOID_LABEL, DavisSequence, davis_palette, load_sequence,
                       read_index_png, read_split, write_index_png)
from .feature_extractor import (DINO_MEAN, DINO_STD, FrameFeatureExtractor,
                                build_encoder, input_size,
                                load_encoder_weights, read_frame)
from .label_propagation import (LabelPropagator, labels_to_grid,
                                soft_to_labels)

PathLike = Union[str, Path]


def _section(cfg: Mapping, key: str) -> Dict:
    """A config sub-dict as a plain dict (missing -> empty)."""
    value = cfg.get(key) or {}
    return dict(value)


def encoder_cfg(cfg: Mapping) -> Dict:
    """The encoder of a VOS config: ``model.backbone``, as in every config.

    A ``model`` that is the encoder itself (``model=dict(type=...)``, the
    layout before ``model.backbone``) still works, with a warning.
    """
    model = _section(cfg, 'model')
    if 'backbone' in model:
        stray = sorted(set(model) - {'backbone'})
        if stray:  # e.g. --cfg-options model.img_size=64, the old layout
            raise KeyError(
                f'VOS config: model.{stray[0]} is not read; the encoder is '
                f'model.backbone (e.g. model.backbone.{stray[0]}=...)')
        return dict(model['backbone'])
    if 'type' in model:
        warnings.warn(
            'VOS config: the encoder as `model=dict(type=...)` is deprecated;'
            ' write it as model=dict(backbone=dict(type=...))',
            DeprecationWarning)
        return model
    raise KeyError('VOS config: model.backbone (the encoder) is missing')


class DavisSegmenter:
    """Propagate first-frame annotations through DAVIS sequences.

    Args:
        extractor: Frame feature extractor (owns the encoder and device).
        propagator: Label propagation settings.
        frames: ``short_side``, ``size_divisor``, ``fixed_size``, ``mean``,
            ``std`` of the network input.
        labels: ``downsample`` (``'nearest'``/``'bilinear'``), ``upsample``
            (``'patch'``/``'direct'``) and ``norm_mask``.
    """

    def __init__(self,
                 extractor: FrameFeatureExtractor,
                 propagator: LabelPropagator,
                 frames: Optional[Dict] = None,
                 labels: Optional[Dict] = None) -> None:
        self.extractor = extractor
        self.propagator = propagator
        frames = dict(frames or {})
        self.short_side = int(frames.get('short_side', 480))
        self.size_divisor = int(frames.get('size_divisor', 64))
        self.fixed_size = frames.get('fixed_size')
        self.mean = tuple(frames.get('mean', DINO_MEAN))
        self.std = tuple(frames.get('std', DINO_STD))
        labels = dict(labels or {})
        self.downsample = labels.get('downsample', 'nearest')
        self.upsample = labels.get('upsample', 'patch')
        self.norm_mask = bool(labels.get('norm_mask', True))
        self.palette = davis_palette()

    @classmethod
    def from_config(
            cls,
            cfg: Mapping,
            checkpoint: Optional[PathLike] = None,
            device: Union[str, torch.device] = 'cpu') -> 'DavisSegmenter':
        """Build the encoder (and load ``checkpoint``) from a config."""
        encoder = build_encoder(encoder_cfg(cfg))
        if checkpoint is not None:
            load_encoder_weights(encoder, checkpoint,
                                 cfg.get('checkpoint_prefix', 'backbone.'))
        extractor = FrameFeatureExtractor(
            encoder, device=device, **_section(cfg, 'features'))
        propagator = LabelPropagator(**_section(cfg, 'propagation'))
        return cls(extractor, propagator, _section(cfg, 'frames'),
                   _section(cfg, 'labels'))

    def segment(self,
                sequence: DavisSequence,
                out_dir: PathLike,
                progress: Optional[Any] = None) -> None:
        """Write ``<out_dir>/<sequence>/<frame>.png`` for every frame.

        Frame 0 is the first annotation (void as background); the others
        are propagated. ``progress`` is updated once per frame.
        """
        first = read_index_png(sequence.annotation_paths[0]).copy()
        first[first == VOID_LABEL] = 0
        num_channels = int(first.max()) + 1
        height, width = first.shape
        size = input_size(height, width, self.short_side, self.size_divisor,
                          self.fixed_size)
        patch = self.extractor.patch_size
        if size[0] % patch or size[1] % patch:
            raise ValueError(f'input size {size} is not a multiple of the '
                             f'patch size {patch}; change frames.* settings')
        grid = (size[0] // patch, size[1] // patch)
        first_grid = labels_to_grid(first, num_channels, grid, self.downsample)
        seq_dir = Path(out_dir) / sequence.name
        write_index_png(seq_dir / f'{sequence.frame_ids[0]}.png', first,
                        self.palette)
        if progress is not None:
            progress.update(1)
        frames = (
            read_frame(path, size, self.mean, self.std)
            for path in sequence.frame_paths)
        features = self.extractor(frames)
        soft_maps = self.propagator.propagate(first_grid, features)
        for frame_id, soft in zip(sequence.frame_ids[1:], soft_maps):
            labels = soft_to_labels(soft, (height, width), self.upsample,
                                    patch, self.norm_mask)
            write_index_png(seq_dir / f'{frame_id}.png', labels, self.palette)
            if progress is not None:
                progress.update(1)

    def run(self,
            data_root: PathLike,
            out_dir: PathLike,
            split: str = 'val',
            resolution: str = '480p',
            sequences: Optional[Sequence[str]] = None,
            progress: bool = True,
            require_all_annotations: bool = True) -> List[str]:
        """Segment a whole split; returns the sequence names done.

        All sequence folders are checked before any work starts. One bar
        tracks the current sequence, one the whole split (with its ETA).
        ``require_all_annotations=False`` accepts sequences annotated on the
        first frame only (test-dev), which then cannot be scored.
        """
        names = list(sequences) if sequences else read_split(data_root, split)
        loaded = [
            load_sequence(data_root, name, resolution, require_all_annotations)
            for name in names
        ]
        total = sum(len(seq.frame_paths) for seq in loaded)
        with tqdm(
                total=total,
                desc='all frames',
                unit='frame',
                disable=not progress,
                position=0) as overall:
            for seq in loaded:
                with tqdm(
                        total=len(seq.frame_paths),
                        desc=seq.name,
                        unit='frame',
                        disable=not progress,
                        position=1,
                        leave=False) as bar:
                    self.segment(seq, out_dir, _Both(bar, overall))
        return names


class _Both:
    """Update two progress bars at once."""

    def __init__(self, *bars: tqdm) -> None:
        self.bars = bars

    def update(self, n: int = 1) -> None:
        for bar in self.bars:
            bar.update(n)
