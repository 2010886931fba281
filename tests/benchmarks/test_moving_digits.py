# Copyright (c) OpenMMLab. All rights reserved.
"""The digits benchmark: cached and resumable runs, scores of both kinds."""
import json

from motionmae_mm.analysis.digits_benchmark import (DIGITS_CONFIG,
                                                    pretrain_cached,
                                                    random_init_cached,
                                                    recipe_row, score_cached)
from ..conftest import REPO
from ..tool_process import run_tool

TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1', 'train_dataloader.batch_size=4',
    'train_dataloader.dataset.num_clips=8', 'train_cfg.max_epochs=1',
    'custom_hooks=[]'
]
EVALUATION = dict(shots=[2], draws=1, finetune_shots=[2], finetune_epochs=1,
                  test_per_class=2, val_per_class=1)


def test_runs_are_cached_by_resolved_config_and_scored(tmp_path):
    config = str(REPO / DIGITS_CONFIG)
    first = pretrain_cached(config, TINY, str(tmp_path), 'tiny')
    again = pretrain_cached(config, TINY, str(tmp_path), 'tiny')
    assert again == first  # read back, not retrained
    other = pretrain_cached(config, [*TINY, 'optim_wrapper.optimizer.lr=1e-4'],
                            str(tmp_path), 'tiny')
    assert other['work_dir'] != first['work_dir']
    assert first['checkpoint'].endswith('epoch_1.pth')

    scores = score_cached(first, EVALUATION, 't')
    assert scores == json.loads(
        (tmp_path / first['work_dir'] / 'scores-t.json').read_text())
    assert set(scores['few_label']['probe']) == {'2'}
    assert set(scores['few_label']['finetune']) == {'2'}
    for name in ('appearance', 'motion'):
        assert 0 < scores[f'loss_{name}'] and 0 < scores[f'floor_{name}']
    assert 0 < scores['health']['token_rank'] <= 32
    # a probe-only render (no distractors) leaves health and losses alone
    alone = score_cached(
        first, dict(EVALUATION, render=dict(num_digits=(1, 1))), 't1')
    assert alone['health'] == scores['health']
    assert alone['loss_appearance'] == scores['loss_appearance']
    random = random_init_cached(config, TINY, str(tmp_path), EVALUATION, 't')
    assert random['health'] != scores['health']
    row = recipe_row('tiny', scores, first['seconds'])
    assert row['probe@2'] == f"{scores['few_label']['probe']['2'][0]:.1f}"


def test_unknown_variant_is_one_error_line():
    out = run_tool('tools/benchmarks/moving_digits.py', '--variants', 'nope')
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert lines[-1].startswith('error: ') and 'nope' in lines[-1], lines
