# Copyright (c) OpenMMLab. All rights reserved.
from .base_target import DEFAULT_LOSS, BaseTarget
from .frame_difference import frame_difference
from .frame_difference_target import FrameDifferenceTarget
from .patchify import patch_norm, patchify3d, select_patches, unpatchify3d
from .pixel_target import PixelTarget
from .replaced_keys import REPLACED_HEAD_KEYS, check_replaced_head_keys

__all__ = [
    'BaseTarget', 'DEFAULT_LOSS', 'FrameDifferenceTarget', 'PixelTarget',
    'REPLACED_HEAD_KEYS', 'check_replaced_head_keys', 'frame_difference',
    'patch_norm', 'patchify3d', 'select_patches', 'unpatchify3d'
]
