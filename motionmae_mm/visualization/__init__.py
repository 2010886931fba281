# Copyright (c) OpenMMLab. All rights reserved.
from .backends import add_vis_backend
from .reconstruction import (RESTORED_NOTE, make_grid, reconstruction_rows,
                             row_labels, save_image)

__all__ = [
    'RESTORED_NOTE', 'add_vis_backend', 'make_grid', 'reconstruction_rows',
    'row_labels', 'save_image'
]
