# Copyright (c) OpenMMLab. All rights reserved.
from .runtime import adapt_cfg_to_machine

__all__ = ['adapt_cfg_to_machine']
