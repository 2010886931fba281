# Copyright (c) OpenMMLab. All rights reserved.
"""Build a model from a config + checkpoint and feed it one video."""
from typing import Optional, Union

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import Compose

from ..datasets.transforms import VideoLoadError
from ..utils import load_model_weights, register_all_modules
from .inference_pipeline import inference_pipeline


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build ``config.model``, load ``checkpoint`` strictly, eval mode.

    Checkpoints (``.pth`` or ``.safetensors``) are read as data by
    :func:`motionmae_mm.utils.load_model_weights`; a mismatch raises one
    summarised ``CheckpointError`` line.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    register_all_modules()
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_model_weights(model, checkpoint, 'CHECKPOINT')
    else:
        model.init_weights()
    model.cfg = cfg
    return model.to(device).eval()


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
