# Copyright (c) OpenMMLab. All rights reserved.
"""Semi-supervised label propagation with frozen features (DINO / CRW).

For each target frame every patch looks up its most similar patches in a
context of earlier frames (the first frame with its ground truth, plus a
queue of recent frames with their *soft* predicted labels), keeps the top-k
over the whole context, weights them by a softmax of cosine similarity /
temperature and averages their labels.

Presets (every constant is a config value):

* DINO (facebookresearch/dino ``eval_video_segmentation.py``): 7 previous
  frames, square window of radius 12 patches on every context frame,
  top-5, temperature 0.1, nearest-downsampled one-hot first-frame labels,
  bilinear x patch upsampling, per-channel min-max, argmax.
* CRW (ajabri/videowalk): 20 previous frames (queue pre-filled with the
  first frame), Euclidean window (distance < radius) on the recent frames
  only, bilinearly downsampled labels, no min-max.

DINO's ``exp(s / T)`` masked, cut to the top-k and renormalised equals a
softmax over the top-k logits, which is what is computed here (stable for
small temperatures); ties at the k-th value are the only difference.
"""
from typing import Iterable, Iterator, List, Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor


def labels_to_grid(labels: np.ndarray,
                   num_channels: int,
                   grid: Tuple[int, int],
                   mode: str = 'nearest') -> Tensor:
    """Full-size label map -> ``(num_channels, h, w)`` soft one-hot.

    Args:
        labels: ``(H, W)`` ids in ``0..num_channels-1`` (void already 0).
        num_channels: Background plus objects (K + 1).
        grid: Feature grid ``(h, w)``.
        mode: ``'nearest'`` (DINO: PIL nearest resize, then one-hot) or
            ``'bilinear'`` (CRW: one-hot, then bilinear resize).
    """
    h, w = grid
    if mode == 'nearest':
        image = Image.fromarray(labels.astype(np.uint8))
        small = np.array(image.resize((w, h), Image.NEAREST))
        onehot = np.eye(num_channels, dtype=np.float32)[small]
    elif mode == 'bilinear':
        onehot = np.eye(num_channels, dtype=np.float32)[labels]
        channels = [
            cv2.resize(onehot[..., c], (w, h), interpolation=cv2.INTER_LINEAR)
            for c in range(num_channels)
        ]
        onehot = np.stack(channels, axis=-1)
    else:
        raise ValueError(f'label_downsample must be "nearest" or "bilinear", '
                         f'got {mode!r}')
    return torch.from_numpy(np.ascontiguousarray(onehot.transpose(2, 0, 1)))


def neighbourhood_mask(h: int,
                       w: int,
                       radius: float,
                       window: str = 'square',
                       device: Optional[torch.device] = None) -> Tensor:
    """``(h*w, h*w)`` bool, True where a key patch is near a query patch.

    ``'square'``: Chebyshev distance <= radius (DINO); ``'circle'``:
    Euclidean distance < radius (CRW).
    """
    ys, xs = torch.meshgrid(
        torch.arange(h, device=device),
        torch.arange(w, device=device),
        indexing='ij')
    ys, xs = ys.reshape(-1).float(), xs.reshape(-1).float()
    dy = (ys[:, None] - ys[None, :]).abs()
    dx = (xs[:, None] - xs[None, :]).abs()
    if window == 'square':
        return (dy <= radius) & (dx <= radius)
    if window == 'circle':
        return dy**2 + dx**2 < radius**2
    raise ValueError(f'window must be "square" or "circle", got {window!r}')


