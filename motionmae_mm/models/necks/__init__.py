# Copyright (c) OpenMMLab. All rights reserved.
from .motionmae_decoder import MotionMAEDecoder

__all__ = ['MotionMAEDecoder']
