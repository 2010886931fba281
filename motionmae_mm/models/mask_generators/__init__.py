# Copyright (c) OpenMMLab. All rights reserved.
from .base import BaseMaskGenerator
from .frame_random_mask import FrameRandomMaskGenerator
from .motion_guided_mask import MotionGuidedMaskGenerator
from .random_mask import RandomMaskGenerator
from .tube_mask import TubeMaskGenerator

__all__ = [
    'BaseMaskGenerator', 'FrameRandomMaskGenerator', 'RandomMaskGenerator',
    'MotionGuidedMaskGenerator',
    'TubeMaskGenerator'
]
