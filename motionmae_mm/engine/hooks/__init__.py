# Copyright (c) OpenMMLab. All rights reserved.
from .health_hook import MotionMAEHealthHook
from .label_check_hook import MotionMAELabelCheckHook
from .preemption_hook import (PREEMPTED_EXIT_CODE, PreemptionHook,
                              TrainingPreempted)
from .reconstruction_hook import MotionMAEReconstructionHook
from .rng_state_hook import RNGStateHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .skipped_video_hook import SkippedVideoHook

__all__ = [
    'MotionMAEHealthHook', 'MotionMAELabelCheckHook',
    'MotionMAEReconstructionHook', 'PREEMPTED_EXIT_CODE', 'PreemptionHook',
    'RNGStateHook', 'SafeCheckpointHook', 'SkippedVideoHook',
    'TrainingPreempted'
]
