# Copyright (c) OpenMMLab. All rights reserved.
from .feature_extraction import encode_views, extract_features, load_features
from .few_label import probe_against_random_init
from ..datasets.video_inputs import load_video_inputs
from .inference import init_model
from .pretrain import configure_pretrain, draw_reconstruction, pretrain
from .runtime import AMP_TWIN, adapt_cfg_to_machine, build_runner

__all__ = [
    'AMP_TWIN', 'adapt_cfg_to_machine', 'build_runner', 'configure_pretrain',
    'draw_reconstruction', 'encode_views', 'extract_features', 'init_model',
    'load_features', 'load_video_inputs', 'pretrain',
    'probe_against_random_init'
]
