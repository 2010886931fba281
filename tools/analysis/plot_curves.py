# Copyright (c) OpenMMLab. All rights reserved.
"""Plot loss curves (by default every target's ``loss_<name>``) from an
mmengine log.

Reads the scalars log mmengine writes next to every run
(``WORK_DIR/<timestamp>/vis_data/<timestamp>.json``: one JSON object per
line with ``step`` = iteration and the logged values). Given a work dir,
every run in it is read in timestamp order and a later run overrides the
steps it repeats, so a resumed training gives one continuous curve
(``--last-run`` reads only the newest). Needs matplotlib.

Example::

    python tools/analysis/plot_curves.py work_dirs/demo --out curves.png
"""
import argparse
import json
import os
import os.path as osp
import sys
from glob import glob
from typing import Dict, List, Optional

from motionmae_mm.analysis.scalars import read_scalars
from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'log', help='work dir, or a vis_data/*.json scalars log')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=None,
        help='logged values to plot (default: every loss_<name> term, one '
        'per target of model.targets)')
    parser.add_argument('--out', required=True, help='output image (.png)')
    parser.add_argument(
        '--smooth',
        type=int,
        default=1,
        help='moving-average window in logged points (1 = raw)')
    parser.add_argument('--logy', action='store_true', help='log-scale y')
    parser.add_argument(
        '--last-run',
        action='store_true',
        help='only the newest run of a work dir')
    parser.add_argument('--title', default=None)
    parser.add_argument(
        '--floor',
        nargs='+',
        default=[],
        metavar='NAME=VALUE',
        help='dashed reference lines, e.g. the predict-the-mean floor of a '
        "normalised loss: --floor 'appearance floor=0.9922'")
    return add_traceback_flag(parser).parse_args()


def parse_floors(items: List[str]) -> Dict[str, float]:
    """``NAME=VALUE`` strings -> {name: value}."""
    floors = {}
    for item in items:
        name, sep, value = item.rpartition('=')
        try:
            floors[name] = float(value)
        except ValueError:
            sep = ''
        if not sep or not name:
            raise UserError(f'--floor {item!r}: expected NAME=VALUE with a '
                            'number, e.g. "appearance floor=0.9922"')
    return floors


def find_logs(path: str, last_run: bool = False) -> List[str]:
    """Scalars logs of ``path`` (a work dir or a json file), oldest first."""
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise UserError(f'no such work dir or log: {path}')
    logs = sorted(
        p for p in glob(osp.join(path, '*', 'vis_data', '*.json'))
        if osp.basename(p) != 'scalars.json')  # scalars.json is a copy
    if not logs:  # a vis_data dir itself, or a log from elsewhere
        logs = sorted(glob(osp.join(path, '*.json')))
    if not logs:
        raise UserError(f'no mmengine scalars log (*/vis_data/*.json) '
                         f'under {path}')
    return logs[-1:] if last_run else logs


def available_keys(logs: List[str]) -> List[str]:
    """Numeric keys found in the logs, for error messages."""
    found = set()
    for log in logs:
        with open(log) as f:
            for line in f:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                found.update(k for k, v in record.items()
                             if isinstance(v, (int, float)))
    return sorted(found - {'step'})


def moving_average(values: List[float], window: int) -> List[float]:
    """Trailing mean over up to ``window`` points."""
    out, total = [], 0.
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot(curves: Dict[str, Dict[int, float]],
         out: str,
         smooth: int = 1,
         logy: bool = False,
         title: str = '',
         floors: Optional[Dict[str, float]] = None) -> None:
    """Draw each curve against the iteration (and ``floors`` as dashed
    horizontal lines) and save ``out``."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UserError(
            'plot_curves needs matplotlib: '
            'pip install matplotlib (or -r requirements/tests.txt)')
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for key, points in curves.items():
        steps = sorted(points)
        values = [points[s] for s in steps]
        if smooth > 1:
            line, = ax.plot(steps, values, alpha=0.3, linewidth=0.8)
            ax.plot(
                steps,
                moving_average(values, smooth),
                color=line.get_color(),
                label=f'{key} (mean of {smooth})')
        else:
            ax.plot(steps, values, label=key)
    for name, value in (floors or {}).items():
        ax.axhline(value, color='grey', linestyle='--', linewidth=1,
                   label=f'{name} ({value:g})')
    ax.set_xlabel('iteration')
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel('value')
    if logy:
        ax.set_yscale('log')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        plot_run(args)


def plot_run(args: argparse.Namespace) -> None:
    """Read the logs, draw the curves, print a summary per curve."""
    if args.smooth < 1:
        raise UserError(f'--smooth={args.smooth} must be at least 1')
    floors = parse_floors(args.floor)
    logs = find_logs(args.log, args.last_run)
    keys = args.keys or [
        k for k in available_keys(logs) if k.startswith('loss_')
    ]
    curves = read_scalars(logs, keys)
    for key in [k for k, v in curves.items() if not v]:
        print(f'warning: {key} is not in {", ".join(logs)}', file=sys.stderr)
        del curves[key]
    if not curves:
        raise UserError(f'none of {keys} is in {", ".join(logs)}; '
                         f'logged keys: {available_keys(logs)}')
    out = osp.abspath(args.out)
    os.makedirs(osp.dirname(out), exist_ok=True)
    title = args.title or osp.basename(osp.normpath(args.log))
    plot(curves, out, args.smooth, args.logy, title, floors)
    for key, points in curves.items():
        steps = sorted(points)
        print(f'{key}: {len(steps)} points, iter {steps[0]}-{steps[-1]}, '
              f'first {points[steps[0]]:.4f}, last {points[steps[-1]]:.4f}')
    print(f'curves: {out}')


if __name__ == '__main__':
    main()
