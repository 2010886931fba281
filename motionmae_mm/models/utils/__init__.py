# Copyright (c) OpenMMLab. All rights reserved.
from .attention import SDPAAttention, use_sdpa_attention
from .block_runner import run_blocks
from .encoder_features import encoder_features
from .strict_pretrained_init import (MotionMAEPretrainedInit,
                                     compare_state_dicts)

__all__ = [
    'MotionMAEPretrainedInit', 'SDPAAttention', 'compare_state_dicts',
    'encoder_features',
    'run_blocks', 'use_sdpa_attention'
]
