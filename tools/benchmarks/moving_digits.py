# Copyright (c) OpenMMLab. All rights reserved.
"""Does pretraining help? Recipe sweep and few-label benchmark on digits.

Pretrains the tiny MotionMAE of ``configs/digits/`` on moving digits
(rendered on the fly, no download) and scores each encoder next to the
same encoder at random init (:mod:`motionmae_mm.analysis.digits_benchmark`):
loss vs its predict-zero floor, representation health, and a frozen linear
probe (and a fine-tune of the last block) with few labels per class.

Presets:

* ``recipe``: one change per variant against the digits config
  (``RECIPE_VARIANTS``), one seed, probe at 20 labels per class;
* ``few-label``: MotionMAE and VideoMAE (tube, appearance only), seeds 0
  and 1, probe at 5/20/100 labels per class over 3 label draws,
  fine-tune at 20; writes ``few-label-<task>.png`` (accuracy vs labels).

``--task`` picks the label the probes score (``identity`` of the moving
digit, its ``direction`` or ``speed``); the pretraining runs are shared.

Runs and scores are cached under the work dir, keyed by the resolved
config: a rerun reuses them and an interrupted pretraining resumes.
``--epochs`` overrides the config's ``train_cfg.max_epochs`` (printed).
Each summary (``<preset>-<task>[-epochs...][-options<hash>].json``, ``.md``
and plots) is named after the overrides of its runs.
Several budgets (``--epochs 16,64,128``) train each variant at each, and
the few-label preset adds ``...-steps-probe.png`` and
``...-steps-finetune.png``: accuracy at 20 labels per class against
pretraining steps, random init drawn flat.

Examples::

    python tools/benchmarks/moving_digits.py --preset recipe --epochs 10
    python tools/benchmarks/moving_digits.py --preset few-label \
        --variants motionmae --seeds 0 --epochs 16,64,128
"""
import argparse
import hashlib
import json
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

from motionmae_mm.analysis.digits_benchmark import (DIGITS_CONFIG,
                                                    METHOD_VARIANTS,
                                                    RECIPE_VARIANTS,
                                                    few_label_rows,
                                                    label_curves, markdown,
                                                    pretrain_cached,
                                                    pretrained_steps,
                                                    random_init_cached,
                                                    recipe_row, score_cached,
                                                    steps_curves)
from motionmae_mm.analysis.run_cache import config_key
from motionmae_mm.datasets.moving_digits import TASKS
from motionmae_mm.utils.cli import add_traceback_flag, user_errors
from motionmae_mm.visualization import plot_accuracy_curves

#: Every evaluation setting is named here, so the cache tag covers it.
_SCORING = dict(draws=3, finetune_epochs=15,
                test_per_class=30, val_per_class=10)
PRESETS = {
    'recipe':
    dict(
        variants=RECIPE_VARIANTS,
        seeds=[0],
        evaluation=dict(shots=[20], finetune_shots=[], **_SCORING)),
    'few-label':
    dict(
        variants=METHOD_VARIANTS,
        seeds=[0, 1],
        evaluation=dict(
            shots=[5, 20, 100], finetune_shots=[20], **_SCORING)),
}


def integers(text: str) -> List[int]:
    """``'16,64,128'`` -> ``[16, 64, 128]``."""
    return [int(x) for x in text.split(',')]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--preset', choices=sorted(PRESETS), default='recipe')
    parser.add_argument(
        '--variants', help='comma-separated subset (default: all)')
    parser.add_argument('--config', default=DIGITS_CONFIG)
    parser.add_argument(
        '--epochs',
        type=integers,
        help='override train_cfg.max_epochs; several, comma-separated '
        '(16,64,128), also plot accuracy against pretraining steps')
    parser.add_argument(
        '--seeds',
        type=integers,
        help='comma-separated pretraining seeds (preset default)')
    parser.add_argument(
        '--task', choices=TASKS, default='identity',
        help='label the probes score (pretraining is the same)')
    parser.add_argument(
        '--probe-digits', type=int, nargs=2, metavar=('MIN', 'MAX'),
        help='digits per probe clip (pretraining keeps the config\'s); '
        '1 1: the mover alone, no distractors')
    parser.add_argument(
        '--finetune-blocks', type=int, default=1,
        help='last encoder blocks the fine-tune trains (6: all of the '
        'digits encoder); 1 is MAE\'s partial fine-tune')
    parser.add_argument(
        '--finetune-lr', type=float, default=3e-3,
        help='peak learning rate of the fine-tune')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides for every variant')
    parser.add_argument(
        '--work-dir', default='work_dirs/benchmarks/moving_digits')
    return add_traceback_flag(parser).parse_args()


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        run(args)


def run(args: argparse.Namespace) -> None:
    preset = PRESETS[args.preset]
    variants = preset['variants']
    if args.variants:
        unknown = set(args.variants.split(',')) - set(variants)
        if unknown:
            raise ValueError(f'--variants: unknown {sorted(unknown)}; '
                             f'choose from {sorted(variants)}')
        variants = {k: variants[k] for k in args.variants.split(',')}
    seeds = args.seeds or preset['seeds']
    budgets = args.epochs or [None]
    if args.cfg_options:
        print(f'overriding for every variant: {" ".join(args.cfg_options)}')
    evaluation = dict(preset['evaluation'], task=args.task)
    if (args.finetune_blocks, args.finetune_lr) != (1, 3e-3):
        evaluation.update(finetune_blocks=args.finetune_blocks,
                          finetune_lr=args.finetune_lr)
    if args.probe_digits:
        evaluation['render'] = dict(num_digits=tuple(args.probe_digits))
    report(args, evaluation, budgets,
           *train_and_score(args, variants, seeds, budgets, evaluation))


