# Copyright (c) OpenMMLab. All rights reserved.
from .annotation_list import (VIDEO_EXTS, ListEntry, find_videos,
                              is_video_file, read_annotation_list,
                              read_labelled_list)
from .demo_dataset import (build_demo_dataset, check_demo_style,
                           ensure_demo_dataset, make_demo_dataset)
from .moving_digits_dataset import MovingDigitsDataset
from .official_lists import ListError, build_file_lists
from .sample_seed import SampleSeedSampler, SeededIndex
from .tracked_pipeline import TrackedPipeline
from .transforms import *  # noqa: F401,F403

__all__ = [
    'VIDEO_EXTS', 'ListEntry', 'find_videos', 'is_video_file',
    'read_annotation_list', 'read_labelled_list', 'build_demo_dataset',
    'check_demo_style', 'ensure_demo_dataset', 'make_demo_dataset',
    'ListError', 'MovingDigitsDataset',
    'build_file_lists', 'SampleSeedSampler', 'SeededIndex', 'TrackedPipeline'
]
