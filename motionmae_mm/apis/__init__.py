# Copyright (c) OpenMMLab. All rights reserved.
from .inference import init_model, load_video_inputs
from .runtime import adapt_cfg_to_machine

__all__ = ['adapt_cfg_to_machine', 'init_model', 'load_video_inputs']
