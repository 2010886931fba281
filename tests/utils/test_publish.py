# Copyright (c) OpenMMLab. All rights reserved.
"""tools/publish_model.py: weights + meta, hash name, safetensors twin."""
import hashlib
import os

import numpy as np
import torch
from mmengine.logging import MessageHub

from motionmae_mm.utils import publish_checkpoint, read_checkpoint
from ..tool_process import run_tool


def _training_checkpoint(path) -> dict:
    """What tools/train.py writes: weights, meta and resume-only state."""
    model = torch.nn.Linear(3, 2)
    optim = torch.optim.AdamW(model.parameters())
    model(torch.ones(1, 3)).sum().backward()
    optim.step()
    hub = MessageHub.get_instance('publish_test')
    hub.update_scalar('train/loss', 0.5)
    state = dict(model.state_dict(), ema_weight=torch.zeros(2, 3))
    torch.save(
        dict(
            meta=dict(epoch=3, iter=30, seed=np.int64(7), cfg='a = 1'),
            state_dict=state,
            optimizer=optim.state_dict(),
            message_hub=hub.state_dict(),
            param_schedulers=[dict(last_epoch=3)],
            rng_states=[dict(numpy=list(np.random.get_state()))]), path)
    return state


def test_publish_strips_hashes_and_twins(tmp_path):
    state = _training_checkpoint(tmp_path / 'epoch_3.pth')
    pth, twin = publish_checkpoint(str(tmp_path / 'epoch_3.pth'),
                                   str(tmp_path / 'pub' / 'model.pth'))
    digest = hashlib.sha256(open(pth, 'rb').read()).hexdigest()[:8]
    assert pth == str(tmp_path / 'pub' / f'model-{digest}.pth')
    assert twin == pth[:-len('.pth')] + '.safetensors'
    assert sorted(os.listdir(tmp_path / 'pub')) == sorted(
        [os.path.basename(pth), os.path.basename(twin)])
    meta = dict(epoch=3, iter=30, seed=7, cfg='a = 1')
    for path in (pth, twin):
        ckpt = read_checkpoint(path)
        assert set(ckpt) == {'state_dict', 'meta'}, path
        assert ckpt['meta'] == meta
        assert set(ckpt['state_dict']) == {'weight', 'bias'}  # no ema_*
        for key, value in ckpt['state_dict'].items():
            assert torch.equal(value, state[key]), (path, key)


def test_publish_tool(tmp_path):
    _training_checkpoint(tmp_path / 'epoch_3.pth')
    proc = run_tool('tools/publish_model.py', tmp_path / 'epoch_3.pth',
                    tmp_path / 'm.pth', timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    (pth, ), (twin, ) = (list(tmp_path.glob('m-*.pth')),
                         list(tmp_path.glob('m-*.safetensors')))
    assert lines == [f'published: {pth}', f'published: {twin}']
    proc = run_tool('tools/publish_model.py', tmp_path / 'no.pth', 'x',
                    timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == \
        f'error: IN: no such file: {tmp_path}/no.pth'
