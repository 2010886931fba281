# Copyright (c) OpenMMLab. All rights reserved.
import copy
import os
import os.path as osp
from typing import Dict, Optional, Union

import torch
from mmaction.registry import RUNNERS
from mmengine.device import get_device
from mmengine.dist import (broadcast_object_list, is_distributed,
                           is_main_process)
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from ..datasets.tracked_pipeline import TrackedPipeline
from ..utils.checkpoint import CheckpointError
from ..utils.quiet import init_info_at_debug
from ..utils.sharded_checkpoint import CONSOLIDATE
from .checkpoint_files import (CheckpointSaveError, check_checkpoint,
                               find_resumable_checkpoint, remove_quietly)
from .fsdp import (MMFullyShardedModel, ShardedCheckpointMixin,
                   broadcast_state, checkpoint_forward,
                   clip_sharded_grad_norm_, fsdp_optim_wrapper,
                   parse_strategy, shard_model, shard_units)
from .optim_wrappers.amp_optim_wrapper import scores_in_fp32
from .work_dir_lock import WorkDirBusyError, WorkDirLock

#: mmengine's classes a config may still name: the key, our class, what
#: training loses with theirs and the config that names ours (warned once
#: when training starts).
_RUNTIME = 'configs/_base_/default_runtime.py'
_WEAKER_THAN_OURS = {
    'CheckpointHook':
    ('default_hooks.checkpoint', 'SafeCheckpointHook',
     'it deletes the oldest kept checkpoint before the new one is written, '
     'so a failed save can leave none', _RUNTIME),
    'EpochBasedTrainLoop':
    ('train_cfg', 'ResumableEpochBasedTrainLoop',
     'a run preempted mid-epoch cannot resume where it stopped',
     'configs/_base_/schedules/'),
    'DefaultSampler':
    ('train_dataloader.sampler', 'SampleSeedSampler',
     'with loader workers a resumed run draws other augmentations than the '
     'uninterrupted one', _RUNTIME),
}
#: The keys mmengine 0.10.7's ``register_default_hooks`` fills itself.
_MMENGINE_DEFAULT_HOOKS = ('runtime_info', 'timer', 'sampler_seed', 'logger',
                           'param_scheduler', 'checkpoint')


