# Copyright (c) OpenMMLab. All rights reserved.
from .linear_probe_head import MotionMAELinearProbeHead  # noqa: F401
from .motionmae_head import MotionMAEHead

__all__ = ['MotionMAEHead']
