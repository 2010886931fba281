# Copyright (c) OpenMMLab. All rights reserved.
from .amp_optim_wrapper import (AmpOptimWrapper, cpu_autocast_dtype,
                                cpu_supports_bf16)
from .non_finite_skip import (NonFiniteLossError, NonFiniteSkipAmpOptimWrapper,
                              NonFiniteSkipMixin, NonFiniteSkipOptimWrapper)

__all__ = [
    'AmpOptimWrapper', 'NonFiniteLossError', 'NonFiniteSkipAmpOptimWrapper',
    'NonFiniteSkipMixin', 'NonFiniteSkipOptimWrapper', 'cpu_autocast_dtype',
    'cpu_supports_bf16'
]
