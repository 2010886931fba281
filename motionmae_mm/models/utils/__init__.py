# Copyright (c) OpenMMLab. All rights reserved.
from .strict_pretrained_init import (MotionMAEPretrainedInit,
                                     compare_state_dicts)

__all__ = ['MotionMAEPretrainedInit', 'compare_state_dicts']
