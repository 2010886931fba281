# Copyright (c) OpenMMLab. All rights reserved.
from .inference import init_model, load_video_inputs
from .runtime import AMP_TWIN, adapt_cfg_to_machine, build_runner

__all__ = ['AMP_TWIN', 'adapt_cfg_to_machine', 'build_runner', 'init_model', 'load_video_inputs']
