# Copyright (c) OpenMMLab. All rights reserved.
from .motionmae import MotionMAE

__all__ = ['MotionMAE']
