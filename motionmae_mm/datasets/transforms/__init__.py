# Copyright (c) OpenMMLab. All rights reserved.
from .rand_augment import MotionMAERandAugment  # noqa: F401
from .safe_load import MotionMAESafeLoad, VideoLoadError

__all__ = ['MotionMAESafeLoad', 'VideoLoadError']
