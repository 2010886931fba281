# Copyright (c) OpenMMLab. All rights reserved.
from .motion_target_head import MotionMAEHead

__all__ = ['MotionMAEHead']
