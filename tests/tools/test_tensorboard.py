# Copyright (c) OpenMMLab. All rights reserved.
"""tools/train.py --tensorboard: the real tensorboard reads the events back."""
import io
import json

import numpy as np
import pytest
from PIL import Image

from .test_faults import run_train

event_accumulator = pytest.importorskip(
    'tensorboard.backend.event_processing.event_accumulator',
    reason='tensorboard is a test dependency (requirements/tests.txt)')


def test_tensorboard_holds_losses_lr_and_reconstructions(demo_data, tmp_path):
    proc = run_train(demo_data, tmp_path, '--tensorboard', epochs=1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    vis = next(tmp_path.glob('*/vis_data'))
    events = list(vis.glob('events.out.tfevents.*'))
    assert len(events) == 1
    acc = event_accumulator.EventAccumulator(
        str(vis), size_guidance={event_accumulator.IMAGES: 0})
    acc.Reload()

    # the same numbers as the local scalars.json, step for step
    local = [json.loads(line) for line in
             (vis / 'scalars.json').read_text().splitlines()]
    for tag in ('loss', 'loss_motion', 'lr', 'skipped_videos'):
        expected = {r['step']: r[tag] for r in local if tag in r}
        got = {e.step: e.value for e in acc.Scalars(tag)}
        assert sorted(got) == sorted(expected), tag
        for step, value in expected.items():
            assert got[step] == pytest.approx(value, rel=1e-6), (tag, step)
    assert sorted(e.step for e in acc.Scalars('loss')) == [1, 2]

    # the reconstruction hook's grid, pixel for pixel the local PNG
    (image, ) = acc.Images('reconstruction')
    assert image.step == 2
    got = np.asarray(Image.open(io.BytesIO(image.encoded_image_string)))
    want = np.asarray(
        Image.open(vis / 'vis_image' / 'reconstruction_2.png'))
    assert got.shape == want.shape and np.array_equal(got, want)


def test_wandb_without_the_package_is_one_error_line(demo_data, tmp_path):
    try:
        import wandb  # noqa: F401
        pytest.skip('wandb is installed here')
    except ImportError:
        pass
    proc = run_train(demo_data, tmp_path, '--wandb')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        'error: --wandb needs the wandb package, which is not installed: '
        'pip install wandb (--traceback for details)')
