# Copyright (c) OpenMMLab. All rights reserved.
"""Per-sample seeds: a restarted persistent worker draws what it would have."""
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset, DefaultSampler

from motionmae_mm.datasets import SampleSeedSampler, SeededIndex
from motionmae_mm.engine import MotionMAERunner


def _draw(results: dict) -> dict:
    """An 'augmentation' that uses all three generators."""
    return dict(
        index=int(results['sample_idx']),
        draw=f'{random.random()} {np.random.rand()} {float(torch.rand(()))}')


class _Tiny(BaseDataset):

    def load_data_list(self) -> list:
        return [dict(n=i) for i in range(6)]


def _loader(persistent: bool):
    return MotionMAERunner.build_dataloader(
        dict(
            dataset=dict(type=_Tiny, pipeline=[_draw], serialize_data=False),
            sampler=dict(type='SampleSeedSampler', shuffle=True),
            batch_size=2,
            num_workers=2,
            persistent_workers=persistent,
            collate_fn=dict(type='pseudo_collate')),
        seed=7)


def _epoch(loader, epoch: int) -> list:
    loader.sampler.set_epoch(epoch)
    return [
        pair for batch in loader  # pseudo_collate: a dict of lists
        for pair in zip(batch['index'], batch['draw'])
    ]


def test_sampler_keeps_the_default_order_and_tags_seeds():
    data = list(range(10))
    ours = SampleSeedSampler(data, shuffle=True, seed=3)
    ref = DefaultSampler(data, shuffle=True, seed=3)
    for epoch in (0, 1):
        ours.set_epoch(epoch), ref.set_epoch(epoch)
        got = list(ours)
        assert got == list(ref)
        assert all(isinstance(i, SeededIndex) for i in got)
        seeds = {i.seed for i in got}
        assert len(seeds) == len(got)
    ours.set_epoch(0)
    first = {int(i): i.seed for i in ours}
    ours.set_epoch(1)
    assert all(i.seed != first[int(i)] for i in ours)  # new each epoch


@pytest.mark.parametrize('persistent', [True, False])
def test_a_resumed_loader_draws_what_the_uninterrupted_one_drew(persistent):
    loader = _loader(persistent)
    assert isinstance(loader.sampler, SampleSeedSampler)
    full = [_epoch(loader, e) for e in range(3)]
    # a fresh loader (fresh workers) started at epoch 2, as after --resume
    resumed = _epoch(_loader(persistent), 2)
    assert resumed == full[2]
    # and epochs differ (mmengine alone repeats a non-persistent worker's
    # draws every epoch)
    assert full[0] != full[1] != full[2]


@pytest.mark.parametrize('rank', [0, 1])
def test_skip_next_continues_the_epoch_order_once(rank):
    """A run resumed mid-epoch sees the rest of the epoch, same seeds."""
    sampler = SampleSeedSampler(_Tiny(), shuffle=True, seed=3)
    sampler.rank, sampler.world_size = rank, 2
    sampler.num_samples, sampler.total_size = 3, 6
    sampler.set_epoch(4)
    whole = [(int(i), i.seed) for i in sampler]
    sampler.skip_next(2)
    assert [(int(i), i.seed) for i in sampler] == whole[2:]
    assert [(int(i), i.seed) for i in sampler] == whole  # next pass: all
