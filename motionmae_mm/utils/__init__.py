# Copyright (c) OpenMMLab. All rights reserved.
from .checkpoint import (CheckpointError, CheckpointNotFoundError,
                         OfficialVideoMAEError, UnsafeCheckpointError,
                         load_model_weights, read_checkpoint, state_dict_of)
from .imagenet import IMAGENET_MEAN, IMAGENET_STD
from .publish import publish_checkpoint
from .setup_env import register_all_modules

__all__ = [
    'CheckpointError', 'CheckpointNotFoundError', 'IMAGENET_MEAN',
    'IMAGENET_STD', 'OfficialVideoMAEError', 'UnsafeCheckpointError',
    'load_model_weights', 'publish_checkpoint', 'read_checkpoint',
    'register_all_modules', 'state_dict_of'
]
