# Copyright (c) OpenMMLab. All rights reserved.
"""tools/demo_finetune.py: option plumbing and its one-line errors (the
chain it runs is tested at toy size in test_test_tool.py)."""

import pytest

from ..conftest import REPO
from ..tool_process import load_tool, run_tool

TOOL = REPO / 'tools' / 'demo_finetune.py'


def _run(*args):
    return run_tool(TOOL, *args, timeout=60)


def test_data_options_point_every_split_at_the_root():
    assert load_tool(TOOL).data_options('/d') == [
        'train_dataloader.dataset.ann_file=/d/train.txt',
        'train_dataloader.dataset.data_prefix.video=/d',
        'val_dataloader.dataset.ann_file=/d/val.txt',
        'val_dataloader.dataset.data_prefix.video=/d',
        'test_dataloader.dataset.ann_file=/d/test.txt',
        'test_dataloader.dataset.data_prefix.video=/d',
    ]


@pytest.mark.parametrize('make_ckpt', [False, True])
def test_missing_inputs_are_one_line_errors(tmp_path, make_ckpt):
    ckpt = tmp_path / 'pre.pth'
    if make_ckpt:
        ckpt.write_bytes(b'')
    proc = _run('--checkpoint', ckpt, '--data-root', tmp_path / 'data',
                '--work-dir', tmp_path / 'work')
    assert proc.returncode == 1
    expected = (f'error: {tmp_path}/data/test.txt not found' if make_ckpt
                else f'error: --checkpoint {ckpt} does not exist')
    assert proc.stderr.strip().startswith(expected), proc.stderr
    assert proc.stderr.strip().count('\n') == 0
