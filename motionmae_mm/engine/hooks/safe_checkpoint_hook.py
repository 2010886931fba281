# Copyright (c) OpenMMLab. All rights reserved.
import os.path as osp

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from ..checkpoint_files import remove_preempted, write_atomically


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose saves never leave the work dir worse off.

    mmengine removes the oldest kept checkpoint *before* writing the new
    one (with ``max_keep_ckpts=1`` a failed save leaves none) and rewrites
    ``last_checkpoint`` in place (a kill at that moment leaves it empty).
    Here the old checkpoint goes only once the new one is complete, and
    the record is replaced atomically. A save also deletes the checkpoints
    ``PreemptionHook`` wrote before it. ``MotionMAERunner`` uses it in place
    of ``CheckpointHook``.
    """

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        doomed = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                doomed = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        write_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if osp.isdir(self.out_dir):
            remove_preempted(self.out_dir)
        if doomed is None:
            return
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(doomed))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)
