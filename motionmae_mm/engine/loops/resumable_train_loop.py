# Copyright (c) OpenMMLab. All rights reserved.
from mmaction.registry import LOOPS
from mmengine.runner import EpochBasedTrainLoop

from ...utils.cli import UserError


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that resumes in the middle of an epoch.

    mmengine restarts a resumed epoch from its first batch. A checkpoint
    written mid-epoch (``PreemptionHook``) records the iteration: here the
    resumed epoch starts at the batch after it, and the sampler skips the
    samples the epoch already consumed, in the same order, without loading
    them. Batch indices passed to hooks are those of the uninterrupted run.
    Needs a sampler with ``skip_next`` (``SampleSeedSampler``).
    """

    def run_epoch(self) -> None:
        """Iterate one epoch, from where a resumed run stopped in it."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        start = self._iter - self._epoch * len(self.dataloader)
        if start > 0:  # after before_train_epoch, which sets the epoch
            self._skip(start)
        for idx, data_batch in enumerate(self.dataloader, start):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _skip(self, batches: int) -> None:
        sampler = self.dataloader.sampler
        if not hasattr(sampler, 'skip_next'):
            raise UserError(
                'the checkpoint was written in the middle of an epoch and '
                f'train_dataloader.sampler ({type(sampler).__name__}) cannot '
                "skip the samples it consumed; set type='SampleSeedSampler'")
        if batches >= len(self.dataloader):
            raise UserError(
                f'the checkpoint was written at batch {batches} of an epoch '
                f'that now has {len(self.dataloader)} batches: resume with '
                'the dataset and batch size it was trained with')
        sampler.skip_next(batches * self.dataloader.batch_size)
        self.runner.logger.info(
            f'resuming epoch {self._epoch + 1} at batch {batches + 1} of '
            f'{len(self.dataloader)}')