@RUNNERS.register_module()
class MotionMAERunner(ShardedCheckpointMixin, Runner):
    """mmengine's ``Runner`` that loses nothing on interruption.

    What runs is named in the config (``configs/_base_/default_runtime.py``):
    ``SafeCheckpointHook``, ``RNGStateHook``, ``SkippedVideoHook`` and
    ``PreemptionHook`` in ``default_hooks`` (merged by key, so a user config
    keeps them), ``SampleSeedSampler`` in the training loaders and
    ``ResumableEpochBasedTrainLoop`` as ``train_cfg``. A config naming
    mmengine's ``CheckpointHook``, ``EpochBasedTrainLoop`` or, with
    workers, ``DefaultSampler`` for training runs as written, with one
    warning when training starts saying what it loses.

    Only what cannot be config is code here:

    * Checkpoints are written atomically (:meth:`save_checkpoint`).
    * ``resume=True`` without a path takes the newest *readable* checkpoint
      (:meth:`load_or_resume`).
    * Loaders take their base seed from their own generator and the
      dataset's pipeline is wrapped (:meth:`build_dataloader`).
    * One training run per work dir (:class:`WorkDirLock`, in
      :meth:`train`).
    * mmaction2 heads return fp32 scores (see :func:`scores_in_fp32`), so
      val/test loops can run under bf16 autocast (``val_cfg.fp16=True``,
      ``test_cfg.fp16=True``; bf16 on a CPU): numpy has no bf16.
    * ``auto_scale_lr`` counts gradient accumulation (:meth:`scale_lr`).
    * ``strategy=dict(type='FSDP2')`` shards the model with FSDP2 and its
      checkpoints (:mod:`motionmae_mm.engine.fsdp`, :meth:`wrap_model`).
    """

    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get('default_hooks'):
            kwargs['default_hooks'] = self._drop_removed_hooks(
                kwargs['default_hooks'])
        cfg = kwargs.get('cfg') or {}
        self._fsdp = parse_strategy(cfg.get('strategy'))
        self._fsdp_dtype = None
        distributed = kwargs.get('launcher', 'none') != 'none'
        if self._fsdp is not None and distributed and kwargs.get(
                'optim_wrapper'):
            kwargs['optim_wrapper'], self._fsdp_dtype = fsdp_optim_wrapper(
                kwargs['optim_wrapper'], get_device())
        super().__init__(*args, **kwargs)
        scores_in_fp32(self.model)

    @property
    def _sharded(self) -> bool:
        """Whether checkpoints are sharded ones (``strategy`` FSDP2)."""
        return self._fsdp is not None

    def wrap_model(self, model_wrapper_cfg: Optional[Dict],
                   model: torch.nn.Module) -> torch.nn.Module:
        """DDP as mmengine, or under FSDP2: initialise the weights, give
        every rank rank 0's, then shard (mmengine initialises after
        wrapping; a sharded model would initialise its slices)."""
        if self._fsdp is None:
            return super().wrap_model(model_wrapper_cfg, model)
        model = model.to(get_device())
        if hasattr(model, 'init_weights'):
            with init_info_at_debug(model):
                model.init_weights()
        if not self.distributed:
            self.logger.warning(
                'strategy FSDP2 in one process without a launcher: the '
                'model is not sharded; checkpoints are sharded ones')
            if self._fsdp.activation_checkpointing:
                for unit in shard_units(model, self._fsdp.shard_units):
                    checkpoint_forward(unit)
            return model
        broadcast_state(model)
        shard_model(model, self._fsdp, self._fsdp_dtype)
        precision = 'fp32' if self._fsdp_dtype is None else \
            f'{self._fsdp_dtype} compute, fp32 weights and reduction'
        self.logger.info(f'FSDP2 over {self.world_size} rank(s): '
                         f'{len(shard_units(model, self._fsdp.shard_units))} '
                         f'block shard units + root, {precision}')
        return MMFullyShardedModel(model)

    @staticmethod
    def _drop_removed_hooks(hooks: Dict) -> Dict:
        """Drop ``default_hooks`` set to None under keys mmengine does not
        fill (``rng_state=None``): mmengine accepts None only for its own
        keys and asserts on any other, so our hooks could not be removed."""
        return {
            key: hook
            for key, hook in hooks.items()
            if hook is not None or key in _MMENGINE_DEFAULT_HOOKS
        }

    def train(self) -> torch.nn.Module:
        """mmengine's ``train``, after one warning per mmengine class the
        config names where ours prevents a failure (``_WEAKER_THAN_OURS``);
        only training loses anything by them, so test runs stay quiet."""
        named = [type(h).__name__ for h in self.hooks]
        loop = self._train_loop
        if isinstance(loop, dict):  # mmengine's default for by_epoch=True
            named.append(loop.get('type') or (
                'EpochBasedTrainLoop' if loop.get('by_epoch') else None))
        loader = self._train_dataloader
        if isinstance(loader, dict) and loader.get('num_workers', 0) > 0 \
                and isinstance(loader.get('sampler'), dict):
            named.append(loader['sampler'].get('type'))
        for name in named:
            if name in _WEAKER_THAN_OURS:
                key, ours, loss, where = _WEAKER_THAN_OURS[name]
                self.logger.warning(f'{key} is mmengine\'s {name}: {loss}; '
                                    f'set type=\'{ours}\' ({where} names '
                                    'it)')
        lock = self._hold_work_dir()
        try:
            return super().train()
        finally:
            if lock is not None:
                lock.release()

    def _hold_work_dir(self) -> Optional[WorkDirLock]:
        """Rank 0 takes the work dir's :class:`WorkDirLock`; when another
        live run holds it, every rank raises the same one-line error."""
        lock, busy = None, None
        if is_main_process():
            lock = WorkDirLock(self.work_dir)
            try:
                lock.acquire()
            except WorkDirBusyError as err:
                lock, busy = None, str(err)
        if is_distributed():
            shared = [busy]
            broadcast_object_list(shared)
            busy = shared[0]
        if busy:
            raise WorkDirBusyError(busy)
        if lock is not None and lock.replaced is not None:
            gone = lock.replaced
            self.logger.warning(
                f'{lock.path} was left by a run that is gone (pid '
                f'{gone.get("pid")} on {gone.get("host")}): taken over')
        return lock

    def build_optim_wrapper(self, optim_wrapper):
        """mmengine's; on a sharded model gradient clipping takes the norm
        of the whole gradient (:func:`clip_sharded_grad_norm_`)."""
        built = super().build_optim_wrapper(optim_wrapper)
        if is_model_wrapper(self.model) and isinstance(
                self.model, MMFullyShardedModel):
            wrappers = built.values() if isinstance(
                built, OptimWrapperDict) else [built]
            for wrapper in wrappers:
                if getattr(wrapper, 'clip_func', None) is \
                        torch.nn.utils.clip_grad_norm_:
                    wrapper.clip_func = clip_sharded_grad_norm_
        return built

    def scale_lr(self,
                 optim_wrapper: OptimWrapper,
                 auto_scale_lr: Optional[Dict] = None) -> None:
        """Scale by the batch an update sees: world size x batch x
        ``accumulative_counts``; mmengine leaves the last factor out, so an
        accumulating run got a learning rate ``accumulative_counts`` times
        too small."""
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
        """mmengine's loader, built as configured, plus two things a
        config cannot say.

        * The loader's base seed comes from its own generator, not the
          global RNG: every pass over the loader draws one (with or without
          workers), so a run resumed mid-epoch, or with persistent workers
          (one draw per run), would be one global draw off the
          uninterrupted one.
        * The dataset's pipeline is wrapped in :class:`TrackedPipeline`,
          which reseeds a worker from ``SampleSeedSampler``'s per-sample
          seed and reports skipped videos to ``SkippedVideoHook``; without
          it both hooks' work is lost in the workers.
        """
        if isinstance(dataloader, DataLoader):
            return dataloader
        loader = Runner.build_dataloader(
            copy.deepcopy(dataloader), seed, diff_rank_seed)
        loader.generator = torch.Generator().manual_seed(seed or 0)
        dataset = loader.dataset
        if hasattr(dataset, 'pipeline') and not isinstance(
                dataset.pipeline, TrackedPipeline):
            dataset.pipeline = TrackedPipeline(dataset.pipeline)
        return loader

    def load_or_resume(self) -> None:
        """Resume from the newest *readable* checkpoint; check given paths.

        mmengine resumes from the newest file, so a checkpoint truncated by
        a kill is picked up and fails; here it is skipped with a warning. A
        ``--resume`` / ``load_from`` path that cannot be read is one
        ``UnreadableCheckpointError``.
        """
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
        """Log mmengine's per-parameter init dump at debug level: it put
        kilobytes of lines in every log."""
        if self._fsdp is not None:  # initialised before sharding
            return
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        with init_info_at_debug(model):
            super()._init_model_weights()

    def resume(self, filename: str, *args, **kwargs) -> None:
        """mmengine's ``resume``; a sharded checkpoint (a directory) under
        ``strategy`` FSDP2 on any world size."""
        sharded = osp.isdir(osp.expanduser(str(filename)))
        if sharded != self._sharded:
            raise CheckpointError(
                f'{filename} is a sharded checkpoint: resume it with '
                "strategy=dict(type='FSDP2'), or consolidate it with "
                f'{CONSOLIDATE} and pass it as load_from' if sharded else
                f'{filename} is a regular checkpoint and strategy is FSDP2: '
                'pass it as load_from (weights only), or resume it without '
                'the strategy')
        if sharded:
            return self.resume_sharded(filename)
        return super().resume(filename, *args, **kwargs)

    def load_checkpoint(self, filename: str, *args, **kwargs):
        """mmengine's ``load_checkpoint``; under FSDP2 each rank loads its
        slices of a regular or sharded checkpoint."""
        if self._fsdp is not None and is_model_wrapper(self.model):
            return self.load_weights_sharded(filename,
                                             kwargs.get('strict', False))
        return super().load_checkpoint(filename, *args, **kwargs)

    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        """Save a checkpoint atomically (:meth:`_save_file_checkpoint`).

        Under ``strategy`` FSDP2 every rank writes its slices (collective,
        :meth:`save_sharded_checkpoint`); else rank 0 writes the file.
        """
        if self._sharded:
            names = ('file_client_args', 'save_optimizer',
                     'save_param_scheduler', 'meta', 'by_epoch')
            given = dict(zip(names, args), **kwargs)
            return self.save_sharded_checkpoint(
                out_dir, filename,
                **{k: given[k] for k in names[1:] if k in given})
        if not is_main_process():
            return None
        return self._save_file_checkpoint(out_dir, filename, *args, **kwargs)

    def _save_file_checkpoint(self, out_dir: str, filename: str, *args,
                              **kwargs) -> None:
        """Write to ``.<filename>.tmp``, then rename over ``filename``.

        mmengine writes in place, so a job killed while saving leaves a
        truncated newest checkpoint that ``--resume`` picks. The rename is
        atomic on POSIX. A failed save (full disk) removes the partial file
        and raises :class:`CheckpointSaveError` naming the last good one.
        """
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
