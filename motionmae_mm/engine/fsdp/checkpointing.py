# Copyright (c) OpenMMLab. All rights reserved.
"""Saving and resuming sharded checkpoints in ``MotionMAERunner``.

Under ``strategy=dict(type='FSDP2')`` every rank takes part in a save: it
writes its own slices of the weights and optimizer state
(:mod:`motionmae_mm.utils.sharded_checkpoint`) into ``.<name>.tmp/``; rank 0
adds the plain-data part and, once every rank is done, renames the
directory to ``<name>`` (atomic, as the runner's other checkpoints).
Resuming reads the slices this rank needs, whatever world size wrote them.
"""
import os
import os.path as osp
import shutil
import time
from typing import Any, Dict, Optional

import mmengine
import torch
from mmengine.dist import barrier, get_world_size, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from mmengine.utils import apply_to
from torch.distributed.checkpoint.state_dict import (StateDictOptions,
                                                     get_model_state_dict,
                                                     get_state_dict,
                                                     set_model_state_dict,
                                                     set_state_dict)

from ...utils.checkpoint import (CheckpointError, read_checkpoint,
                                 state_dict_of)
from ...utils.sharded_checkpoint import (check_keys, check_sharded, is_sharded,
                                         load_sharded, read_extra,
                                         save_sharded)
from ..checkpoint_files import remove_quietly


def _cpu(tree: Any) -> Any:
    return apply_to(tree, lambda x: hasattr(x, 'cpu'), lambda x: x.cpu())


