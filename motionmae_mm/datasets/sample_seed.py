# Copyright (c) OpenMMLab. All rights reserved.
"""Per-sample seeds for data-loader workers, so resumed runs are exact.

mmengine seeds a worker once, from the seed, rank and worker id. A
persistent worker then carries its random state from epoch to epoch, and a
run resumed at epoch ``e`` starts fresh workers whose state is that of
epoch 0: its crops and flips differ from the uninterrupted run's. (Without
persistent workers every epoch draws the same augmentations.)

Here the sampler, in the main process, tags each index with a seed derived
from the seed, epoch, rank and index; in a worker the pipeline reseeds
python, numpy and torch from it before the sample is loaded. What a sample
draws then depends on nothing a restart changes (nor on ``num_workers``).
"""
import itertools
import random
from typing import Iterator, Optional

import numpy as np
import torch
from mmaction.registry import DATA_SAMPLERS
from mmengine.dataset import DefaultSampler
from torch.utils.data import get_worker_info


class SeededIndex(int):
    """A dataset index that carries the seed its sample is drawn with."""

    def __new__(cls, index: int, seed: int) -> 'SeededIndex':
        obj = super().__new__(cls, index)
        obj.seed = seed
        return obj

    def __reduce__(self):  # through the workers' index queue
        return SeededIndex, (int(self), self.seed)


def sample_seed(seed: int, epoch: int, rank: int, index: int) -> int:
    """A 32-bit seed from (seed, epoch, rank, index), well mixed."""
    entropy = [int(seed) & 0xFFFFFFFF, int(epoch), int(rank), int(index)]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


@DATA_SAMPLERS.register_module()
class SampleSeedSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` whose indices carry per-sample seeds.

    Same order as ``DefaultSampler``; each index is a :class:`SeededIndex`.
    ``MotionMAERunner`` uses it instead of ``DefaultSampler`` when the
    loader has workers. :meth:`skip_next` lets a run resumed in the middle
    of an epoch continue its order (``ResumableEpochBasedTrainLoop``).
    """

    _skip = 0

    def skip_next(self, num: int) -> None:
        """The next pass (only) leaves out its first ``num`` indices."""
        self._skip = num

    def __iter__(self) -> Iterator[int]:
        skip, self._skip = self._skip, 0
        for index in itertools.islice(super().__iter__(), skip, None):
            yield SeededIndex(index,
                              sample_seed(self.seed, self.epoch, self.rank,
                                          index))


def reseed_worker(results: dict) -> None:
    """In a worker, reseed from the index's seed; plain ints untouched.

    The main process (``num_workers=0``) is never reseeded: its state is
    the model's (masks), saved and restored by ``RNGStateHook``.
    """
    index = results.get('sample_idx')
    seed: Optional[int] = getattr(index, 'seed', None)
    if seed is None:
        return
    results['sample_idx'] = int(index)
    if get_worker_info() is None:
        return
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
