# Copyright (c) OpenMMLab. All rights reserved.
from .base import BaseMaskGenerator
from .decoder_mask import (DECODER_MASK_MODES, running_cell_keep,
                           select_decoder_targets)
from .frame_random_mask import FrameRandomMaskGenerator
from .motion_guided_mask import MotionGuidedMaskGenerator
from .random_mask import RandomMaskGenerator
from .tube_mask import TubeMaskGenerator

__all__ = [
    'BaseMaskGenerator', 'DECODER_MASK_MODES', 'FrameRandomMaskGenerator',
    'MotionGuidedMaskGenerator', 'RandomMaskGenerator', 'TubeMaskGenerator',
    'running_cell_keep', 'select_decoder_targets'
]
