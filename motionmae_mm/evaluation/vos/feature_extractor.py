# Copyright (c) OpenMMLab. All rights reserved.
"""Frozen-encoder patch features, one ``(h*w, C)`` map per video frame.

A VideoMAE/MotionMAE encoder embeds tubelets of ``tubelet_size`` frames, so
each frame becomes a short clip: the frame repeated (default, causal and
free of motion) or the pair ``(t-1, t)`` (the first frame is paired with
itself). The encoder's fixed sinusoid table runs over the flattened
``t*h*w`` index; the first time slot's spatial table is resized (bicubic)
to the frame's token grid, so any frame size works. Features are the last
block's tokens after the final norm.

Frames come from DAVIS's JPEG folders, not video files, so this module does
not use the video inference pipeline (``motionmae_mm.datasets.inference_pipeline``)
of the other inference APIs.
"""
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from torch import Tensor, nn

from ...models.utils import encoder_features
from ...utils.state_policy import load_checkpoint_state
from .davis_io import DavisFormatError

PathLike = Union[str, Path]
# DINO's eval_video_segmentation normalisation (std 0.228 is a UVC quirk)
DINO_MEAN = (0.485, 0.456, 0.406)
DINO_STD = (0.228, 0.224, 0.225)


def build_encoder(model_cfg: Dict) -> nn.Module:
    """Build an encoder from a config dict with mmaction2's registry."""
    import mmaction.models  # noqa: F401  (registers VisionTransformer)
    from mmaction.registry import MODELS
    cfg = dict(model_cfg)
    if cfg.get('init_cfg') is not None:
        cfg['init_cfg'] = None  # weights come from the checkpoint we load
    return MODELS.build(cfg)


def load_encoder_weights(encoder: nn.Module,
                         checkpoint: PathLike,
                         prefix: str = 'backbone.') -> None:
    """Freeze ``encoder`` and load the ``<prefix>*`` weights of a checkpoint.

    The file is read as data (:func:`motionmae_mm.utils.read_checkpoint`)
    and loaded under the ``'encoder'`` policy, as fine-tuning loads it
    (docs/design.md §3). VOS never trains the encoder, so it is frozen
    first: a pooling norm the checkpoint lacks is refused, not left at its
    initial values.

    Raises:
        CheckpointError: one line naming the file and the keys.
    """
    encoder.requires_grad_(False)
    load_checkpoint_state(encoder, str(checkpoint), 'encoder', prefix,
                          'CHECKPOINT')


