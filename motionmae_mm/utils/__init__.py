# Copyright (c) OpenMMLab. All rights reserved.
from .checkpoint import (CheckpointError, CheckpointNotFoundError,
                         OfficialVideoMAEError, UnsafeCheckpointError,
                         read_checkpoint, state_dict_of)
from .imagenet import IMAGENET_MEAN, IMAGENET_STD
from .publish import publish_checkpoint
from .setup_env import register_all_modules
from .state_policy import POLICIES, load_model_weights, load_state

__all__ = [
    'CheckpointError', 'CheckpointNotFoundError', 'IMAGENET_MEAN',
    'IMAGENET_STD', 'OfficialVideoMAEError', 'POLICIES',
    'UnsafeCheckpointError', 'load_model_weights', 'load_state',
    'publish_checkpoint', 'read_checkpoint', 'register_all_modules',
    'state_dict_of'
]
