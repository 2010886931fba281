# Copyright (c) OpenMMLab. All rights reserved.
import os
import os.path as osp

from mmaction.registry import RUNNERS
from mmengine.dist import barrier, is_main_process
from mmengine.runner import Runner


@RUNNERS.register_module()
class MotionMAERunner(Runner):
    """mmengine's ``Runner`` whose checkpoints are written atomically.

    mmengine writes a checkpoint in place, so a job killed while saving
    leaves a truncated file that ``--resume`` then picks up. Here the file is
    written under a temporary name and renamed over the final one, which
    POSIX makes atomic: a checkpoint on disk is always complete, and the
    previous one survives until the new one is whole.
    """

    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        if not osp.isdir(out_dir):  # remote backends: their own semantics
            return super().save_checkpoint(out_dir, filename, *args,
                                           **kwargs)
        tmp = f'.{filename}.tmp'
        super().save_checkpoint(out_dir, tmp, *args, **kwargs)
        if is_main_process():
            os.replace(osp.join(out_dir, tmp), osp.join(out_dir, filename))
        barrier()
