# Copyright (c) OpenMMLab. All rights reserved.
"""One video, decoded and preprocessed for a model, at test time.

In the datasets layer (below ``evaluation``, ``engine`` and ``apis``) so
that the probes and the reconstruction hook read videos without importing
upward; :mod:`motionmae_mm.apis` re-exports it.
"""
import torch
from mmengine.dataset import Compose

from .inference_pipeline import inference_pipeline
from .transforms import VideoLoadError


def load_video_inputs(model: torch.nn.Module,
                      video: str,
                      num_clips: int = 1) -> torch.Tensor:
    """Deterministic clips of ``video``, preprocessed for ``model``.

    The transforms are :func:`inference_pipeline`'s with one centre view
    per clip: the config's test pipeline when it has one, else clips
    sampled like its training pipeline (encoder's clip length, training
    frame interval; one centred clip, or ``num_clips`` evenly spaced) with
    the whole frame resized to the encoder's input size.

    Returns:
        Tensor: (1, num_clips, C, T, H, W) on the model's device.

    Raises:
        ValueError: naming ``video`` if it cannot be decoded.
    """
    pipeline = Compose(
        inference_pipeline(model, num_clips=num_clips, whole_frame=True))
    try:
        data = pipeline(dict(filename=video, start_index=0, modality='RGB'))
    except Exception as err:  # decord raises its own RuntimeError types
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise VideoLoadError(f'{video}: cannot read this video ({reason}); '
                             'check it with tools/data/check_dataset.py'
                             ) from err
    batch = model.data_preprocessor(
        dict(inputs=[data['inputs']], data_samples=[data['data_samples']]))
    return batch['inputs']
