# Copyright (c) OpenMMLab. All rights reserved.
"""Load a config and build its model for analysis (no runner, no data)."""
import argparse
from typing import List, Optional, Tuple

import torch
from mmengine.config import Config, DictAction

from ..models.targets import PixelTarget

#: ``--cfg-options`` that leave only the pixel target (VideoMAE's loss):
#: every other entry of ``model.targets`` is dropped, so a config's motion
#: target (or any other) goes without naming it.
PIXELS_ONLY = [
    'model.targets._delete_=True',
    f'model.targets.{PixelTarget.default_name}.type=PixelTarget'
]


def load_config(config: str, cfg_options: Optional[List[str]] = None
                ) -> Config:
    """``Config.fromfile`` plus ``key=value`` overrides, as ``--cfg-options``
    parses them on the command line."""
    cfg = Config.fromfile(config)
    if cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *cfg_options]).o)
    return cfg


def build_model(config: str, cfg_options: Optional[List[str]] = None
                ) -> Tuple[torch.nn.Module, Config]:
    """Build the config's model (in its default scope) and its config."""
    from mmengine.registry import init_default_scope

    import motionmae_mm  # noqa: F401
    cfg = load_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    from mmaction.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model, cfg


def clip_shape(model: torch.nn.Module) -> Tuple[int, int, int, int]:
    """(C, T, H, W) of the clips the model's encoder is configured for."""
    backbone = model.backbone
    size = backbone.grid_size[0] * backbone.patch_size
    return 3, backbone.num_frames, size, size
