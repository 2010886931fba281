# Copyright (c) OpenMMLab. All rights reserved.
"""Cache keys of benchmark runs, from the config a run actually trains."""
import copy
import hashlib
import json
from typing import Dict, Optional, Union

from mmengine.config import Config


def config_key(config: Union[str, Config],
               cfg_options: Optional[Dict] = None) -> str:
    """A 16-hex-digit key of the fully resolved config.

    The config is read with its ``_base_`` files merged and ``cfg_options``
    applied (as ``--cfg-options`` would), then hashed as sorted JSON of
    ``cfg.to_dict()``. So an edit to any base config changes the key (a
    cached run is not reused for a config it was not trained with), and a
    comment or formatting edit does not.

    Args:
        config: A config file, or a ``Config`` (not modified).
        cfg_options: Keys to override, dotted as in ``--cfg-options``.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else \
        copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def train_command(config: str, options: Dict, work_dir: str) -> str:
    """The ``tools/train.py`` command that trains ``config`` with a run's
    ``options`` (lists written as JSON), printed so a benchmark run can be
    reproduced alone."""
    pairs = ' '.join(
        f'{k}={json.dumps(v) if isinstance(v, list) else v}'
        for k, v in options.items())
    return (f'python tools/train.py {config} --work-dir {work_dir} '
            f'--cfg-options {pairs}')


def run_config(config: str, options: Dict, work_dir: str) -> Config:
    """``config`` with a run's ``options``, training in ``work_dir`` with
    no launcher: what a benchmark run trains in-process."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(options)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    return cfg
