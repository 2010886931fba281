# Copyright (c) OpenMMLab. All rights reserved.
"""Arrow of time on real footage: does a frozen encoder see motion?

A motion-sensitive task that needs no labels and transfers beyond the
demo's synthetic classes: clips of real videos are played forwards or
backwards, and a logistic regression on the changes of the frozen
encoder's features between consecutive time slots tells the two apart. A
single frame, or any order-blind pooling, cannot: the two versions of a
clip hold the same frames (their mean features, which mostly say which
video a clip is from, are left out).

The score is leave-one-video-out: the classifier never sees the held-out
video, forwards or backwards, so it cannot learn a video's own direction
of camera motion; chance is 50 %.
"""
from typing import Dict, Sequence

import torch
from torch import Tensor, nn

from .features import encode, load_clips
from .linear_probe import accuracy, fit_logistic, standardiser


def arrow_of_time_features(model: nn.Module, videos: Sequence[str],
                           num_clips: int) -> Dict[str, Tensor]:
    """Slot-to-slot feature changes of ``num_clips`` clips per video, both
    ways.

    Returns:
        dict: ``features`` (V, 2 * num_clips, D), ``labels`` (V, 2 *
        num_clips) with 1 = forwards, 0 = backwards.
    """
    clips = load_clips(model, videos, num_clips)  # (V, K, C, T, H, W)
    both = torch.cat([clips, clips.flip(3)], 1)
    num_videos, per_video = both.shape[:2]
    slots, _ = encode(model.backbone, both.flatten(0, 1), tuned_blocks=0)
    changes = (slots[:, 1:] - slots[:, :-1]).flatten(1)
    features = changes.reshape(num_videos, per_video, -1)
    labels = torch.cat([
        torch.ones(num_videos, num_clips),
        torch.zeros(num_videos, num_clips)
    ], 1).long()
    return dict(features=features, labels=labels)


def leave_one_video_out(features: Tensor,
                        labels: Tensor,
                        num_classes: int = 2,
                        weight_decay: float = 1e-1) -> Dict:
    """Score each video with a classifier fitted on all the others.

    Args:
        features: (V, K, D), K clips per video.
        labels: (V, K).
        weight_decay: L2 weight of the logistic regression on features
            standardised with the training folds' mean and std (fixed:
            the folds leave no data to pick it on).

    Returns:
        dict: ``acc`` (percent over every held-out clip) and
        ``per_video`` (list of percent, in video order).
    """
    per_video = []
    for held_out in range(len(features)):
        keep = torch.arange(len(features)) != held_out
        train_x = features[keep].flatten(0, 1)
        norm = standardiser(train_x)
        clf = fit_logistic(norm(train_x), labels[keep].flatten(),
                           num_classes, weight_decay)
        with torch.no_grad():
            logits = clf(norm(features[held_out]))
        per_video.append(accuracy(logits, labels[held_out]))
    return dict(acc=sum(per_video) / len(per_video), per_video=per_video)


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
        weight_decay: See :func:`leave_one_video_out`.

    Returns:
        dict: ``acc`` (percent over every held-out clip), ``per_video``
        (video -> percent), ``num_clips``.
    """
    if len(videos) < 2:
        raise ValueError('arrow of time needs at least two videos for '
                         f'leave-one-video-out, got {len(videos)}')
    data = arrow_of_time_features(model, videos, num_clips)
    res = leave_one_video_out(data['features'], data['labels'], 2,
                              weight_decay)
    return dict(
        acc=res['acc'],
        per_video=dict(zip(videos, res['per_video'])),
        num_clips=num_clips)
