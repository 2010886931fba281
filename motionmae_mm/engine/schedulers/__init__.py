# Copyright (c) OpenMMLab. All rights reserved.
from .warmup_cosine import MotionMAEWarmupCosineLR

__all__ = ['MotionMAEWarmupCosineLR']
