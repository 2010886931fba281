# Copyright (c) OpenMMLab. All rights reserved.
"""Converters between our checkpoints and other frameworks' formats."""
from .errors import ConversionError
from .huggingface_export import ExportResult, export_to_hf
from .huggingface_import import convert_from_hf, import_from_hf

__all__ = [
    'ConversionError', 'ExportResult', 'convert_from_hf', 'export_to_hf',
    'import_from_hf'
]
