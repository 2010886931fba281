# Copyright (c) OpenMMLab. All rights reserved.
from .non_finite_skip import (NonFiniteSkipAmpOptimWrapper,
                              NonFiniteSkipMixin, NonFiniteSkipOptimWrapper)

__all__ = [
    'NonFiniteSkipAmpOptimWrapper', 'NonFiniteSkipMixin',
    'NonFiniteSkipOptimWrapper'
]
