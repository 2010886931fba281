# Copyright (c) OpenMMLab. All rights reserved.
"""A full disk while saving: the last good checkpoint survives."""
import errno

import pytest
import torch
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook

from motionmae_mm.engine.checkpoint_files import CheckpointSaveError
from motionmae_mm.utils import read_checkpoint
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
    assert read_checkpoint(good)['meta']['iter'] == 2
    assert (work / 'last_checkpoint').read_text() == str(good)
    assert sorted(p.name for p in work.iterdir() if 'pth' in p.name) == [
        'epoch_1.pth'
    ]  # no partial file left to fill the disk


def test_checkpoint_problem_reads_little(tmp_path):
    """Whole, truncated, legacy, empty and foreign files."""
    from motionmae_mm.engine.checkpoint_files import checkpoint_problem
    state = {'w': torch.arange(1000.)}
    torch.save(state, tmp_path / 'zip.pth')
    torch.save(state, tmp_path / 'legacy.pth',
               _use_new_zipfile_serialization=False)
    for name in ('zip.pth', 'legacy.pth'):
        data = (tmp_path / name).read_bytes()
        (tmp_path / f'cut_{name}').write_bytes(data[:len(data) // 2])
    (tmp_path / 'empty.pth').write_bytes(b'')
    (tmp_path / 'text.pth').write_text('hello')
    (tmp_path / 'w.safetensors').write_bytes(b'\x02\0\0\0\0\0\0\0{}')
    got = {p.name: checkpoint_problem(str(p)) for p in tmp_path.iterdir()}
    assert got['zip.pth'] is None and got['legacy.pth'] is None
    assert got['w.safetensors'] is None  # left to its own loader
    assert got['cut_zip.pth'] == ('truncated or corrupt (File is not a zip '
                                  'file)')
    assert got['cut_legacy.pth'].startswith('not a readable checkpoint (')
    assert got['empty.pth'] == 'empty file'
    assert got['text.pth'] == 'not a torch checkpoint (neither zip nor pickle)'
