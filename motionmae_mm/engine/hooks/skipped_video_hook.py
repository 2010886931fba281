# Copyright (c) OpenMMLab. All rights reserved.
from typing import List

from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook

from ...datasets.tracked_pipeline import SKIPPED_KEY


@HOOKS.register_module()
class SkippedVideoHook(Hook):
    """Counts, per epoch, the training videos that could not be loaded.

    ``MotionMAESafeLoad`` skips an unreadable video and the dataset draws
    another; the skipped names reach the main process in the next
    sample's metainfo (``skipped_videos``). At the end of each epoch this
    hook logs one line with the count and the names (so they are in the
    work dir's log file) and writes ``skipped_videos`` to the visualizer's
    scalars (``vis_data/scalars.json``, TensorBoard), also when it is 0,
    and to the message hub's runtime info. The count is over all ranks and
    counts each skip (a retry can draw a bad video again). ``MotionMAERunner`` always registers it.
    """

    priority = 'BELOW_NORMAL'  # before LoggerHook closes the epoch

    def __init__(self) -> None:
        self._names: List[str] = []

    def before_train_epoch(self, runner) -> None:
        self._names = []

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not isinstance(data_batch, dict):
            return
        for sample in data_batch.get('data_samples') or []:
            names = getattr(sample, 'metainfo', {}).get(SKIPPED_KEY)
            if names:
                self._names.extend(names)

    def after_train_epoch(self, runner) -> None:
        names = self._names
        if get_world_size() > 1:
            names = [n for part in all_gather_object(names) for n in part]
        runner.message_hub.update_info('skipped_videos', len(names))
        runner.visualizer.add_scalars(
            dict(skipped_videos=len(names), epoch=runner.epoch + 1),
            step=runner.iter)
        if names:
            unique = sorted(set(names))
            runner.logger.warning(
                f'Epoch(train) [{runner.epoch + 1}]: skipped {len(names)} '
                f'sample(s), {len(unique)} unreadable video(s): '
                f'{", ".join(unique)}')
        self._names = []
