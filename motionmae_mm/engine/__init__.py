# Copyright (c) OpenMMLab. All rights reserved.
from .hooks import *  # noqa: F401,F403
from .loops import ResumableEpochBasedTrainLoop
from .optim_wrappers import *  # noqa: F401,F403
from .runner import MotionMAERunner
from .schedulers import MotionMAEWarmupCosineLR

__all__ = [
    'MotionMAERunner', 'MotionMAEWarmupCosineLR',
    'ResumableEpochBasedTrainLoop'
]
