# Copyright (c) OpenMMLab. All rights reserved.
from .sample_seed import SampleSeedSampler, SeededIndex
from .tracked_pipeline import TrackedPipeline
from .transforms import *  # noqa: F401,F403

__all__ = ['SampleSeedSampler', 'SeededIndex', 'TrackedPipeline']
