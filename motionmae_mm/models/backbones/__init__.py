# Copyright (c) OpenMMLab. All rights reserved.
from .frozen_vit import MotionMAEFrozenVisionTransformer  # noqa: F401
from .motionmae_vit import MotionMAEVisionTransformer

__all__ = ['MotionMAEVisionTransformer']
