# Copyright (c) OpenMMLab. All rights reserved.
"""Which videos this process skipped since the last loaded sample.

``MotionMAESafeLoad`` records each skipped file here; the loading pipeline
(:class:`~motionmae_mm.datasets.TrackedPipeline`) moves the names into the
next sample's metainfo, so they travel from the data-loader workers (other
processes) to the main process, where ``SkippedVideoHook`` counts them.
"""
from typing import List

_SKIPPED: List[str] = []


def record_skip(filename: str) -> None:
    """Note that ``filename`` was skipped (in this process)."""
    _SKIPPED.append(str(filename))


def take_skipped() -> List[str]:
    """The names recorded since the last call, and forget them."""
    names = list(_SKIPPED)
    _SKIPPED.clear()
    return names
