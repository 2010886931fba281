# Copyright (c) OpenMMLab. All rights reserved.
"""Build a model from a config + checkpoint."""
from typing import Optional, Union

import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from ..utils import load_model_weights, register_all_modules


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
