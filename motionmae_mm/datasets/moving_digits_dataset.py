# Copyright (c) OpenMMLab. All rights reserved.
"""Moving-digit clips as an mmaction2 dataset, rendered on the fly.

No files: sample ``i`` is :func:`render_moving_digits` of a seed derived from
the dataset's ``seed`` and ``i``. With ``fresh=True`` and the
``SampleSeedSampler`` (whose indices carry a seed mixed from the run's
seed, the epoch, the rank and the index), every epoch draws new clips, so
a pretraining run never sees a clip twice; without it the dataset is a
fixed pool of ``num_clips`` clips. Either way a resumed run sees what the
uninterrupted run saw.
"""
from typing import List, Optional, Sequence

import numpy as np
from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset

from .moving_digits import TASKS, render_moving_digits


@DATASETS.register_module()
class MovingDigitsDataset(BaseDataset):
    """Clips of :mod:`.moving_digits` with the label of one task.

    Args:
        num_clips (int): Clips per epoch.
        task (str): Label of each sample, one of ``TASKS``.
        seed (int): Seed of the pool (``fresh=False``) or of the clips
            drawn without a sampler seed.
        fresh (bool): Use the sampler's per-epoch seed when the index
            carries one (``SampleSeedSampler``). Defaults to True.
        pipeline (list): mmaction2 transforms after rendering (e.g.
            ``FormatShape``, ``PackActionInputs``).
        test_mode (bool): mmengine's flag. Defaults to False.
        **render: Arguments of :func:`render_moving_digits` (``size``,
            ``num_frames``, ``split``, ``background``...).
    """

    def __init__(self,
                 num_clips: int,
                 task: str = 'identity',
                 seed: int = 0,
                 fresh: bool = True,
                 pipeline: Sequence[dict] = (),
                 test_mode: bool = False,
                 **render) -> None:
        if task not in TASKS:
            raise ValueError(f'MovingDigitsDataset task={task!r}: choose '
                             f'from {TASKS}')
        self.num_clips = num_clips
        self.task = task
        self.seed = seed
        self.fresh = fresh
        self.render = render
        super().__init__(
            ann_file='', pipeline=list(pipeline), test_mode=test_mode,
            serialize_data=False)

    def load_data_list(self) -> List[dict]:
        """One entry per clip; the frames are rendered when asked for."""
        return [dict(index=i) for i in range(self.num_clips)]

    def clip_seed(self, idx: int) -> List[int]:
        """Seed of sample ``idx``: the sampler's when fresh, else the pool's."""
        sampler_seed: Optional[int] = getattr(idx, 'seed', None)
        if self.fresh and sampler_seed is not None:
            return [self.seed, 1, sampler_seed]
        return [self.seed, 0, int(idx)]

    def get_data_info(self, idx: int) -> dict:
        frames, labels = render_moving_digits(self.clip_seed(idx),
                                              **self.render)
        return dict(
            imgs=frames,
            label=labels[self.task],
            labels=labels,
            num_clips=1,
            clip_len=len(frames),
            img_shape=frames.shape[1:3],
            original_shape=frames.shape[1:3],
            modality='RGB',
            sample_idx=int(idx),
            start_index=0,
            frame_inds=np.arange(len(frames)))
