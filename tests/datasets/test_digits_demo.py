# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo`'s moving-digits files: lists, labels and exact frames."""
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose

from motionmae_mm.datasets import make_demo_dataset
from motionmae_mm.datasets.digits_demo import (DIRECTION_NAMES,
                                               build_digits_demo,
                                               ensure_digits_demo)
from motionmae_mm.datasets.moving_digits import render_moving_digits
from ..conftest import REPO

DEMO = REPO / 'configs/demo/motionmae_vit-tiny_digits-demo.py'
COUNTS = dict(train=2, val=1, test=1, pretrain=3)


@pytest.fixture(scope='module')
def digits_demo(tmp_path_factory):
    root = tmp_path_factory.mktemp('digits_demo')
    build_digits_demo(str(root), counts=COUNTS, log=None)
    return root


def test_lists_are_path_label_with_one_class_per_direction(digits_demo):
    assert (digits_demo / 'classes.txt').read_text().split() == list(
        DIRECTION_NAMES)
    train = (digits_demo / 'train.txt').read_text().splitlines()
    assert len(train) == 2 * 8
    labels = [int(line.split(' ')[1]) for line in train]
    assert sorted(labels) == sorted(list(range(8)) * 2)
    assert train[1] == 'train/north-east/north-east_0000.mp4 1'
    assert len((digits_demo / 'test.txt').read_text().splitlines()) == 8
    assert (digits_demo / 'pretrain.txt').read_text().splitlines() == [
        'pretrain/00000.mp4', 'pretrain/00001.mp4', 'pretrain/00002.mp4'
    ]


@pytest.mark.parametrize('split,digits', [('train', 'train'),
                                          ('test', 'heldout')])
def test_the_configs_pipeline_gives_back_the_rendered_frames(
        digits_demo, split, digits):
    """Decoded through the demo config's own pipeline, bit for bit; test
    clips show held-out digit images, moving in the labelled direction."""
    cfg = Config.fromfile(DEMO)
    pipeline = Compose(cfg.train_dataloader.dataset.pipeline[:-2])
    line = (digits_demo / f'{split}.txt').read_text().splitlines()[5]
    rel, label = line.split(' ')
    data = pipeline(
        dict(filename=str(digits_demo / rel), start_index=0, modality='RGB'))
    stream = dict(train=1, test=3)[split]
    expected, labels = render_moving_digits(
        [0, stream, int(label), 0], split=digits, direction=int(label),
        size=16, num_frames=4, digit_size=8)
    assert labels['direction'] == int(label) == 5
    assert np.array_equal(np.stack(data['imgs']), expected)


def test_a_folder_of_other_demo_clips_is_refused(tmp_path):
    make_demo_dataset(
        str(tmp_path), counts=dict(train=1, val=1, test=1), num_frames=4,
        size=32, patterns=('left', 'right'), use_skvideo=False, log=None)
    with pytest.raises(ValueError, match=r"holds 'textured' clips, this run "
                       r"needs 'digits' ones; delete .* to rebuild it"):
        ensure_digits_demo(str(tmp_path))
