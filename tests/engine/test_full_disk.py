# Copyright (c) OpenMMLab. All rights reserved.
"""A full disk while saving: the last good checkpoint survives."""
import errno

import pytest
import torch
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook

from motionmae_mm.engine.checkpoint_files import CheckpointSaveError
from .test_runner import trained  # noqa: F401  (fixture)


def _disk_fills_halfway(monkeypatch):
    """The next file write stops half-way with ENOSPC, as on a full disk."""
    put = LocalBackend.put

    def half_then_full(self, obj, filepath):
        put(self, obj[:len(obj) // 2], filepath)
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(LocalBackend, 'put', half_then_full)


def test_full_disk_keeps_the_last_good_checkpoint(trained, monkeypatch):  # noqa: F811,E501
    runner, good = trained
    work = good.parent
    before = good.read_bytes()
    hook = next(h for h in runner.hooks if isinstance(h, CheckpointHook))
    assert hook.max_keep_ckpts == 1  # mmengine would delete epoch_1 first
    _disk_fills_halfway(monkeypatch)
    runner.train_loop._epoch = 1  # as at the end of epoch 2
    with pytest.raises(CheckpointSaveError) as info:
        hook._save_checkpoint(runner)
    assert str(info.value) == (
        f'could not write checkpoint {work}/epoch_2.pth (No space left on '
        'device); the partial file was removed and the last good '
        f'checkpoint is {good}: free space, then train again with --resume')
    assert good.read_bytes() == before  # still there, and whole
    assert torch.load(good, weights_only=True)['meta']['iter'] == 2
    assert (work / 'last_checkpoint').read_text() == str(good)
    assert sorted(p.name for p in work.iterdir() if 'pth' in p.name) == [
        'epoch_1.pth'
    ]  # no partial file left to fill the disk
