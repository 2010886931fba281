# Copyright (c) OpenMMLab. All rights reserved.
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """``CheckpointHook`` that deletes old checkpoints only after a save.

    mmengine removes the oldest kept checkpoint *before* writing the new
    one: with ``max_keep_ckpts=1`` a save that fails (full disk) leaves no
    checkpoint at all. Here the old one goes only once the new one is
    complete. ``MotionMAERunner`` uses it in place of ``CheckpointHook``.
    """

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        keep = self.max_keep_ckpts
        ids = getattr(self, 'keep_ckpt_ids', None)
        doomed = None
        if keep > 0 and ids is not None and len(ids) == keep and \
                ids[-1] != step:
            doomed = ids[0]
            self.max_keep_ckpts = keep + 1  # the parent deletes nothing
        try:
            super()._save_checkpoint_with_step(runner, step, meta)
        finally:
            self.max_keep_ckpts = keep
        if doomed is None or not is_main_process():
            return
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(doomed))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)
