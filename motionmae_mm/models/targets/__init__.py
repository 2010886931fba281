# Copyright (c) OpenMMLab. All rights reserved.
from .frame_difference import frame_difference
from .patchify import patch_norm, patchify3d, select_patches, unpatchify3d

__all__ = [
    'frame_difference', 'patch_norm', 'patchify3d', 'select_patches',
    'unpatchify3d'
]
