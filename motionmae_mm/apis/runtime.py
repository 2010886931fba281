# Copyright (c) OpenMMLab. All rights reserved.
"""Config adjustments every entry point applies before building a Runner."""
import warnings

import torch
from mmaction.registry import RUNNERS
from mmengine.config import Config
from mmengine.runner import Runner

from ..compat import init_cpu_dist_if_needed

# mixed-precision wrappers and their fp32 twins (AMP asserts CUDA)
_FP32_TWIN = {
    'AmpOptimWrapper': 'OptimWrapper',
    'NonFiniteSkipAmpOptimWrapper': 'NonFiniteSkipOptimWrapper',
}
AMP_TWIN = {fp32: amp for amp, fp32 in _FP32_TWIN.items()}


def adapt_cfg_to_machine(cfg: Config) -> Config:
    """Make a GPU recipe run on the machine at hand.

    * No GPU: an AMP optimizer wrapper (which asserts CUDA) becomes its
      fp32 twin (``AmpOptimWrapper`` -> ``OptimWrapper``), with a warning.
    * Distributed without a GPU: a gloo process group is initialised here
      (mmengine would call ``torch.cuda.set_device``) and DDP is wrapped
      without ``device_ids``, with ``env_cfg.dist_cfg.timeout`` (seconds)
      as its collective time-out, as mmengine does on GPUs.

    Args:
        cfg (Config): The merged config; ``cfg.launcher`` is read.

    Returns:
        Config: The same object, updated in place.
    """
    if torch.cuda.is_available():
        return cfg
    optim = cfg.get('optim_wrapper')
    if optim is not None and optim.get('type') in _FP32_TWIN:
        twin = _FP32_TWIN[optim.type]
        warnings.warn(f'no CUDA device: {optim.type} falls back to {twin} '
                      '(fp32)')
        optim.type = twin
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            optim.pop(key, None)
    launcher = cfg.get('launcher', 'none')
    timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
    if launcher != 'none' and init_cpu_dist_if_needed(launcher, timeout):
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg.backend = 'gloo'
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel')
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Build the config's runner (``runner_type``, else mmengine's)."""
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
