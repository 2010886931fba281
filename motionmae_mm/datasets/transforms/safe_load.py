# Copyright (c) OpenMMLab. All rights reserved.
import logging
import os
import warnings
from typing import List, Optional

from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.dataset import Compose
from mmengine.logging import MMLogger


class VideoLoadError(RuntimeError):
    """A video could not be read (or too many in a row: wrong set-up)."""


def warn_skipped(message: str) -> None:
    """Warn (stderr) and, inside a run, also into the run's log file."""
    warnings.warn(message)
    logger = MMLogger.get_current_instance()
    for handler in logger.handlers:  # the file only: stderr has it
        if isinstance(handler, logging.FileHandler):
            handler.handle(
                logger.makeRecord(logger.name, logging.WARNING, '', 0,
                                  message, None, None))

from ..skipped_videos import record_skip


@TRANSFORMS.register_module()
class MotionMAESafeLoad(BaseTransform):
    """Run loading transforms; on an unreadable video, warn and skip it.

    mmengine's ``BaseDataset`` draws another sample only when the pipeline
    returns None, while decord raises on a missing, truncated or non-video
    file. Wrapping ``DecordInit -> SampleFrames -> DecordDecode`` in this
    transform turns such an error into a warning that names the file and a
    None, so one bad file does not kill a multi-day run. Many failures in a
    row mean a broken set-up (wrong ``data_prefix``, unmounted disk), not a
    bad file: then it raises.

    Required keys: ``filename`` (and whatever the wrapped transforms need).

    Args:
        transforms (list[dict]): Loading transforms to wrap.
        max_consecutive_failures (int): Failures in a row (in this worker)
            before giving up. Defaults to 50.
    """

    def __init__(self,
                 transforms: List[dict],
                 max_consecutive_failures: int = 50) -> None:
        self.transforms = Compose(transforms)
        self.max_consecutive_failures = max_consecutive_failures
        self._failures = 0

    def transform(self, results: dict) -> Optional[dict]:
        filename = results.get('filename', '<unknown>')
        try:
            if not os.path.isfile(filename):
                raise FileNotFoundError('no such file')
            out = self.transforms(results)
        except Exception as err:  # decord raises plain RuntimeErrors
            self._failures += 1
            reason = str(err).strip().splitlines()[0] if str(err) else \
                type(err).__name__
            if self._failures >= self.max_consecutive_failures:
                raise VideoLoadError(
                    f'{self._failures} videos in a row could not be loaded '
                    f'(last: {filename}: {reason}); check data_prefix and '
                    'the annotation file, or run tools/data/check_dataset.py'
                ) from err
            record_skip(filename)  # counted per epoch (SkippedVideoHook)
            warn_skipped(f'skipping unreadable video {filename}: {reason}')
            return None
        self._failures = 0
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(transforms={self.transforms}, '
                f'max_consecutive_failures={self.max_consecutive_failures})')
