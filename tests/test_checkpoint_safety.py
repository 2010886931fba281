# Copyright (c) OpenMMLab. All rights reserved.
"""Loading a checkpoint never runs code; real checkpoints still load."""
import os

import pytest
import torch
from mmengine.runner import CheckpointLoader, load_checkpoint

from motionmae_mm.compat import UnsafeCheckpointError


class _Payload:
    """Unpickling this would create a file: the proof code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def test_code_in_a_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _Payload(marker)}, path)
    with pytest.raises(UnsafeCheckpointError,
                       match=f'{path}: refused to load.*system'):
        CheckpointLoader.load_checkpoint(str(path))
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(torch.nn.Linear(2, 2), str(path))
    assert not marker.exists()


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))


def test_full_mmengine_checkpoint_loads_as_data(tmp_path):
    """Message hub (HistoryBuffer), numpy state and optimizer entries."""
    import numpy as np
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('ckpt_safety')
    hub.update_scalar('train/loss', 1.5)
    model = torch.nn.Linear(2, 2)
    optim = torch.optim.AdamW(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    optim.step()
    path = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(
            meta=dict(epoch=1, iter=10, seed=0, np_seed=np.int64(3)),
            state_dict=model.state_dict(),
            message_hub=hub.state_dict(),
            optimizer=optim.state_dict(),
            rng_states=[dict(numpy=list(np.random.get_state()))]), path)
    ckpt = CheckpointLoader.load_checkpoint(str(path))
    assert ckpt['meta']['iter'] == 10
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 1.5
    torch.testing.assert_close(ckpt['state_dict']['weight'], model.weight)
