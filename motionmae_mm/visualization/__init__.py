# Copyright (c) OpenMMLab. All rights reserved.
from .reconstruction import (RESTORED_NOTE, make_grid, reconstruction_rows,
                             row_labels, save_image)

__all__ = [
    'RESTORED_NOTE', 'make_grid', 'reconstruction_rows', 'row_labels',
    'save_image'
]
