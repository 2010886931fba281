# Copyright (c) OpenMMLab. All rights reserved.
"""Clips/s of the real training loop (figures only, no timing asserts)."""
import pytest

from motionmae_mm.analysis import time_train_loop
from ..tools.test_train import DEMO, TINY


def _options(data):
    return [
        f'train_dataloader.dataset.ann_file={data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={data}',
        'train_dataloader.batch_size=2', 'train_cfg.max_epochs=2',
        'custom_hooks=[]', *[o for o in TINY if 'batch_size' not in o]
    ]


def test_times_the_requested_iterations(demo_data):
    res = time_train_loop(DEMO, _options(demo_data), iters=3, warmup=2)
    assert res['iters'] == 3 and res['batch_size'] == 2
    assert res['clips_per_s'] == pytest.approx(3 * 2 / res['seconds'])
    assert res['s_per_iter'] == pytest.approx(res['seconds'] / 3)


def test_too_short_a_run_is_named(demo_data):
    # 8 clips / batch 2 x 2 epochs = 8 iterations
    with pytest.raises(ValueError, match='ended before 12 iterations'):
        time_train_loop(DEMO, _options(demo_data), iters=10, warmup=2)
