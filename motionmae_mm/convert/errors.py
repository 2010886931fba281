# Copyright (c) OpenMMLab. All rights reserved.
"""The one error type the converters raise for bad input."""


class ConversionError(ValueError):
    """Input a converter cannot turn into the other format (the message
    names the file, key or setting at fault)."""
