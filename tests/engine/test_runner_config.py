# Copyright (c) OpenMMLab. All rights reserved.
"""The config names what MotionMAERunner runs; the runner swaps nothing."""
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.model import BaseModel

from motionmae_mm.engine import (MotionMAERunner, RNGStateHook,
                                 SafeCheckpointHook, SkippedVideoHook)
from ..conftest import REPO

RUNTIME = REPO / 'configs/_base_/default_runtime.py'
OURS = dict(
    checkpoint='SafeCheckpointHook',
    rng_state='RNGStateHook',
    skipped_videos='SkippedVideoHook')


class _Toy(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Linear(1, 1)

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        return dict(loss=self.w.weight.sum())


def _user_config(tmp_path, body: str) -> Config:
    path = tmp_path / 'user.py'
    path.write_text(f'_base_ = [{str(RUNTIME)!r}]\n{body}')
    return Config.fromfile(path)


def test_a_user_config_keeps_the_required_hooks(tmp_path):
    cfg = _user_config(
        tmp_path, "default_hooks = dict(logger=dict(interval=5))\n"
        "custom_hooks = [dict(type='EMAHook')]\n")
    assert {k: cfg.default_hooks[k].type for k in OURS} == OURS
    assert cfg.default_hooks.logger == dict(
        type='LoggerHook', interval=5, ignore_last=False)
    assert cfg.custom_hooks == [dict(type='EMAHook')]


def _runner(tmp_path, checkpoint: str, sampler: str, workers: int,
            loop: str = 'ResumableEpochBasedTrainLoop') -> MotionMAERunner:
    cfg = _user_config(
        tmp_path, f"default_hooks = dict(checkpoint=dict(type={checkpoint!r},"
        " interval=1))\n")
    return MotionMAERunner(
        model=_Toy(),
        work_dir=str(tmp_path),
        default_scope=cfg.default_scope,
        default_hooks=cfg.default_hooks,
        experiment_name=tmp_path.name,  # a logger of its own (capsys)
        train_dataloader=dict(
            dataset=[0, 1],
            sampler=dict(type=sampler, shuffle=True),
            batch_size=1,
            num_workers=workers),
        train_cfg=dict(type=loop, max_epochs=1) if loop else dict(
            by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)))


def test_the_runner_registers_what_the_config_names(tmp_path, capsys):
    runner = _runner(tmp_path, 'SafeCheckpointHook', 'SampleSeedSampler', 2)
    types = [type(h) for h in runner.hooks]
    assert types.count(SafeCheckpointHook) == 1
    assert types.count(RNGStateHook) == 1
    assert types.count(SkippedVideoHook) == 1
    assert 'WARNING' not in capsys.readouterr().out


def test_the_runner_adds_no_hook_the_config_removed(tmp_path):
    cfg = _user_config(tmp_path,
                       'default_hooks = dict(rng_state=None, checkpoint=None)')
    runner = MotionMAERunner(
        model=_Toy(),
        work_dir=str(tmp_path),
        default_scope=cfg.default_scope,
        default_hooks=cfg.default_hooks)
    assert not any(
        isinstance(h, (RNGStateHook, CheckpointHook)) for h in runner.hooks)


RUNTIME_NAMES = ' (configs/_base_/default_runtime.py names it)'


@pytest.mark.parametrize(
    'checkpoint, sampler, workers, loop, warned',
    [('CheckpointHook', 'SampleSeedSampler', 0, None,
      "default_hooks.checkpoint is mmengine's CheckpointHook: it deletes the "
      'oldest kept checkpoint before the new one is written, so a failed '
      "save can leave none; set type='SafeCheckpointHook'" + RUNTIME_NAMES),
     ('SafeCheckpointHook', 'DefaultSampler', 2, None,
      "train_dataloader.sampler is mmengine's DefaultSampler: with loader "
      'workers a resumed run draws other augmentations than the '
      "uninterrupted one; set type='SampleSeedSampler'" + RUNTIME_NAMES),
     ('SafeCheckpointHook', 'DefaultSampler', 0, None, None),
     # '': no type, by_epoch=True (mmengine's EpochBasedTrainLoop)
     ('SafeCheckpointHook', 'SampleSeedSampler', 0, '',
      "train_cfg is mmengine's EpochBasedTrainLoop: a run preempted "
      'mid-epoch cannot resume where it stopped; set '
      "type='ResumableEpochBasedTrainLoop' (configs/_base_/schedules/ names "
      'it)')])
def test_mmengine_classes_train_as_named_with_one_warning(
        tmp_path, capsys, checkpoint, sampler, workers, loop, warned):
    runner = _runner(tmp_path, checkpoint, sampler, workers,
                     *([] if loop is None else [loop]))
    hook = next(h for h in runner.hooks if isinstance(h, CheckpointHook))
    assert type(hook).__name__ == checkpoint  # not swapped
    assert "is mmengine's" not in capsys.readouterr().out  # built quietly
    runner.train()
    assert type(runner.train_dataloader.sampler).__name__ == sampler
    warnings = [
        line.split('WARNING - ')[1]
        for line in capsys.readouterr().out.splitlines()
        if "WARNING - " in line and "is mmengine's" in line
    ]
    assert warnings == ([] if warned is None else [warned])
    assert (tmp_path / 'epoch_1.pth').is_file()
