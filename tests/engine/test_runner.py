# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAERunner: checkpoints survive a crash while being written."""
import pytest
from mmengine.config import Config
from mmengine.fileio.backends import LocalBackend
from mmengine.runner import Runner

from motionmae_mm.apis import adapt_cfg_to_machine, build_runner
from motionmae_mm.engine import MotionMAERunner, RNGStateHook
from motionmae_mm.utils import read_checkpoint
from ..conftest import REPO


@pytest.fixture
def trained(demo_data, tmp_path):
    cfg = Config.fromfile(REPO / 'configs/demo/motionmae_vit-tiny_demo.py')
    cfg.merge_from_dict({
        'work_dir': str(tmp_path),
        'launcher': 'none',
        'custom_hooks': [],
        'model.backbone.embed_dims': 32,
        'model.backbone.depth': 1,
        'model.backbone.num_heads': 2,
        'model.neck.embed_dims': 16,
        'model.neck.depth': 1,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.dataset.ann_file': f'{demo_data}/pretrain.txt',
        'train_dataloader.dataset.data_prefix.video': str(demo_data),
        'train_cfg.max_epochs': 1,
    })
    runner = build_runner(adapt_cfg_to_machine(cfg))
    assert isinstance(runner, MotionMAERunner)
    assert any(isinstance(h, RNGStateHook) for h in runner.hooks)
    runner.train()
    return runner, tmp_path / 'epoch_1.pth'


def _crash_halfway(monkeypatch):
    """The next file write stops half-way, as if the job was killed."""
    put = LocalBackend.put

    def half_then_die(self, obj, filepath):
        put(self, obj[:len(obj) // 2], filepath)
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalBackend, 'put', half_then_die)


def test_crash_while_saving_keeps_the_last_good_checkpoint(
        trained, monkeypatch):
    runner, good = trained
    before = good.read_bytes()
    assert 'rng_states' in read_checkpoint(good)
    _crash_halfway(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        runner.save_checkpoint(str(good.parent), good.name)
    assert good.read_bytes() == before
    # mmengine's own runner writes in place: the same crash truncates it
    with pytest.raises(KeyboardInterrupt):
        Runner.save_checkpoint(runner, str(good.parent), good.name)
    assert len(good.read_bytes()) < len(before)