def train_and_score(args: argparse.Namespace, variants: dict, seeds: list,
                    budgets: list, evaluation: dict) -> tuple:
    """Every variant and seed at every budget (cached), and random init
    once; returns the results by name (with several budgets, each run's
    ``variant`` and ``steps`` too) and the table rows."""
    # scores are cached per preset and evaluation setting
    tag = f'{args.preset}-{config_key(Config(evaluation))[:8]}'
    results, rows = {}, []
    for epochs in budgets:
        common = list(args.cfg_options)
        if epochs:
            common.append(f'train_cfg.max_epochs={epochs}')
            print(f'overriding for every variant: train_cfg.max_epochs='
                  f'{epochs}')
        if not results:  # random init: the same at every budget
            random = random_init_cached(args.config, common, args.work_dir,
                                        evaluation, tag)
            results['random_init'] = dict(scores=random)
            rows.append(recipe_row('random init', random, 0.))
        for name, options in variants.items():
            for seed in seeds:
                run_ = pretrain_cached(args.config, [*common, *options],
                                       args.work_dir, name, seed)
                result = dict(run=run_, scores=score_cached(
                    run_, evaluation, tag))
                label = name
                if len(budgets) > 1:
                    result.update(variant=name,
                                  steps=pretrained_steps(run_))
                    label = f'{name}, {result["steps"]} steps'
                results[f'{label}/s{seed}'] = result
                rows.append(
                    recipe_row(f'{label} (seed {seed})', result['scores'],
                               run_['seconds']))
                print(markdown(rows[-1:]).splitlines()[-1], flush=True)
    return results, rows


def summary_name(preset: str, what: str, epochs: Optional[List[int]],
                 cfg_options: List[str]) -> str:
    """The summary's file name: each override of the runs in it, so that
    runs with other epochs or options write beside it, not over it
    (``--cfg-options`` by a hash; the table lists them)."""
    name = f'{preset}-{what}'
    if epochs:
        name += '-epochs' + '-'.join(map(str, epochs))
    if cfg_options:
        options = ' '.join(cfg_options).encode()
        name += '-options' + hashlib.sha1(options).hexdigest()[:8]
    return name


def report(args: argparse.Namespace, evaluation: dict, budgets: list,
           results: dict, rows: list) -> None:
    """Write the results (JSON), the table (markdown) and the plots,
    named after the preset, task and evaluation setting."""
    os.makedirs(args.work_dir, exist_ok=True)
    what = args.task
    if args.probe_digits:
        what += '-digits{}-{}'.format(*args.probe_digits)
    if 'finetune_blocks' in evaluation:
        what += f'-ft{args.finetune_blocks}-lr{args.finetune_lr:g}'
    name = summary_name(args.preset, what, args.epochs, args.cfg_options)
    with open(osp.join(args.work_dir, f'{name}.json'), 'w') as f:
        json.dump(results, f, indent=1)
    table = osp.abspath(osp.join(args.work_dir, f'{name}.md'))
    text = markdown(rows)
    if args.cfg_options:
        text = f'options: {" ".join(args.cfg_options)}\n\n' + text
    if args.preset == 'few-label':
        scores = {k: v['scores'] for k, v in results.items()}
        text += '\n' + markdown(few_label_rows(scores))
        runs = [(v['variant'], v['steps'], v['scores'])
                for v in results.values() if 'steps' in v]
        plot_few_label(osp.join(args.work_dir, name), what, scores, runs,
                       evaluation['finetune_shots'][0])
    with open(table, 'w') as f:
        f.write(text)
    print(text)
    print(f'table: {table}')


def plot_few_label(prefix: str, what: str, scores: dict, runs: list,
                   shots: int) -> None:
    """Accuracy against labels per class (``<prefix>.png``); given
    ``(variant, steps, scores)`` runs, also the accuracy at ``shots``
    labels per class against pretraining steps
    (``<prefix>-steps-{probe,finetune}.png``)."""
    random = scores['random_init']['few_label']
    chance = 100. / random['classes']
    plot = osp.abspath(f'{prefix}.png')
    plot_accuracy_curves(label_curves(scores), plot,
                         f'moving digits, {what}: frozen linear probe',
                         chance)
    print(f'plot: {plot}')
    if not runs:
        return
    for kind, title in (('probe', 'frozen linear probe'),
                        ('finetune', 'fine-tune')):
        plot = osp.abspath(f'{prefix}-steps-{kind}.png')
        plot_accuracy_curves(
            steps_curves(runs, shots, kind), plot,
            f'moving digits, {what}: {title},\n{shots} labels per class',
            chance, xlabel='pretraining steps',
            baselines={'random init': random[kind][str(shots)]})
        print(f'plot: {plot}')


if __name__ == '__main__':
    main()
