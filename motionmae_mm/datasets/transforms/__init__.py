# Copyright (c) OpenMMLab. All rights reserved.
from .cached_decord_init import MotionMAECachedDecordInit
from .rand_augment import MotionMAERandAugment  # noqa: F401
from .safe_load import MotionMAESafeLoad, VideoLoadError

__all__ = [
    'MotionMAECachedDecordInit', 'MotionMAESafeLoad', 'VideoLoadError'
]
