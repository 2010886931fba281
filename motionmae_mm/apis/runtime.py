# Copyright (c) OpenMMLab. All rights reserved.
"""Config adjustments every entry point applies before building a Runner."""
import torch
from mmaction.registry import RUNNERS
from mmengine.config import Config
from mmengine.runner import Runner

from ..compat import init_cpu_dist_if_needed

# fp32 optimizer wrappers and their mixed-precision twins (``--amp``)
AMP_TWIN = {
    'OptimWrapper': 'AmpOptimWrapper',
    'NonFiniteSkipOptimWrapper': 'NonFiniteSkipAmpOptimWrapper',
}


def adapt_cfg_to_machine(cfg: Config) -> Config:
    """Make a GPU recipe run on the machine at hand.

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
