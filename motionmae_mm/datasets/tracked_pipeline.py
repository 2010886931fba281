# Copyright (c) OpenMMLab. All rights reserved.
"""The dataset pipeline, with per-sample seeds and skipped-video records."""
from typing import Callable, Optional

from .sample_seed import reseed_worker
from .skipped_videos import take_skipped

SKIPPED_KEY = 'skipped_videos'


class TrackedPipeline:
    """Wraps a dataset's pipeline (``MotionMAERunner`` installs it).

    Before a sample: reseeds a worker from the sample's seed (see
    :mod:`~motionmae_mm.datasets.sample_seed`). After it: puts the videos
    skipped on the way to it (if any) into
    ``data_samples.metainfo['skipped_videos']`` so the main process can
    count them.
    """

    def __init__(self, pipeline: Callable) -> None:
        self.pipeline = pipeline

    def __call__(self, results: dict) -> Optional[dict]:
        reseed_worker(results)
        out = self.pipeline(results)
        if out is None:  # skipped: the dataset draws another sample
            return None
        sample = out.get('data_samples') if isinstance(out, dict) else None
        if sample is not None and hasattr(sample, 'set_metainfo'):
            skipped = take_skipped()
            if skipped:
                sample.set_metainfo({SKIPPED_KEY: skipped})
        return out

    def __getattr__(self, name: str):  # e.g. .transforms of Compose
        if name == 'pipeline':
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.pipeline!r})'
