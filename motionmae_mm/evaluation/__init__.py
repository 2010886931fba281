# Copyright (c) OpenMMLab. All rights reserved.
"""How an encoder is scored beyond mmengine metrics.

* :mod:`.encoder_eval`: all of the below for one encoder on one data set;
* :mod:`.features`: frozen-encoder features of fixed clips (decoded once);
* :mod:`.linear_probe`: deterministic logistic-regression probe;
* :mod:`.partial_finetune`: the last blocks + a linear head trained;
* :mod:`.summary`: mean ± std over seeds and the Markdown table;
* :mod:`.token_statistics`: what the encoder's tokens vary with;
* :mod:`.vos`: DAVIS-2017 label propagation and the official J&F.
"""
from .encoder_eval import EvalClips, evaluate_encoder
from .features import encode, load_clips, mean_features, temporal_features
from .linear_probe import accuracy, fit_logistic, linear_probe
from .partial_finetune import TopBlocks, partial_finetune
from .summary import (aggregate, format_mean_std, markdown_table, mean_std,
                      write_summary)

__all__ = [
    'EvalClips', 'evaluate_encoder', 'encode', 'load_clips', 'mean_features',
    'temporal_features', 'accuracy', 'fit_logistic', 'linear_probe',
    'TopBlocks', 'partial_finetune', 'aggregate', 'format_mean_std',
    'markdown_table', 'mean_std', 'write_summary'
]
