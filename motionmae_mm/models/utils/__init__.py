# Copyright (c) OpenMMLab. All rights reserved.
from .attention import SDPAAttention, add_qk_norm, use_sdpa_attention
from .block_runner import run_blocks
from .encoder_features import encoder_features
from .strict_pretrained_init import MotionMAEPretrainedInit

__all__ = [
    'MotionMAEPretrainedInit', 'SDPAAttention', 'add_qk_norm',
    'encoder_features', 'run_blocks', 'use_sdpa_attention'
]
