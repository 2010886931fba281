# Copyright (c) OpenMMLab. All rights reserved.
"""Labels outside the classifier and class-count mismatches are named."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from mmaction.datasets import VideoDataset
from mmaction.registry import MODELS

from motionmae_mm.engine.hooks.label_check_hook import MotionMAELabelCheckHook
from ..conftest import recognizer_cfg


def _dataset(tmp_path: Path, lines: str) -> VideoDataset:
    ann = tmp_path / 'train.txt'
    ann.write_text(lines)
    return VideoDataset(str(ann), pipeline=[], data_prefix=dict(video=''))


def test_label_outside_range_names_file_and_line(tmp_path):
    dataset = _dataset(tmp_path, 'a.mp4 0\nb.mp4 4\nc.mp4 5\n')
    with pytest.raises(ValueError) as err:
        MotionMAELabelCheckHook.check_dataset(dataset,
                                              'train_dataloader.dataset', 5)
    msg = str(err.value)
    assert msg.startswith(f'{tmp_path}/train.txt:3: label 5 outside [0, 5)')
    assert 'model.cls_head.num_classes=5' in msg and '\n' not in msg
    MotionMAELabelCheckHook.check_dataset(dataset, 'x', 6)  # fits


def test_unlabelled_line_is_named(tmp_path):
    dataset = _dataset(tmp_path, 'a.mp4 0\nb.mp4\n')
    with pytest.raises(ValueError, match=r'train.txt:2: no label'):
        MotionMAELabelCheckHook.check_dataset(dataset, 'val', 5)


def test_blending_class_count_must_match_head():
    cfg = recognizer_cfg(None, num_classes=5)
    cfg['backbone'].pop('init_cfg')
    cfg['data_preprocessor']['blending'] = dict(
        type='RandomBatchAugment',
        augments=[
            dict(type='MixupBlending', alpha=0.8, num_classes=5),
            dict(type='CutmixBlending', alpha=1., num_classes=174)
        ])
    runner = SimpleNamespace(model=MODELS.build(cfg))
    with pytest.raises(
            ValueError,
            match=r'blending.augments\[1\].num_classes=174 but '
            r'model.cls_head.num_classes=5'):
        MotionMAELabelCheckHook().before_run(runner)
