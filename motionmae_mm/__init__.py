# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAE for mmaction2: importing this package registers every module.

Components register into mmaction2's registries, so configs keep
``default_scope = 'mmaction'`` and name our classes next to mmaction2's.
"""
from .utils.quiet import quiet_logs

quiet_logs()  # before mmaction2/mmcv imports warn

from .utils.checkpoint import (register_checkpoint_loader,  # noqa: E402
                               register_checkpoint_safe_globals)
from .version import __version__  # noqa: E402

register_checkpoint_safe_globals()
register_checkpoint_loader()

from . import datasets, engine, models  # noqa: E402,F401

__all__ = ['__version__']
