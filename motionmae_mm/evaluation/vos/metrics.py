# Copyright (c) OpenMMLab. All rights reserved.
"""DAVIS region (J) and boundary (F) measures and their statistics.

The definitions follow the official davis2017-evaluation (commit ac7c43f),
re-implemented with numpy and OpenCV so that the numbers agree to floating
point precision:

* J: intersection over union of binary masks; an empty union counts as 1.
* F: boundary precision/recall with a tolerance of
  ``ceil(0.008 * ||(H, W)||)`` pixels (8 px at 854x480), matched by dilating
  each boundary map with a disk ``x^2 + y^2 <= r^2``.
* Statistics per object over the scored frames: Mean (nanmean), Recall
  (fraction of frames > 0.5) and Decay (mean of the first quarter minus the
  mean of the last quarter, quarters taken as in the official code).
"""
import math
import warnings
from typing import Tuple

import cv2
import numpy as np

BOUNDARY_THRESHOLD = 0.008


def jaccard(gt: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Region similarity |gt & pred| / |gt | pred| over the last two axes.

    Args:
        gt: Binary ground truth, ``(..., H, W)``.
        pred: Binary prediction of the same shape.

    Returns:
        np.ndarray: IoU per leading index; 1 where the union is empty.
    """
    gt = np.asarray(gt, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gt.shape != pred.shape:
        raise ValueError(f'shape mismatch: gt {gt.shape}, pred {pred.shape}')
    inter = np.count_nonzero(gt & pred, axis=(-2, -1))
    union = np.count_nonzero(gt | pred, axis=(-2, -1))
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return iou.astype(np.float64)


def boundary_map(mask: np.ndarray) -> np.ndarray:
    """One-pixel boundary of a binary mask.

    A pixel is on the boundary when it differs from its right, lower or
    lower-right neighbour (pixels outside the image count as background).
    In the last row only the right neighbour is compared, in the last column
    only the lower one, and the bottom-right pixel is never a boundary; this
    is the convention of the DAVIS/BSDS ``seg2bmap``.
    """
    seg = np.asarray(mask, dtype=bool)
    right = np.zeros_like(seg)
    down = np.zeros_like(seg)
    diag = np.zeros_like(seg)
    right[:, :-1] = seg[:, 1:]
    down[:-1, :] = seg[1:, :]
    diag[:-1, :-1] = seg[1:, 1:]
    bmap = (seg != right) | (seg != down) | (seg != diag)
    bmap[-1, :] = seg[-1, :] != right[-1, :]
    bmap[:, -1] = seg[:, -1] != down[:, -1]
    bmap[-1, -1] = False
    return bmap


def disk_kernel(radius: int) -> np.ndarray:
    """Disk structuring element ``x^2 + y^2 <= radius^2`` as uint8."""
    radius = int(radius)
    coords = np.arange(-radius, radius + 1)
    xx, yy = np.meshgrid(coords, coords)
    return (xx**2 + yy**2 <= radius**2).astype(np.uint8)


def boundary_tolerance(shape: Tuple[int, int],
                       bound_th: float = BOUNDARY_THRESHOLD) -> int:
    """Tolerance in pixels: ``bound_th`` if >= 1, else a diagonal fraction."""
    if bound_th >= 1:
        return int(bound_th)
    return int(math.ceil(bound_th * math.hypot(shape[0], shape[1])))


def f_measure(gt: np.ndarray,
              pred: np.ndarray,
              bound_th: float = BOUNDARY_THRESHOLD) -> float:
    """Boundary F-measure of one frame.

    Precision is the share of predicted boundary pixels within the tolerance
    of the ground-truth boundary, recall the converse. An empty boundary on
    exactly one side gives F = 0; empty on both sides gives F = 1.
    """
    gt = np.asarray(gt, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gt.shape != pred.shape:
        raise ValueError(f'shape mismatch: gt {gt.shape}, pred {pred.shape}')
    kernel = disk_kernel(boundary_tolerance(gt.shape, bound_th))
    pred_b = boundary_map(pred)
    gt_b = boundary_map(gt)
    n_pred = int(np.count_nonzero(pred_b))
    n_gt = int(np.count_nonzero(gt_b))
    if n_pred == 0 or n_gt == 0:
        # both empty -> P = R = 1; one empty -> P or R is 0 -> F = 0
        return 1.0 if n_pred == n_gt else 0.0
    pred_dil = cv2.dilate(pred_b.astype(np.uint8), kernel).astype(bool)
    gt_dil = cv2.dilate(gt_b.astype(np.uint8), kernel).astype(bool)
    precision = np.count_nonzero(pred_b & gt_dil) / n_pred
    recall = np.count_nonzero(gt_b & pred_dil) / n_gt
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def decay_bins(num_frames: int) -> np.ndarray:
    """Start/end indices of the four decay quarters (official rounding).

    ``round(linspace(1, n, 5) + 1e-10) - 1`` cast to uint8, as the official
    code does; the cast wraps for sequences longer than 256 frames, which is
    replicated so that the numbers stay comparable (DAVIS has <= 104).
    Quarter ``i`` is ``values[ids[i]:ids[i + 1] + 1]``, so neighbouring
    quarters share their boundary frame.
    """
    ids = np.round(np.linspace(1, num_frames, 5) + 1e-10) - 1
    return ids.astype(np.uint8)


def statistics(values: np.ndarray) -> Tuple[float, float, float]:
    """Mean, Recall (> 0.5) and Decay of one object's per-frame values."""
    values = np.asarray(values, dtype=np.float64)
    ids = decay_bins(len(values))
    quarters = [values[ids[i]:ids[i + 1] + 1] for i in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', category=RuntimeWarning)
        mean = float(np.nanmean(values))
        recall = float(np.nanmean(values > 0.5))
        decay = float(np.nanmean(quarters[0]) - np.nanmean(quarters[3]))
    return mean, recall, decay


def score_objects(
        gt: np.ndarray,
        pred: np.ndarray,
        num_objects: int,
        bound_th: float = BOUNDARY_THRESHOLD) -> Tuple[np.ndarray, np.ndarray]:
    """Per-object, per-frame J and F of a label-map sequence.

    Args:
        gt: ``(N, H, W)`` ground-truth ids (void already set to 0).
        pred: ``(N, H, W)`` predicted ids; ids above ``num_objects`` must
            have been rejected by the caller.
        num_objects: K; objects ``1..K`` are scored (missing ones score
            against an empty prediction).
        bound_th: Boundary tolerance (fraction of the diagonal, or pixels).

    Returns:
        tuple: ``J`` and ``F``, each ``(K, N)`` float64.
    """
    if gt.shape != pred.shape:
        raise ValueError(f'shape mismatch: gt {gt.shape}, pred {pred.shape}')
    n = gt.shape[0]
    j_res = np.zeros((num_objects, n))
    f_res = np.zeros((num_objects, n))
    for obj in range(1, num_objects + 1):
        gt_obj = gt == obj
        pred_obj = pred == obj
        j_res[obj - 1] = jaccard(gt_obj, pred_obj)
        for t in range(n):
            f_res[obj - 1, t] = f_measure(gt_obj[t], pred_obj[t], bound_th)
    return j_res, f_res