def input_size(height: int,
               width: int,
               short_side: int = 480,
               size_divisor: int = 64,
               fixed_size: Optional[Sequence[int]] = None) -> Tuple[int, int]:
    """Network input size ``(h, w)`` for a frame, DINO style.

    The short side becomes ``short_side`` and the long side is scaled with
    the aspect ratio, then floored to a multiple of ``size_divisor``
    (854x480 -> 832x480). ``fixed_size=(h, w)`` overrides this.
    """
    if fixed_size is not None:
        return int(fixed_size[0]), int(fixed_size[1])
    if height > width:
        long_side = short_side * height / width
        return int(long_side // size_divisor * size_divisor), short_side
    long_side = short_side * width / height
    return short_side, int(long_side // size_divisor * size_divisor)


def read_frame(path: PathLike,
               size: Tuple[int, int],
               mean: Sequence[float] = DINO_MEAN,
               std: Sequence[float] = DINO_STD) -> Tensor:
    """Read a JPEG, resize (bilinear) to ``size`` and normalise: (3, h, w)."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DavisFormatError(f'{path}: cannot read image')
    image = cv2.resize(
        image, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    image = image[:, :, ::-1].astype(np.float32) / 255.0
    image = (image - np.asarray(mean, np.float32)) / np.asarray(
        std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))


class FrameFeatureExtractor:
    """Turn frames into last-layer patch features with a tubelet encoder.

    Args:
        encoder: A VideoMAE-style ``VisionTransformer`` (``patch_embed``,
            ``pos_embed``, ``blocks``, ``norm``/``fc_norm``).
        tubelet_mode: ``'repeat'`` (each frame fills the tubelet) or
            ``'pair'`` (frames ``t-tubelet_size+1 .. t``, padded with the
            first frame).
        batch_size: Frames per encoder forward.
        device: Where the encoder runs.
    """

    def __init__(self,
                 encoder: nn.Module,
                 tubelet_mode: str = 'repeat',
                 batch_size: int = 8,
                 device: Union[str, torch.device] = 'cpu') -> None:
        if tubelet_mode not in ('repeat', 'pair'):
            raise ValueError(f'tubelet_mode must be "repeat" or "pair", got '
                             f'{tubelet_mode!r}')
        self.encoder = encoder.to(device).eval()
        self.tubelet_mode = tubelet_mode
        self.batch_size = max(1, int(batch_size))
        self.device = torch.device(device)
        kernel = encoder.patch_embed.projection.kernel_size
        self.tubelet_size = int(kernel[0]) if len(kernel) == 3 else 1
        self.patch_size = int(encoder.patch_size)
        # mean-pooling models keep their final norm as ``fc_norm``
        norm = getattr(encoder, 'norm', None)
        if norm is None or isinstance(norm, nn.Identity):
            norm = getattr(encoder, 'fc_norm', None) or nn.Identity()
        self.final_norm = norm

    @contextmanager
    def _one_time_slot(self):
        """Let the encoder's own forward encode one tubelet per frame.

        mmaction2's forward interpolates its position table spatially but
        keeps every time slot; a single tubelet needs only the first slot's
        spatial table (then resized to the frame's grid by that forward).
        """
        enc = self.encoder
        gh, gw = enc.grid_size
        store = enc._parameters if 'pos_embed' in enc._parameters \
            else enc._buffers
        full = store['pos_embed']
        first = full[:, :gh * gw]
        store['pos_embed'] = nn.Parameter(
            first, requires_grad=False) if isinstance(
                full, nn.Parameter) else first
        try:
            yield
        finally:
            store['pos_embed'] = full

    @torch.no_grad()
    def encode_clips(self, clips: Tensor) -> Tensor:
        """Encode ``(B, 3, tubelet, H, W)`` clips into ``(B, h*w, C)``: the
        encoder's own forward, last-layer tokens after the final norm."""
        _, _, t, height, width = clips.shape
        if t != self.tubelet_size:
            raise ValueError(f'clips need {self.tubelet_size} frames, got {t}')
        if height % self.patch_size or width % self.patch_size:
            raise ValueError(
                f'frame size {height}x{width} is not a multiple of the patch '
                f'size {self.patch_size}')
        with self._one_time_slot():
            fmap = encoder_features(
                self.encoder, clips.to(self.device), feat_map=True)
        tokens = fmap.flatten(2).transpose(1, 2)  # (B, h*w, C)
        if isinstance(self.encoder.norm, nn.Identity):  # mean-pooling model
            tokens = self.final_norm(tokens)
        return tokens

    def _clip(self, frames: Sequence[Tensor], index: int) -> Tensor:
        """The tubelet for frame ``index`` of ``frames``: (3, T, H, W)."""
        if self.tubelet_mode == 'repeat':
            chosen = [frames[index]] * self.tubelet_size
        else:
            chosen = [
                frames[max(index - offset, 0)]
                for offset in range(self.tubelet_size - 1, -1, -1)
            ]
        return torch.stack(chosen, dim=1)

    def __call__(self, frames: Iterable[Tensor]) -> Iterator[Tensor]:
        """Yield one ``(h*w, C)`` feature map per input frame, in order.

        Frames are consumed lazily and encoded ``batch_size`` at a time, so
        a long video never sits in memory as a whole.
        """
        history = []  # previous frames needed by 'pair' mode
        batch = []
        keep = self.tubelet_size - 1
        for frame in frames:
            history.append(frame)
            batch.append(self._clip(history, len(history) - 1))
            history = history[-keep:] if keep else []
            if len(batch) == self.batch_size:
                yield from self.encode_clips(torch.stack(batch))
                batch = []
        if batch:
            yield from self.encode_clips(torch.stack(batch))
