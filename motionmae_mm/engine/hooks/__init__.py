# Copyright (c) OpenMMLab. All rights reserved.
from .label_check_hook import MotionMAELabelCheckHook
from .reconstruction_hook import MotionMAEReconstructionHook
from .rng_state_hook import RNGStateHook

__all__ = [
    'MotionMAELabelCheckHook', 'MotionMAEReconstructionHook', 'RNGStateHook'
]