class ShardedCheckpointMixin:
    """``save_checkpoint`` / ``resume`` for sharded checkpoints (a
    ``Runner`` mixin; ``_sharded`` says whether they apply)."""

    _sharded: bool = False

    def _inner_model(self) -> torch.nn.Module:
        return self.model.module if is_model_wrapper(
            self.model) else self.model

    def _optimizer(self) -> torch.optim.Optimizer:
        if not isinstance(self.optim_wrapper, OptimWrapper):
            raise TypeError('sharded checkpoints need one OptimWrapper, got '
                            f'{type(self.optim_wrapper).__name__}')
        return self.optim_wrapper.optimizer

    def _meta(self, meta: Optional[dict], by_epoch: bool) -> dict:
        """mmengine's checkpoint ``meta``, plus the world size."""
        meta = dict(meta or {})
        if by_epoch:
            meta.setdefault('epoch', self.epoch + 1)
            meta.setdefault('iter', self.iter)
        else:
            meta.setdefault('epoch', self.epoch)
            meta.setdefault('iter', self.iter + 1)
        meta.update(
            cfg=self.cfg.pretty_text,
            seed=self.seed,
            experiment_name=self.experiment_name,
            time=time.strftime('%Y%m%d_%H%M%S', time.localtime()),
            mmengine_version=mmengine.__version__,
            world_size=get_world_size(),
            sharded=True)
        if hasattr(self.train_dataloader.dataset, 'metainfo'):
            meta.update(dataset_meta=self.train_dataloader.dataset.metainfo)
        return meta

    def save_sharded_checkpoint(self,
                                out_dir: str,
                                filename: str,
                                save_optimizer: bool = True,
                                save_param_scheduler: bool = True,
                                meta: Optional[dict] = None,
                                by_epoch: bool = True) -> None:
        """Write ``out_dir/filename/`` from every rank (collective)."""
        model = self._inner_model()
        optimizer = self._optimizer() if save_optimizer else None
        if optimizer is not None:
            weights, optim_state = get_state_dict(model, optimizer)
        else:
            weights, optim_state = model.state_dict(), None
        tensors: Dict[str, Any] = dict(state_dict=weights)
        extra: Dict[str, Any] = dict(
            meta=self._meta(meta, by_epoch),
            message_hub=_cpu(self.message_hub.state_dict()))
        if optim_state is not None:
            tensors['optimizer'] = optim_state['state']
            extra['optimizer_param_groups'] = optim_state['param_groups']
        if save_param_scheduler and self.param_schedulers is not None:
            extra['param_schedulers'] = [
                s.state_dict() for s in self.param_schedulers
            ]
        self.call_hook('before_save_checkpoint', checkpoint=extra)
        final = osp.join(out_dir, filename)
        tmp = osp.join(out_dir, f'.{filename}.tmp')
        if is_main_process() and osp.isdir(tmp):
            shutil.rmtree(tmp)  # left by a save that was killed
        barrier()
        save_sharded(tmp, tensors,
                     _cpu(extra) if is_main_process() else None,
                     self.distributed)
        barrier()  # every rank's slices are on disk
        if is_main_process():
            if osp.isdir(final):  # the same name saved again
                shutil.rmtree(final)
            elif osp.isfile(final):
                remove_quietly(final)
            os.replace(tmp, final)
        barrier()

    def resume_sharded(self, path: str) -> None:
        """``Runner.resume`` from the sharded checkpoint ``path``."""
        check_sharded(path)
        model = self._inner_model()
        self.optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
        optimizer = self._optimizer()
        weights, optim_state = get_state_dict(model, optimizer)
        check_keys(path, {
            k: v.shape
            for k, v in weights.items()
        },
                   type(model).__name__)
        extra = read_extra(path)
        tensors = dict(state_dict=weights, optimizer=optim_state['state'])
        if 'optimizer_param_groups' not in extra:
            raise CheckpointError(f'{path}: saved without the optimizer '
                                  'state; it cannot be resumed')
        load_sharded(path, tensors, self.distributed)
        optim_state = dict(
            state=tensors['optimizer'],
            param_groups=extra['optimizer_param_groups'])
        set_state_dict(
            model,
            optimizer,
            model_state_dict=tensors['state_dict'],
            optim_state_dict=optim_state)
        self.call_hook('after_load_checkpoint', checkpoint=extra)
        meta = extra['meta']
        self.train_loop._epoch = meta['epoch']
        self.train_loop._iter = meta['iter']
        seed = meta.get('seed')
        if seed is not None and seed != self._randomness_cfg.get('seed'):
            self._randomness_cfg.update(seed=seed)
            self.set_randomness(**self._randomness_cfg)
        self.message_hub.load_state_dict(extra['message_hub'])
        if self.param_schedulers is not None and 'param_schedulers' in extra:
            self.param_schedulers = self.build_param_scheduler(
                self.param_schedulers)
            for scheduler, state in zip(self.param_schedulers,
                                        extra['param_schedulers']):
                scheduler.load_state_dict(state)
        self._has_loaded = True
        saved = meta.get('world_size')
        if saved is not None and saved != get_world_size():
            self.logger.info(f'resharded {path}: saved by {saved} rank(s), '
                             f'loaded by {get_world_size()}')
        self.logger.info(f'resumed epoch: {self.epoch}, iter: {self.iter}')

    def load_weights_sharded(self,
                             filename: str,
                             strict: bool = False) -> dict:
        """``load_from`` under FSDP2: the weights of a sharded checkpoint
        (this rank's slices) or of a regular one (each rank reads the file
        and keeps its slices). Returns the checkpoint's plain-data part."""
        model = self._inner_model()
        if is_sharded(filename):
            check_sharded(filename)
            weights = get_model_state_dict(model)
            check_keys(filename, {
                k: v.shape
                for k, v in weights.items()
            },
                       type(model).__name__)
            tensors = dict(state_dict=weights)
            load_sharded(filename, tensors, self.distributed)
            set_model_state_dict(model, tensors['state_dict'])
            ckpt = read_extra(filename)
        else:
            ckpt = read_checkpoint(filename, 'cpu')
            state = state_dict_of(ckpt, filename)
            set_model_state_dict(
                model,
                state,
                options=StateDictOptions(full_state_dict=True, strict=strict))
        self.call_hook('after_load_checkpoint', checkpoint=ckpt)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return ckpt
