# Copyright (c) OpenMMLab. All rights reserved.
from .backends import add_vis_backend
from .bar_chart import bar_chart
from .accuracy_curves import plot_accuracy_curves
from .reconstruction import (RESTORED_NOTE, make_grid, reconstruction_rows,
                             row_labels, save_image)

__all__ = [
    'RESTORED_NOTE', 'add_vis_backend', 'bar_chart', 'make_grid',
    'plot_accuracy_curves', 'reconstruction_rows', 'row_labels', 'save_image'
]
