# Copyright (c) OpenMMLab. All rights reserved.
from mmaction.utils import register_all_modules as register_mmaction_modules


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register mmaction2's modules and ours, and set the default scope.

    Configs do this through ``custom_imports``; scripts and tests that build
    modules without a Runner call this first.
    """
    import motionmae_mm  # noqa: F401  (registers our modules)
    register_mmaction_modules(init_default_scope=init_default_scope)
