# Copyright (c) OpenMMLab. All rights reserved.
"""The digits benchmark: cached and resumable runs, scores of both kinds,
curves against labels and against pretraining steps."""
import json

import numpy as np
from PIL import Image

from motionmae_mm.analysis.digits_benchmark import (DIGITS_CONFIG,
                                                    pretrain_cached,
                                                    pretrained_steps,
                                                    random_init_cached,
                                                    recipe_row, score_cached,
                                                    steps_curves)
from motionmae_mm.visualization import plot_accuracy_curves
from ..conftest import REPO
from ..tool_process import load_tool, run_tool

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
    assert pretrained_steps(first) == 2  # 8 clips, 4 per step

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


def test_summary_names_every_override_of_its_runs():
    name = load_tool(REPO / 'tools' / 'benchmarks' /
                     'moving_digits.py').summary_name
    assert name('few-label', 'identity', None, []) == 'few-label-identity'
    assert name('few-label', 'identity', [128], []) == \
        'few-label-identity-epochs128'
    assert name('recipe', 'direction', [16, 64], []) == \
        'recipe-direction-epochs16-64'
    mask = name('few-label', 'identity', [16], ['a.b=0.75'])
    assert mask.startswith('few-label-identity-epochs16-options')
    assert len({mask, name('few-label', 'identity', [16], ['a.b=0.9'])}) == 2


def test_unknown_variant_is_one_error_line():
    out = run_tool('tools/benchmarks/moving_digits.py', '--variants', 'nope')
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert lines[-1].startswith('error: ') and 'nope' in lines[-1], lines


def _scores(probe20: list, finetune20: list) -> dict:
    return dict(few_label=dict(probe={'5': [0.], '20': probe20},
                               finetune={'20': finetune20}))


def test_steps_curves_pool_seeds_and_draws_per_budget(tmp_path):
    runs = [('a', 1600, _scores([10., 12.], [20.])),
            ('a', 1600, _scores([14., 16.], [22.])),  # seed 1
            ('a', 6400, _scores([30., 32.], [40.])),
            ('b', 6400, _scores([50., 52.], [60.]))]
    assert steps_curves(runs, 20) == {
        'a': {1600: [10., 12., 14., 16.], 6400: [30., 32.]},
        'b': {6400: [50., 52.]}}
    assert steps_curves(runs, 20, 'finetune')['a'] == {1600: [20., 22.],
                                                       6400: [40.]}
    images = []
    for name, baselines in (('plain', None), ('flat', {'random': [11.]})):
        path = tmp_path / f'{name}.png'
        plot_accuracy_curves(steps_curves(runs, 20), str(path), 'steps',
                             10., xlabel='pretraining steps',
                             baselines=baselines)
        with Image.open(path) as image:
            assert image.size == (int(5.5 * 120), int(4.2 * 120))
            images.append(np.asarray(image.convert('L')))
    assert (images[0] != images[1]).any()  # the random init line is drawn
