# Copyright (c) OpenMMLab. All rights reserved.
"""DAVIS-2017 video object segmentation: I/O, metrics, label propagation."""
from .davis_io import (VOID_LABEL, DavisFormatError, DavisSequence,
                       davis_palette, load_sequence, read_ground_truth,
                       read_index_png, read_split, write_index_png)
from .encoder_jf import davis_jf
from .evaluator import (DavisScores, ObjectScore, evaluate_results,
                        format_results, score_sequence, write_results_csv)
from .metrics import (boundary_map, f_measure, jaccard, score_objects,
                      statistics)

__all__ = [
    'VOID_LABEL', 'DavisFormatError', 'DavisSequence', 'davis_palette',
    'load_sequence', 'read_ground_truth', 'read_index_png', 'read_split',
    'write_index_png', 'DavisScores', 'ObjectScore', 'evaluate_results',
    'format_results', 'score_sequence', 'write_results_csv', 'boundary_map',
    'f_measure', 'jaccard', 'score_objects', 'statistics', 'davis_jf'
]
