# Copyright (c) OpenMMLab. All rights reserved.
from .safe_load import MotionMAESafeLoad

__all__ = ['MotionMAESafeLoad']