class LabelPropagator:
    """Propagate first-frame labels through a video's patch features.

    Args:
        n_last_frames: Recent frames kept in the context queue.
        topk: Keys kept per query, pooled over all context frames.
        temperature: Softmax temperature on cosine similarity.
        radius: Neighbourhood radius in patches; <= 0 disables it.
        window: ``'square'`` (DINO) or ``'circle'`` (CRW).
        restrict_first_frame: Apply the window to the first frame too
            (DINO: yes; CRW: no).
        pad_with_first: Start with the queue full of first-frame copies
            (CRW) instead of empty (DINO).
        normalize_features: L2-normalise features (cosine similarity).
        chunk_size: Most query patches per affinity block.
        max_block: Most affinity entries (queries x context patches) per
            block; bounds memory for long contexts and small patches.
    """

    def __init__(self,
                 n_last_frames: int = 7,
                 topk: int = 5,
                 temperature: float = 0.1,
                 radius: float = 12,
                 window: str = 'square',
                 restrict_first_frame: bool = True,
                 pad_with_first: bool = False,
                 normalize_features: bool = True,
                 chunk_size: int = 4096,
                 max_block: int = 2**26) -> None:
        if topk < 1 or n_last_frames < 0 or temperature <= 0:
            raise ValueError('need topk >= 1, n_last_frames >= 0 and '
                             'temperature > 0')
        self.n_last_frames = int(n_last_frames)
        self.topk = int(topk)
        self.temperature = float(temperature)
        self.radius = radius
        self.window = window
        self.restrict_first_frame = restrict_first_frame
        self.pad_with_first = pad_with_first
        self.normalize_features = normalize_features
        self.chunk_size = int(chunk_size)
        self.max_block = int(max_block)
        neighbourhood_mask(1, 1, 1, window)  # validate the window name

    def step(self, target: Tensor, keys: Tensor, labels: Tensor,
             restrict_from: int, allowed: Optional[Tensor]) -> Tensor:
        """Soft labels of one target frame.

        Args:
            target: ``(Q, C)`` target features (normalised if enabled).
            keys: ``(n, P, C)`` context features, first frame first.
            labels: ``(n, P, K)`` context soft labels.
            restrict_from: The window applies to context frames from this
                index on (0: all, 1: all but the first frame).
            allowed: ``(Q, P)`` bool window, or None.

        Returns:
            Tensor: ``(Q, K)`` propagated soft labels.
        """
        n, p, _ = keys.shape
        flat_labels = labels.reshape(n * p, -1)
        k = min(self.topk, n * p)
        # bound the (chunk, n, P) affinity block
        chunk = max(1, min(self.chunk_size, self.max_block // (n * p)))
        out = []
        target = target / self.temperature
        for start in range(0, target.shape[0], chunk):
            query = target[start:start + chunk]
            logits = torch.einsum('qc,npc->qnp', query, keys)
            if allowed is not None and restrict_from < n:
                far = ~allowed[start:start + chunk, None, :]
                logits[:, restrict_from:].masked_fill_(far, float('-inf'))
            values, index = logits.reshape(query.shape[0], -1).topk(k, dim=1)
            weights = torch.softmax(values, dim=1)
            weights = torch.nan_to_num(weights, nan=0.0)
            out.append(torch.einsum('qk,qkc->qc', weights, flat_labels[index]))
        return torch.cat(out)

    def propagate(self, first_labels: Tensor,
                  features: Iterable[Tensor]) -> Iterator[Tensor]:
        """Yield soft labels ``(K, h, w)`` for frames 1, 2, ... .

        Args:
            first_labels: ``(K, h, w)`` soft one-hot of the first frame on the
                feature grid.
            features: Per-frame ``(h*w, C)`` features, frame 0 first.
        """
        num_channels, h, w = first_labels.shape
        frames = iter(features)
        try:
            first_feat = next(frames)
        except StopIteration:
            return
        if first_feat.shape[0] != h * w:
            raise ValueError(f'features have {first_feat.shape[0]} patches, '
                             f'labels a {h}x{w} grid')
        device = first_feat.device
        first_feat = self._prepare(first_feat)
        first_lab = first_labels.to(device).reshape(num_channels, -1).T
        allowed = None
        if self.radius is not None and self.radius > 0:
            allowed = neighbourhood_mask(h, w, self.radius, self.window,
                                         device)
        queue: List[Tuple[Tensor, Tensor]] = []
        if self.pad_with_first:
            queue = [(first_feat, first_lab)] * self.n_last_frames
        for feat in frames:
            feat = self._prepare(feat.to(device))
            keys = torch.stack([first_feat] + [q[0] for q in queue])
            labels = torch.stack([first_lab] + [q[1] for q in queue])
            restrict_from = 0 if self.restrict_first_frame else 1
            soft = self.step(feat, keys, labels, restrict_from, allowed)
            if self.n_last_frames > 0:
                queue = (queue + [(feat, soft)])[-self.n_last_frames:]
            yield soft.T.reshape(num_channels, h, w)

    def _prepare(self, feat: Tensor) -> Tensor:
        feat = feat.float()
        return F.normalize(feat, dim=-1) if self.normalize_features else feat


def soft_to_labels(soft: Tensor,
                   out_size: Tuple[int, int],
                   upsample: str = 'patch',
                   patch_size: int = 16,
                   norm_mask: bool = True) -> np.ndarray:
    """Soft labels on the feature grid -> ``(H, W)`` uint8 ids.

    Args:
        soft: ``(K, h, w)`` soft labels.
        out_size: Ground-truth size ``(H, W)``.
        upsample: ``'patch'`` (DINO: bilinear x patch_size to the network
            input size, argmax, nearest resize to ``out_size``) or
            ``'direct'`` (CRW: bilinear straight to ``out_size``, argmax).
        patch_size: Patch size for ``'patch'``.
        norm_mask: Min-max normalise each channel before the argmax (DINO),
            skipping channels whose maximum is not positive.
    """
    soft = soft.float()[None]
    if upsample == 'patch':
        size = (soft.shape[-2] * patch_size, soft.shape[-1] * patch_size)
    elif upsample == 'direct':
        size = tuple(out_size)
    else:
        raise ValueError(f'upsample must be "patch" or "direct", got '
                         f'{upsample!r}')
    soft = F.interpolate(
        soft, size=size, mode='bilinear', align_corners=False)[0]
    if norm_mask:
        flat = soft.reshape(soft.shape[0], -1)
        low = flat.min(dim=1).values[:, None, None]
        high = flat.max(dim=1).values[:, None, None]
        scaled = (soft - low) / (high - low).clamp_min(1e-12)
        soft = torch.where(high > 0, scaled, soft)
    labels = soft.argmax(dim=0).to(torch.uint8).cpu().numpy()
    if labels.shape != tuple(out_size):
        labels = np.array(
            Image.fromarray(labels).resize((out_size[1], out_size[0]),
                                           Image.NEAREST))
    return labels
