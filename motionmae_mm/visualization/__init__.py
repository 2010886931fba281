# Copyright (c) OpenMMLab. All rights reserved.
from .backends import add_vis_backend
from .reconstruction import make_grid, reconstruction_rows, save_image

__all__ = ['add_vis_backend', 'make_grid', 'reconstruction_rows', 'save_image']
