# Copyright (c) OpenMMLab. All rights reserved.
"""A pretrained encoder next to the same encoder at random init.

What `make demo` ends with: the few-label probe of both on the data's
lists (:func:`~motionmae_mm.evaluation.few_label_probe.few_label_probe`)
and their representation health on the test clips.
"""
from typing import Dict

import torch
from mmengine.config import Config

from ..evaluation.encoder_eval import EvalClips
from ..evaluation.few_label_probe import few_label_probe
from ..evaluation.health import health_table
from .inference import init_model


def probe_against_random_init(cfg: Config,
                              checkpoint: str,
                              data_root: str,
                              shots: int = 20,
                              draws: int = 3,
                              health_clips: int = 128,
                              seed: int = 0) -> Dict:
    """Few-label probe and health of ``checkpoint`` and of random init.

    Args:
        cfg: The pretraining config (its model and training pipeline).
        checkpoint: The pretrained weights.
        data_root: Folder with ``train.txt``, ``val.txt`` and ``test.txt``.
        shots, draws: Labels per class and label draws of the probe.
        health_clips: Test clips the health figures are read on.
        seed: Seed of the random-init encoder.

    Returns:
        dict: ``probe`` (encoder name -> :func:`few_label_probe` result),
        ``health`` (the printed table), ``classes`` and ``test_clips``.
    """
    models = {'pretrained': init_model(cfg, checkpoint)}
    torch.manual_seed(seed)
    models['random init'] = init_model(cfg)
    data = EvalClips(models['pretrained'], data_root, 1)
    return dict(
        probe={
            name: few_label_probe(model.backbone, data, shots, draws)
            for name, model in models.items()
        },
        health=health_table(
            {name: model.backbone
             for name, model in models.items()}, data.test[:health_clips]),
        classes=data.num_classes,
        test_clips=len(data.test_y))
