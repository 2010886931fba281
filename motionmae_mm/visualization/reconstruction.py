# Copyright (c) OpenMMLab. All rights reserved.
"""Pictures of what the model reconstructs, for people to look at."""
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
from torch import Tensor

from ..models.targets import patch_norm, patchify3d, unpatchify3d

# Rows: the original, the masked input, then per target name ``<name>``
# its reconstruction (after ``<name>_target``, the target itself, when it
# is not the input clip); a per-patch-normalised pixel target adds a last
# row ``<name>_as_predicted``. Rows of per-patch-normalised predictions are
# drawn with each patch's true mean and std put back (VideoMAE's habit),
# and their labels say so.
ROW_LABELS = {'clip': 'original', 'masked': 'masked input'}
RESTORED_NOTE = ("'true mean/std': a per-patch-normalised prediction drawn "
                 "with the true patch's mean and std; 'as predicted': the "
                 'normalised prediction itself, 0 at mid-grey')
#: Grey level per unit of a normalised patch in the 'as predicted' row.
AS_PREDICTED_GAIN = 0.2
#: Longest target name a label shows in full (labels are 150 px wide).
_LABEL_NAME_CHARS = 7


def _short(name: str) -> str:
    """``name`` cut to fit a row label (``appearance`` -> ``appear.``)."""
    if len(name) <= _LABEL_NAME_CHARS:
        return name
    return name[:_LABEL_NAME_CHARS - 1] + '.'


def row_labels(model: torch.nn.Module) -> Dict[str, str]:
    """Row labels for ``model``'s pictures, from its target names; rows
    drawn with the true patch mean/std put back say so (see
    :data:`RESTORED_NOTE`)."""
    labels = dict(ROW_LABELS)
    for name, target in model.head.targets.items():
        short = _short(name)
        labels[f'{name}_target'] = f'{short} target'
        labels[f'{name}_as_predicted'] = f'{short} as predicted'
        labels[name] = (f'{short} true mean/std'
                        if target.norm_pix else f'{short} recon.')
    return labels


def _denormalise(pred: Tensor, target_raw: Tensor, channels: int,
                 normalised: bool) -> Tensor:
    """Map per-patch-normalised predictions back to pixel units.

    Uses the mean/std of the true patch, as VideoMAE's visualisation does:
    the network predicts a patch's structure, not its mean level.
    """
    if not normalised:
        return pred
    shape = pred.shape
    raw = target_raw.reshape(*shape[:-1], -1, channels)
    std, mean = torch.std_mean(raw, dim=-2, keepdim=True)
    out = pred.reshape(*shape[:-1], -1, channels) * (std + 1e-6) + mean
    return out.reshape(shape)


def _fill(full: Tensor, mask: Tensor, values: Tensor) -> Tensor:
    """Copy of token tensor ``full`` with the masked tokens replaced."""
    out = full.clone()
    out[mask] = values.reshape(-1, values.shape[-1]).to(out.dtype)
    return out


@torch.no_grad()
def reconstruction_rows(model: torch.nn.Module,
                        inputs: Tensor) -> Dict[str, np.ndarray]:
    """Rows of frames for the first clip of ``inputs``.

    Args:
        model: A ``MotionMAE`` model (eval mode is the caller's choice).
        inputs (Tensor): Preprocessed inputs (B, views, C, T, H, W).

    Returns:
        dict[str, np.ndarray]: per row name (see :data:`ROW_LABELS`), uint8
        frames (T, H, W, 3). Sources and their display mapping are each
        target's own (:meth:`BaseTarget.source`, :meth:`BaseTarget.display`;
        motion maps zero change to mid-grey). A per-patch-normalised pixel
        target adds a last row ``<name>_as_predicted``: the normalised
        target at visible patches and the prediction as predicted at masked
        ones (no true mean or std put back), as ``0.5 + 0.2 * value``.
    """
    out = model.reconstruct(inputs[:1])
    head, clip, mask = model.head, out['clip'], out['mask']
    t, p = head.tubelet_size, head.patch_size
    grid = model.grid(clip)
    tokens = patchify3d(clip, t, p)
    rows = {'clip': clip}
    dimmed = tokens.clone()
    dimmed[mask] = 0.25 * dimmed[mask] + 0.4  # masked patches greyed out
    rows['masked'] = unpatchify3d(dimmed, grid, t, p)
    as_predicted = {}
    for name, target in head.targets.items():
        src = target.source(clip)
        src_tokens = patchify3d(src, t, p)
        pred = out[f'pred_{name}']
        pred = _denormalise(pred, src_tokens[mask].view_as(pred),
                            src.shape[1], target.norm_pix)
        recon = unpatchify3d(_fill(src_tokens, mask, pred), grid, t, p)
        if not target.is_input_space:
            rows[f'{name}_target'] = target.display(src)
        rows[name] = target.display(recon)
        if target.is_input_space and target.norm_pix:
            normed = patch_norm(tokens, clip.shape[1])
            as_predicted[f'{name}_as_predicted'] = 0.5 + AS_PREDICTED_GAIN * \
                unpatchify3d(_fill(normed, mask, out[f'pred_{name}']), grid,
                             t, p)
    rows.update(as_predicted)
    frames = {}
    for name, video in rows.items():
        video = video[0].clamp(0, 1).expand(3, -1, -1, -1)  # gray -> RGB
        frames[name] = (video.permute(1, 2, 3, 0) * 255).round().to(
            torch.uint8).cpu().numpy()
    return frames


def make_grid(rows: Dict[str, np.ndarray],
              scale: int = 2,
              label_width: int = 150,
              labels: Optional[Dict[str, str]] = None) -> np.ndarray:
    """Tile rows of frames into one labelled RGB image (H, W, 3) uint8.

    ``labels`` (e.g. :func:`row_labels`) overrides :data:`ROW_LABELS` per
    row name; a row without a label shows its name.
    """
    labels = {**ROW_LABELS, **(labels or {})}
    tiles: List[np.ndarray] = []
    for name, frames in rows.items():
        T, H, W, _ = frames.shape
        strip = np.concatenate(list(frames), axis=1)
        strip = cv2.resize(
            strip, (T * W * scale, H * scale),
            interpolation=cv2.INTER_NEAREST)
        label = np.full((H * scale, label_width, 3), 255, np.uint8)
        cv2.putText(label, labels.get(name, name), (4, H * scale // 2),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(np.concatenate([label, strip], axis=1))
        tiles.append(np.full((2, tiles[-1].shape[1], 3), 255, np.uint8))
    return np.concatenate(tiles[:-1], axis=0)


def save_image(path: str, image: np.ndarray) -> Tuple[int, int]:
    """Write an RGB uint8 image; returns its (height, width)."""
    if not cv2.imwrite(path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise OSError(f'could not write {path}')
    return image.shape[:2]
