# Copyright (c) OpenMMLab. All rights reserved.
import copy
import os
import os.path as osp
from typing import Dict, Optional, Union

import torch
from mmaction.registry import RUNNERS
from mmengine.dist import master_only
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from ..datasets.tracked_pipeline import TrackedPipeline
from ..utils.quiet import init_info_at_debug
from .checkpoint_files import (CheckpointSaveError, check_checkpoint,
                               find_resumable_checkpoint, remove_quietly)
from .hooks.rng_state_hook import RNGStateHook
from .hooks.skipped_video_hook import SkippedVideoHook
from .optim_wrappers.amp_optim_wrapper import scores_in_fp32

# mmengine's classes and the stand-ins this runner uses for them
_SAMPLER_TWIN = {'DefaultSampler': 'SampleSeedSampler'}
_CHECKPOINT_HOOK_TWIN = {'CheckpointHook': 'SafeCheckpointHook'}


@RUNNERS.register_module()
class MotionMAERunner(Runner):
    """mmengine's ``Runner`` that loses nothing on interruption.

    * Checkpoints are written atomically. mmengine writes in place, so a job
      killed while saving leaves a truncated file that ``--resume`` then
      picks up. Here the file is written under a temporary name and renamed
      over the final one (atomic on POSIX): a checkpoint on disk is always
      complete, and the previous one survives until the new one is whole
      (``SafeCheckpointHook`` deletes old ones only after a save). A failed
      save (full disk) removes the partial file and raises
      :class:`CheckpointSaveError` naming the last good checkpoint.
    * ``resume=True`` without a path takes the newest *readable* checkpoint
      of the work dir: a truncated newer one is skipped with a warning. A
      path given to ``--resume`` or ``load_from`` that cannot be read is one
      ``UnreadableCheckpointError``.
    * :class:`RNGStateHook` is always registered, so checkpoints carry every
      rank's RNG state and a resumed run continues the interrupted one step
      for step. Loaders with workers draw per-sample seeds
      (``SampleSeedSampler``), so this holds with persistent workers too.
      These hooks live here rather than in ``custom_hooks``, which a user
      config replaces as a whole.
    * mmaction2 heads return fp32 scores (see :func:`scores_in_fp32`), so
      val/test loops can run under bf16 autocast (``val_cfg.fp16=True``,
      ``test_cfg.fp16=True``; bf16 on a CPU).
    * ``auto_scale_lr`` counts gradient accumulation: the batch an update
      sees is ``world size x batch x optim_wrapper.accumulative_counts``
      (mmengine leaves the last factor out).
    * :class:`SkippedVideoHook` counts the unreadable videos of each epoch.
    """

    def __init__(self, *args, **kwargs) -> None:
        hooks = kwargs.get('default_hooks')
        if hooks and isinstance(hooks.get('checkpoint'), dict):
            hooks = copy.deepcopy(hooks)
            ckpt = hooks['checkpoint']
            ckpt['type'] = _CHECKPOINT_HOOK_TWIN.get(ckpt.get('type'),
                                                     ckpt.get('type'))
            kwargs['default_hooks'] = hooks
        super().__init__(*args, **kwargs)
        for hook_type in (RNGStateHook, SkippedVideoHook):
            if not any(isinstance(h, hook_type) for h in self.hooks):
                self.register_hook(hook_type())
        scores_in_fp32(self.model)

    def scale_lr(self,
                 optim_wrapper: OptimWrapper,
                 auto_scale_lr: Optional[Dict] = None) -> None:
        wrappers = optim_wrapper.values() if isinstance(
            optim_wrapper, OptimWrapperDict) else [optim_wrapper]
        counts = {w._accumulative_counts for w in wrappers}
        if (auto_scale_lr and auto_scale_lr.get('enable', False)
                and counts != {1}):
            if len(counts) > 1:
                raise ValueError('auto_scale_lr needs one accumulative_counts '
                                 f'for all optimizers, got {sorted(counts)}')
            count = counts.pop()
            self.logger.info(f'auto_scale_lr: {count} accumulated batches per '
                             'update count as one batch')
            auto_scale_lr = dict(
                auto_scale_lr,
                base_batch_size=auto_scale_lr['base_batch_size'] / count)
        super().scale_lr(optim_wrapper, auto_scale_lr)

    @staticmethod
    def build_dataloader(dataloader: Union[DataLoader, Dict],
                         seed: Optional[int] = None,
                         diff_rank_seed: bool = False) -> DataLoader:
        """mmengine's loader, with per-sample seeds in workers.

        With workers, ``DefaultSampler`` becomes ``SampleSeedSampler`` and
        the loader's base seed comes from its own generator, not the global
        RNG (a persistent-worker loader would draw it once per run, so a
        resumed run would be one draw off). The dataset's pipeline is
        wrapped in :class:`TrackedPipeline`.
        """
        if isinstance(dataloader, DataLoader):
            return dataloader
        cfg = copy.deepcopy(dataloader)
        workers = cfg.get('num_workers', 0) > 0
        sampler = cfg.get('sampler')
        if workers and isinstance(sampler, dict):
            sampler['type'] = _SAMPLER_TWIN.get(sampler.get('type'),
                                                sampler.get('type'))
        loader = Runner.build_dataloader(cfg, seed, diff_rank_seed)
        if workers:
            loader.generator = torch.Generator().manual_seed(seed or 0)
        dataset = loader.dataset
        if hasattr(dataset, 'pipeline') and not isinstance(
                dataset.pipeline, TrackedPipeline):
            dataset.pipeline = TrackedPipeline(dataset.pipeline)
        return loader

    def load_or_resume(self) -> None:
        """Resume from the newest readable checkpoint; check given paths."""
        if self._has_loaded:
            return None
        if self._resume and self._load_from is None:
            found = find_resumable_checkpoint(self.work_dir,
                                              self.logger.warning)
            if found is None:
                self.logger.info(
                    f'no readable checkpoint in {self.work_dir}: training '
                    'from the start')
                return None
            self.logger.info(f'Auto resumed from the latest checkpoint '
                             f'{found}.')
            self.resume(found)
            self._has_loaded = True
            return None
        if self._load_from is not None:
            check_checkpoint(self._load_from)
        return super().load_or_resume()

    def _init_model_weights(self) -> None:
        # the per-parameter initialisation dump: debug level, not the log
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        with init_info_at_debug(model):
            super()._init_model_weights()

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        if not osp.isdir(out_dir):  # remote backends: their own semantics
            return super().save_checkpoint(out_dir, filename, *args,
                                           **kwargs)
        tmp = f'.{filename}.tmp'
        try:
            super().save_checkpoint(out_dir, tmp, *args, **kwargs)
        except OSError as err:  # e.g. ENOSPC: keep the disk as it was
            remove_quietly(osp.join(out_dir, tmp))
            good = find_resumable_checkpoint(out_dir, lambda msg: None)
            kept = f'the last good checkpoint is {good}' if good else \
                'no earlier checkpoint exists'
            msg = (f'could not write checkpoint {osp.join(out_dir, filename)}'
                   f' ({err.strerror or err}); the partial file was removed '
                   f'and {kept}: free space, then train again with --resume')
            self.logger.error(msg)
            raise CheckpointSaveError(msg) from err
        os.replace(osp.join(out_dir, tmp), osp.join(out_dir, filename))
