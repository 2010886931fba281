# Copyright (c) OpenMMLab. All rights reserved.
"""Config adjustments every entry point applies before building a Runner."""
import warnings

import torch
from mmengine.config import Config

from ..compat import init_cpu_dist_if_needed


def adapt_cfg_to_machine(cfg: Config) -> Config:
    """Make a GPU recipe run on the machine at hand.

    * No GPU: ``AmpOptimWrapper`` (which asserts CUDA) becomes
      ``OptimWrapper``, with a warning.
    * Distributed without a GPU: a gloo process group is initialised here
      (mmengine would call ``torch.cuda.set_device``) and DDP is wrapped
      without ``device_ids``.

    Args:
        cfg (Config): The merged config; ``cfg.launcher`` is read.

    Returns:
        Config: The same object, updated in place.
    """
    if torch.cuda.is_available():
        return cfg
    optim = cfg.get('optim_wrapper')
    if optim is not None and optim.get('type') == 'AmpOptimWrapper':
        warnings.warn('no CUDA device: AmpOptimWrapper falls back to '
                      'OptimWrapper (fp32)')
        optim.type = 'OptimWrapper'
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            optim.pop(key, None)
    launcher = cfg.get('launcher', 'none')
    if launcher != 'none' and init_cpu_dist_if_needed(launcher):
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg.backend = 'gloo'
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel')
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
    return cfg
