# Copyright (c) OpenMMLab. All rights reserved.
"""Arrow of time on real footage: does a frozen encoder see motion?

A motion-sensitive task that needs no labels and transfers beyond the
demo's synthetic classes: clips of real videos are played forwards or
backwards, and a logistic regression on the frozen encoder's temporal
features (:func:`~.features.temporal_features`) tells the two apart. A
single frame, or any order-blind pooling, cannot: the two versions of a
clip hold the same frames.

The score is leave-one-video-out: the classifier never sees the held-out
video, forwards or backwards, so it cannot learn a video's own direction
of camera motion; chance is 50 %.
"""
from typing import Dict, Sequence

import torch
from torch import Tensor, nn

from .features import encode, load_clips, temporal_features
from .linear_probe import accuracy, fit_logistic


def arrow_of_time_features(model: nn.Module, videos: Sequence[str],
                           num_clips: int) -> Dict[str, Tensor]:
    """Temporal features of ``num_clips`` clips per video, both ways.

    Returns:
        dict: ``features`` (V, 2 * num_clips, D), ``labels`` (V, 2 *
        num_clips) with 1 = forwards, 0 = backwards.
    """
    clips = load_clips(model, videos, num_clips)  # (V, K, C, T, H, W)
    both = torch.cat([clips, clips.flip(3)], 1)
    num_videos, per_video = both.shape[:2]
    slots, _ = encode(model.backbone, both.flatten(0, 1), tuned_blocks=0)
    features = temporal_features(slots).reshape(num_videos, per_video, -1)
    labels = torch.cat([
        torch.ones(num_videos, num_clips),
        torch.zeros(num_videos, num_clips)
    ], 1).long()
    return dict(features=features, labels=labels)


def arrow_of_time(model: nn.Module,
                  videos: Sequence[str],
                  num_clips: int = 16,
                  weight_decay: float = 1e-1) -> Dict:
    """Leave-one-video-out accuracy of telling forwards from backwards.

    Args:
        model: A model with a ``backbone`` and the config it was built
            from (clips are sampled as its training pipeline samples them).
        videos: At least two real videos.
        num_clips: Evenly spaced clips per video (each also reversed).
        weight_decay: L2 weight of the logistic regression on standardised
            features (fixed: the folds leave no data to pick it on).

    Returns:
        dict: ``acc`` (percent over every held-out clip), ``per_video``
        (video -> percent), ``num_clips``.
    """
    if len(videos) < 2:
        raise ValueError('arrow of time needs at least two videos for '
                         f'leave-one-video-out, got {len(videos)}')
    data = arrow_of_time_features(model, videos, num_clips)
    x, y = data['features'], data['labels']
    per_video, hits = {}, 0.
    for held_out, video in enumerate(videos):
        keep = torch.arange(len(videos)) != held_out
        train_x, train_y = x[keep].flatten(0, 1), y[keep].flatten()
        mean = train_x.mean(0, keepdim=True)
        std = train_x.std(0, keepdim=True).clamp(min=1e-6)
        clf = fit_logistic((train_x - mean) / std, train_y, 2, weight_decay)
        with torch.no_grad():
            acc = accuracy(clf(((x[held_out] - mean) / std).double()),
                           y[held_out])
        per_video[video] = acc
        hits += acc * y.shape[1]
    return dict(
        acc=hits / y.numel(), per_video=per_video, num_clips=num_clips)
