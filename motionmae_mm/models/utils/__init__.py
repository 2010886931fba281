# Copyright (c) OpenMMLab. All rights reserved.
from .attention import SDPAAttention, use_sdpa_attention
from .block_runner import run_blocks
from .encoder_features import encoder_features
from .strict_pretrained_init import MotionMAEPretrainedInit

__all__ = [
    'MotionMAEPretrainedInit', 'SDPAAttention', 'encoder_features',
    'run_blocks', 'use_sdpa_attention'
]
