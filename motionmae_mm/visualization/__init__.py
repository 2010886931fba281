# Copyright (c) OpenMMLab. All rights reserved.
from .bar_chart import bar_chart
from .reconstruction import make_grid, reconstruction_rows, save_image

__all__ = ['bar_chart', 'make_grid', 'reconstruction_rows', 'save_image']
