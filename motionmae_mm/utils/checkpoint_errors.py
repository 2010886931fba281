# Copyright (c) OpenMMLab. All rights reserved.
"""The checkpoint reader's errors: one type, one line, subclasses by cause.

:class:`CheckpointError` is a ``ValueError``, so the tools' one-line
``error:`` handling covers every checkpoint problem; the subclasses let a
caller tell a missing file, an unsafe one and an official VideoMAE file
apart. Raised by :mod:`motionmae_mm.utils.checkpoint` and
:mod:`motionmae_mm.utils.state_policy`.
"""
import pickle


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is one line."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list (possibly code)."""


class OfficialVideoMAEError(CheckpointError):
    """An official VideoMAE file where an mmaction2-format one is needed."""
