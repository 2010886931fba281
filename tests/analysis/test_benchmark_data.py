# Copyright (c) OpenMMLab. All rights reserved.
"""The data benchmark runs on real and generated clips (no timing
asserts)."""
import json

import pytest

from .conftest import load_tool, parse_line

bench = load_tool('benchmark_data')

DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'


def test_demo_data_without_workers(demo_data, capsys):
    bench.main([
        DEMO, '--num-workers', '0', '--batches', '2', '--batch-size', '2',
        '--cfg-options',
        f'train_dataloader.dataset.ann_file={demo_data}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={demo_data}'
    ])
    res = parse_line(capsys.readouterr().out.strip(), 'benchmark_data')
    assert int(res['clips']) == 4 and float(res['clips_per_s']) > 0
    assert res['num_workers'] == '0'


def test_real_videos_with_workers_and_repeats(shared_videos, capsys):
    bench.main([
        'configs/motionmae_vitb_ssv2.py', '--videos',
        str(shared_videos), '--num-workers', '1', '--batches', '2',
        '--batch-size', '2', '--num-repeats', '2', '--json'
    ])
    res = json.loads(capsys.readouterr().out.strip())
    assert res['clips'] == 2 * 2 * 2 and res['clips_per_s'] > 0
    assert res['num_repeats'] == 2


def test_missing_videos_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no such file'):
        bench.list_videos([str(tmp_path / 'nope')])
    with pytest.raises(FileNotFoundError, match='no videos'):
        bench.list_videos([str(tmp_path)])
