# Copyright (c) OpenMMLab. All rights reserved.
import os
import os.path as osp

from mmaction.registry import RUNNERS
from mmengine.dist import master_only
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from ..utils.quiet import init_info_at_debug

from .hooks.rng_state_hook import RNGStateHook


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
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not any(isinstance(h, RNGStateHook) for h in self.hooks):
            self.register_hook(RNGStateHook())

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
        super().save_checkpoint(out_dir, tmp, *args, **kwargs)
        os.replace(osp.join(out_dir, tmp), osp.join(out_dir, filename))
