# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAE for mmaction2: importing this package registers every module.

Components register into mmaction2's registries, so configs keep
``default_scope = 'mmaction'`` and name our classes next to mmaction2's.
"""
import warnings

# mmcv-lite has no compiled ops and nothing here uses them (docs/DESIGN: why
# mmcv-lite); mmcv warns about one at every import of mmaction's models,
# which would put a second line beside a tool's one-line error.
warnings.filterwarnings(
    'ignore', message='Fail to import ``MultiScaleDeformableAttention``')

from .compat import (  # noqa: E402
    register_checkpoint_loader, register_checkpoint_safe_globals)
from .version import __version__  # noqa: E402

register_checkpoint_safe_globals()
register_checkpoint_loader()

from . import datasets, engine, models  # noqa: E402,F401

__all__ = ['__version__']
