# Copyright (c) OpenMMLab. All rights reserved.
"""Frozen-encoder features of fixed clips, for the probes and fine-tune.

The probes (:mod:`.linear_probe`) and the partial fine-tune
(:mod:`.partial_finetune`) score an encoder on clips decoded once; this
module decodes them (:func:`load_clips`) and runs the encoder's own forward
on every token (:func:`encode`).
"""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor, nn

from ..datasets.video_inputs import load_video_inputs


def load_clips(model: nn.Module, videos: Sequence[str],
               num_clips: int) -> Tensor:
    """``num_clips`` evenly spaced clips of every video, preprocessed.

    Frames are sampled like the model's training pipeline (clip length and
    interval, test mode) and resized to the encoder's input size; the
    model's data preprocessor normalises them.

    Returns:
        Tensor: (N, num_clips, C, T, H, W).
    """
    return torch.stack(
        [load_video_inputs(model, video, num_clips)[0] for video in videos])


@torch.no_grad()
def encode(backbone: nn.Module,
           clips: Tensor,
           tuned_blocks: int = 1,
           batch_size: int = 32) -> Tuple[Tensor, Tensor]:
    """Run the frozen encoder on every token of ``clips``, once.

    The pretraining backbone (``use_mean_pooling=False``) would return the
    first token; here all tokens go through, as an all-visible mask does.

    Args:
        backbone: A ``MotionMAEVisionTransformer`` (put in eval mode).
        clips: (N, C, T, H, W).
        tuned_blocks: How many of the last blocks the fine-tune trains; the
            tokens entering them are returned so they are computed once.
        batch_size: Clips per forward pass.

    Returns:
        tuple: ``slots`` (N, T', C), final-norm tokens averaged over space
        per time slot (T' = T / tubelet size), and ``hidden`` (N, L, C),
        the tokens entering the last ``tuned_blocks`` blocks.

    Raises:
        ValueError: ``tuned_blocks`` exceeds the encoder's depth.
    """
    depth = len(backbone.blocks)
    if not 0 <= tuned_blocks <= depth:
        raise ValueError(f'--finetune-blocks {tuned_blocks}: the encoder has '
                         f'{depth} blocks')
    backbone.eval()
    # the backbone's own forward; a hook keeps what enters the tuned part
    entry = backbone.blocks[depth - tuned_blocks] if tuned_blocks \
        else backbone.norm
    hidden: List[Tensor] = []
    handle = entry.register_forward_pre_hook(
        lambda module, inputs: hidden.append(inputs[0]))
    num_slots = backbone.num_frames // backbone.tubelet_size
    slots = []
    try:
        for start in range(0, len(clips), batch_size):
            x = clips[start:start + batch_size]
            mask = torch.zeros(
                len(x), backbone.pos_embed.shape[1], dtype=torch.bool)
            out = backbone(x, mask)  # (B, L, C), t-major
            slots.append(
                out.reshape(len(x), num_slots, -1, out.shape[-1]).mean(2))
    finally:
        handle.remove()
    return torch.cat(slots), torch.cat(hidden)


def mean_features(slots: Tensor) -> Tensor:
    """The standard probe input: mean over all tokens, (N, C)."""
    return slots.mean(1)


def temporal_features(slots: Tensor) -> Tensor:
    """Mean over tokens plus the change between consecutive time slots.

    Mean pooling is blind to time order, and half of the motion classes
    are time reversals of another (left/right, up/down, approach/recede);
    this keeps the order: (N, C * T').
    """
    return torch.cat(
        [slots.mean(1), (slots[:, 1:] - slots[:, :-1]).flatten(1)], 1)
