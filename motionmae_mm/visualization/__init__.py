# Copyright (c) OpenMMLab. All rights reserved.
from .reconstruction import make_grid, reconstruction_rows, save_image

__all__ = ['make_grid', 'reconstruction_rows', 'save_image']
