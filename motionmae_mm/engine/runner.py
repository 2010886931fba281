# Copyright (c) OpenMMLab. All rights reserved.
import os
import os.path as osp
from typing import Dict, Optional

from mmaction.registry import RUNNERS
from mmengine.dist import master_only
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import Runner

from .hooks.rng_state_hook import RNGStateHook
from .optim_wrappers.amp_optim_wrapper import scores_in_fp32


@RUNNERS.register_module()
class MotionMAERunner(Runner):
    """mmengine's ``Runner`` that loses nothing on interruption.

    * Checkpoints are written atomically. mmengine writes in place, so a job
      killed while saving leaves a truncated file that ``--resume`` then
      picks up. Here the file is written under a temporary name and renamed
      over the final one (atomic on POSIX): a checkpoint on disk is always
      complete, and the previous one survives until the new one is whole.
    * :class:`RNGStateHook` is always registered, so checkpoints carry every
      rank's RNG state and a resumed run continues the interrupted one step
      for step. It lives here rather than in ``custom_hooks``, which a user
      config replaces as a whole.
    * mmaction2 heads return fp32 scores (see :func:`scores_in_fp32`), so
      val/test loops can run under bf16 autocast (``val_cfg.fp16=True``,
      ``test_cfg.fp16=True``; bf16 on a CPU).
    * ``auto_scale_lr`` counts gradient accumulation: the batch an update
      sees is ``world size x batch x optim_wrapper.accumulative_counts``
      (mmengine leaves the last factor out).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not any(isinstance(h, RNGStateHook) for h in self.hooks):
            self.register_hook(RNGStateHook())
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

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        if not osp.isdir(out_dir):  # remote backends: their own semantics
            return super().save_checkpoint(out_dir, filename, *args,
                                           **kwargs)
        tmp = f'.{filename}.tmp'
        super().save_checkpoint(out_dir, tmp, *args, **kwargs)
        os.replace(osp.join(out_dir, tmp), osp.join(out_dir, filename))
