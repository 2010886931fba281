# Copyright (c) OpenMMLab. All rights reserved.
"""Per-rank memory of training, DDP vs FSDP2, ViT-B/L/H/g.

Two tables, each figure labelled with how it was obtained:

* counted (always): weights + gradients + AdamW state per rank, from the
  parameter shapes of each pretraining config built on the meta device
  (:mod:`motionmae_mm.analysis.state_memory`);
* measured (``--measure``): ``tools/train.py`` under torchrun trains the
  configs of ``--measure-models`` for a few steps on this machine (gloo on
  CPU, NCCL on GPUs) with DDP, FSDP2 and FSDP2 with activation
  checkpointing, and each rank records the state it holds, the peak memory
  of a step and the step time (:mod:`motionmae_mm.analysis.step_memory`).

Results are cached in ``--out`` (the counted table per configs and ranks,
each measured run per model, strategy, ranks, batch and device) and printed
from there; ``--force`` recounts and measures again.

    python tools/analysis/fsdp_memory.py [--ranks 1 2 8]
    python tools/analysis/fsdp_memory.py --measure \\
        [--measure-models ViT-B/16 ViT-L/16] [--measure-ranks 2]
"""
import argparse
import json
import os.path as osp
import sys
from pathlib import Path
from typing import Dict, List, Optional

import torch

from motionmae_mm.analysis.state_memory import count_state
from motionmae_mm.analysis.step_memory import measure_step_memory
from motionmae_mm.utils import register_all_modules
from motionmae_mm.utils.cli import add_traceback_flag, user_errors

CONFIGS = {
    'ViT-B/16': 'configs/motionmae_vitb_ssv2.py',
    'ViT-L/16': 'configs/motionmae_vitl_ssv2.py',
    'ViT-H/14': 'configs/motionmae_vith_ssv2.py',
    'ViT-g/14': 'configs/motionmae_vitg_ssv2.py',
}
#: The strategies a measured run compares (the config's ``strategy`` key).
STRATEGIES = {
    'DDP': None,
    'FSDP2': dict(type='FSDP2', activation_checkpointing=False),
    'FSDP2 + checkpointing': dict(type='FSDP2', activation_checkpointing=True),
}
REPO = Path(__file__).resolve().parents[2]


def counted_table(results: Dict[str, dict], ranks: List[int]) -> str:
    """The counted results as a markdown table (GiB per rank)."""
    head = ['model', 'params'] + [f'DDP {n}' for n in ranks
                                  ] + [f'FSDP2 {n}' for n in ranks]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in results.items():
        cells = [name, f'{row["params"] / 1e6:.0f} M']
        cells += [f'{row["ddp"][str(n)]:.2f}' for n in ranks]
        cells += [f'{row["fsdp"][str(n)]:.2f}' for n in ranks]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def measured_table(runs: Dict[str, dict]) -> str:
    """The measured runs as a markdown table, each against DDP's run of the
    same model, ranks, batch and device."""
    head = ['model', 'strategy', 'ranks', 'batch/rank', 'device',
            'params', 'grads', 'AdamW', 'state', 'state / DDP',
            'peak step', 'step s', 'step / DDP']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for key, run in runs.items():
        ddp = runs.get(key.replace(f'|{run["strategy"]}|', '|DDP|'))
        cells = [run['model'], run['strategy'], str(run['ranks']),
                 str(run['batch_size']), run['device']]
        cells += [f'{run[k]:.2f}' for k in ('params', 'grads', 'optimizer',
                                              'state')]
        cells.append(f'{run["state"] / ddp["state"]:.2f}' if ddp else '-')
        cells += [f'{run["peak"]:.2f}', f'{run["seconds"]:.2f}']
        cells.append(f'{run["seconds"] / ddp["seconds"]:.2f}' if ddp
                     else '-')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def missing_runs(args: argparse.Namespace, cached: Dict[str, dict]):
    """``(key, model, strategy name, ranks)`` of every requested run that
    ``cached`` lacks (all of them with ``--force``)."""
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() \
        else 'CPU'
    for model in args.measure_models:
        for ranks in args.measure_ranks:
            for name in STRATEGIES:
                key = f'{model}|{name}|{ranks}|{args.batch_size}|{device}'
                if args.force or key not in cached:
                    yield key, dict(model=model, strategy=name, ranks=ranks,
                                    batch_size=args.batch_size, device=device)


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ranks', type=int, nargs='+', default=[1, 2, 8])
    parser.add_argument('--out', default='docs/results/fsdp_memory.json')
    parser.add_argument(
        '--force', action='store_true',
        help='recount and measure again even if --out holds the results')
    parser.add_argument(
        '--measure', action='store_true',
        help='also train a few steps per strategy and measure them')
    parser.add_argument(
        '--measure-models', nargs='+', default=['ViT-B/16', 'ViT-L/16'],
        choices=sorted(CONFIGS))
    parser.add_argument('--measure-ranks', type=int, nargs='+', default=[2])
    parser.add_argument(
        '--batch-size', type=int, default=1, help='clips per rank and step')
    parser.add_argument(
        '--work-dir', default='work_dirs/benchmarks/fsdp_memory',
        help='logs and records of the measured runs')
    return add_traceback_flag(parser).parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    with user_errors(args.traceback):
        cache = {}
        if osp.isfile(args.out):
            with open(args.out) as f:
                cache = {k: v for k, v in json.load(f).items()
                         if k in ('counted', 'measured')}
        wanted = dict(configs=CONFIGS, ranks=args.ranks)
        counted = cache.get('counted', {})
        if counted.get('key') != wanted or args.force:
            register_all_modules()
            configs = {k: str(REPO / v) for k, v in CONFIGS.items()}
            cache['counted'] = dict(
                key=wanted, results=count_state(configs, args.ranks))
            _save(args.out, cache)
        measured = cache.setdefault('measured', {})
        runs = list(missing_runs(args, measured)) if args.measure else []
        for key, run in runs:
            print(f'measuring {key}', flush=True)
            folder = key.replace('|', '_').replace('/', '-').replace(' ', '')
            measured[key] = dict(
                run, **measure_step_memory(
                    str(REPO / CONFIGS[run['model']]),
                    osp.join(args.work_dir, folder),
                    STRATEGIES[run['strategy']], run['ranks'],
                    run['batch_size']))
            _save(args.out, cache)
    print('weights + gradients + AdamW state per rank, GiB (counted)')
    print(counted_table(cache['counted']['results'], args.ranks))
    if measured:
        print('\nper rank, GiB and seconds (measured: tools/train.py under '
              'torchrun; peak step = resident memory of the process on CPU, '
              'memory allocated by torch on a GPU)')
        print(measured_table(measured))
    return 0


def _save(path: str, cache: dict) -> None:
    with open(path, 'w') as f:
        json.dump(cache, f, indent=1)


if __name__ == '__main__':
    sys.exit(main())
