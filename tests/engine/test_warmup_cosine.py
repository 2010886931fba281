# Copyright (c) OpenMMLab. All rights reserved.
"""MotionMAEWarmupCosineLR: the LinearLR + CosineAnnealingLR pair, built at
run time so that the cosine follows train_cfg.max_epochs."""
import copy

import pytest
import torch
from mmaction.registry import PARAM_SCHEDULERS
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapper

from ..conftest import REPO

PAIR = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min_ratio=0.02,
        T_max=7,
        by_epoch=True,
        begin=3,
        end=10,
        convert_to_iter_based=True),
]
ONE = dict(
    type='MotionMAEWarmupCosineLR',
    warmup=3,
    start_factor=0.01,
    eta_min_ratio=0.02,
    by_epoch=True,
    convert_to_iter_based=True)


def _optim(lr: float = 1e-3) -> OptimWrapper:
    model = torch.nn.Linear(2, 2)
    return OptimWrapper(
        torch.optim.AdamW([
            dict(params=[model.weight]),
            dict(params=[model.bias], lr=lr / 2)
        ],
                          lr=lr))


def _lrs(schedulers, optim, steps: int) -> list:
    out = []
    for _ in range(steps):
        out.append([g['lr'] for g in optim.param_groups])
        for s in schedulers:
            s.step()
    return out


def _build(cfg, optim, end=None, epoch_length=5):
    cfg = copy.deepcopy(cfg)
    if end is not None:  # what the Runner does with a missing `end`
        cfg.setdefault('end', end)
    return PARAM_SCHEDULERS.build(
        cfg, default_args=dict(optimizer=optim, epoch_length=epoch_length))


def test_same_learning_rates_as_the_pair():
    """Bit-identical lrs per iteration, and the same after a resume."""
    pair_optim, one_optim = _optim(), _optim()
    pair = [_build(c, pair_optim) for c in PAIR]
    one = _build(ONE, one_optim, end=10)
    assert not one.by_epoch  # converted to iterations
    expected = _lrs(pair, pair_optim, 52)
    assert _lrs([one], one_optim, 52) == expected
    assert expected[0][0] == pytest.approx(1e-5)  # start_factor 0.01
    assert expected[15][0] == pytest.approx(1e-3)  # cosine from epoch 3
    assert 2e-5 < expected[49][0] < 2.5e-5  # towards eta_min_ratio 0.02

    # resume half-way as the Runner does (optimizer state, then the
    # schedulers built and their states loaded): the same as the pair
    def resumed(cfgs, end=None):
        optim = _optim()
        first = [_build(c, optim, end) for c in cfgs]
        _lrs(first, optim, 20)
        states = [s.state_dict() for s in first]
        again_optim = _optim()
        again_optim.load_state_dict(optim.state_dict())
        again = [_build(c, again_optim, end) for c in cfgs]
        for scheduler, state in zip(again, states):
            scheduler.load_state_dict(state)
        return _lrs(again, again_optim, 30), again

    lrs, (again, ) = resumed([ONE], end=10)
    assert lrs == resumed(PAIR)[0]
    state = again.state_dict()
    assert set(state) == {'schedulers'} and len(state['schedulers']) == 2
    with pytest.raises(ValueError, match='saved by another schedule'):
        again.load_state_dict(pair[0].state_dict())


def test_no_warmup_and_warmup_longer_than_the_run():
    optim, ref_optim = _optim(), _optim()
    one = _build(dict(ONE, warmup=0), optim, end=4)
    ref = _build(dict(PAIR[1], begin=0, end=4, T_max=4), ref_optim)
    assert _lrs([one], optim, 25) == _lrs([ref], ref_optim, 25)
    # a 3-epoch warm-up in a 2-epoch run: the run is the warm-up
    optim, ref_optim = _optim(), _optim()
    one = _build(ONE, optim, end=2)
    assert len(one.schedulers) == 2  # a cosine after the end, never acting
    assert _lrs([one], optim, 10) == _lrs([_build(PAIR[0], ref_optim)],
                                          ref_optim, 10)
    with pytest.raises(ValueError, match='must be >= 0'):
        _build(dict(ONE, warmup=-1), _optim(), end=4)
    with pytest.raises(ValueError, match='needs `end`'):
        _build(ONE, _optim())


class _LrProbe(Hook):
    """Records the first group's lr before every training iteration."""

    def __init__(self) -> None:
        self.lrs = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append(runner.optim_wrapper.param_groups[0]['lr'])


@pytest.mark.parametrize('max_epochs', [3, 5])
def test_cfg_options_max_epochs_moves_the_cosine(tmp_path, demo_data,
                                                 max_epochs):
    """``--cfg-options train_cfg.max_epochs=N`` on the demo config: the
    cosine ends at epoch N (it ended at the config's 8 before)."""
    from motionmae_mm.apis import adapt_cfg_to_machine, build_runner
    cfg = Config.fromfile(REPO / 'configs/demo/motionmae_vit-tiny_demo.py')
    cfg.merge_from_dict({
        'work_dir':
        str(tmp_path),
        'launcher':
        'none',
        'custom_hooks': [],
        'model.backbone.embed_dims':
        32,
        'model.backbone.depth':
        1,
        'model.backbone.num_heads':
        2,
        'model.neck.embed_dims':
        16,
        'model.neck.depth':
        1,
        'train_dataloader.batch_size':
        4,  # 8 clips: 2 iterations an epoch
        'train_dataloader.num_workers':
        0,
        'train_dataloader.persistent_workers':
        False,
        'train_dataloader.dataset.ann_file':
        f'{demo_data}/pretrain.txt',
        'train_dataloader.dataset.data_prefix.video':
        str(demo_data),
        'default_hooks.checkpoint.interval':
        100,
        'train_cfg.max_epochs':
        max_epochs,
    })
    runner = build_runner(adapt_cfg_to_machine(cfg))
    probe = _LrProbe()
    runner.register_hook(probe, 'LOWEST')
    runner.train()
    # the pair written out for this length, on the config's base lr
    lr = cfg.optim_wrapper.optimizer.lr
    ref_optim = OptimWrapper(
        torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=lr))
    warmup, cosine = copy.deepcopy(PAIR)
    warmup.update(end=1)
    cosine.update(begin=1, end=max_epochs, T_max=max_epochs - 1)
    cosine['eta_min_ratio'] = cfg.param_scheduler.eta_min_ratio
    warmup['start_factor'] = cfg.param_scheduler.start_factor
    ref = [_build(c, ref_optim, epoch_length=2) for c in (warmup, cosine)]
    assert probe.lrs == [lr[0] for lr in _lrs(ref, ref_optim, 2 * max_epochs)]
