# Copyright (c) OpenMMLab. All rights reserved.
"""Decode each video once and keep its frames in memory."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, Sequence

import numpy as np
from mmaction.datasets.transforms import DecordInit
from mmaction.registry import TRANSFORMS


class _Frames:
    """The slice of decord's ``NDArray`` interface ``DecordDecode`` uses."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def asnumpy(self) -> np.ndarray:
        return self._array


class DecodedVideo:
    """All frames of one video, (T, H, W, 3) uint8, read like a decord
    ``VideoReader`` (``len``, ``get_batch``, ``get_avg_fps``)."""

    def __init__(self, frames: np.ndarray, fps: float) -> None:
        self.frames = frames
        self.fps = fps

    def __len__(self) -> int:
        return len(self.frames)

    def get_avg_fps(self) -> float:
        return self.fps

    def get_batch(self, indices: Sequence[int]) -> _Frames:
        return _Frames(self.frames[np.asarray(indices)])

    @property
    def nbytes(self) -> int:
        return self.frames.nbytes


@TRANSFORMS.register_module()
class MotionMAECachedDecordInit(DecordInit):
    """``DecordInit`` that decodes a video once and serves it from memory.

    For small data sets (the demo, UCF101-sized research runs) decoding
    dominates the data pipeline, and on a few cores decoding workers compete
    with training for the same cores. This transform decodes every frame
    of a video on first use and keeps them, so later epochs cost a memory
    copy; mmaction2's ``SampleFrames -> DecordDecode`` and every transform
    after them stay as they are. Use it with ``num_workers=0`` (one cache,
    in the training process); with workers each keeps its own.

    The cache is per process and bounded: past ``max_cache_gb`` the least
    recently used videos are dropped (and decoded again when next drawn).

    Args:
        max_cache_gb (float): Cache budget in GiB. Defaults to 4.
        **kwargs: ``DecordInit`` arguments (``io_backend``, ``num_threads``).
    """

    def __init__(self, max_cache_gb: float = 4., **kwargs) -> None:
        super().__init__(**kwargs)
        if max_cache_gb <= 0:
            raise ValueError(f'max_cache_gb={max_cache_gb} must be > 0')
        self.max_cache_bytes = int(max_cache_gb * 2**30)
        self._cache: 'OrderedDict[str, DecodedVideo]' = OrderedDict()
        self._cached_bytes = 0

    def _decode(self, filename: str) -> DecodedVideo:
        reader = self._get_video_reader(filename)
        frames = reader.get_batch(list(range(len(reader)))).asnumpy()
        return DecodedVideo(frames, reader.get_avg_fps())

    def _get(self, filename: str) -> DecodedVideo:
        key = osp.abspath(filename)
        video = self._cache.get(key)
        if video is not None:
            self._cache.move_to_end(key)
            return video
        video = self._decode(filename)
        self._cache[key] = video
        self._cached_bytes += video.nbytes
        while self._cached_bytes > self.max_cache_bytes and len(
                self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached_bytes -= old.nbytes
        return video

    def transform(self, results: Dict) -> Dict:
        video = self._get(results['filename'])
        results['total_frames'] = len(video)
        results['video_reader'] = video
        results['avg_fps'] = video.get_avg_fps()
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(max_cache_gb='
                f'{self.max_cache_bytes / 2**30:g}, io_backend='
                f'{self.io_backend}, num_threads={self.num_threads})')
