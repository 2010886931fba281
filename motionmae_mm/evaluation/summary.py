# Copyright (c) OpenMMLab. All rights reserved.
"""Results over seeds: mean ± std per variant and metric, as Markdown.

A run is a flat dict (``variant``, ``seed`` and one number per metric);
:func:`aggregate` groups runs by variant, :func:`markdown_table` writes the
table. The bar chart of the same summary is
:func:`motionmae_mm.visualization.bar_chart`.
"""
import os.path as osp
from typing import Dict, Mapping, Optional, Sequence, Tuple

import numpy as np


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return float('nan'), float('nan')
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.
    return float(arr.mean()), std


def format_mean_std(values: Sequence[float], digits: int = 1) -> str:
    """``'61.2 ± 2.3'`` over seeds; a single value without the ``±``."""
    if len(values) == 0:
        return '–'
    mean, std = mean_std(values)
    if len(values) == 1:
        return f'{mean:.{digits}f}'
    return f'{mean:.{digits}f} ± {std:.{digits}f}'


def aggregate(runs: Sequence[Mapping], order: Sequence[str],
              metrics: Sequence[str]) -> Dict:
    """Per variant (in ``order``) and metric: values over seeds, mean, std.

    Returns:
        dict: ``{variant: {'seeds': [...], metric: {'values', 'mean',
        'std'}}}``; variants without runs and metrics no run has are left
        out.
    """
    summary = {}
    for variant in order:
        rows = [r for r in runs if r['variant'] == variant]
        if not rows:
            continue
        entry = dict(seeds=[r['seed'] for r in rows])
        for metric in metrics:
            values = [r[metric] for r in rows if metric in r]
            if values:
                mean, std = mean_std(values)
                entry[metric] = dict(values=values, mean=mean, std=std)
        summary[variant] = entry
    return summary


def markdown_table(summary: Mapping,
                   labels: Mapping[str, str],
                   columns: Mapping[str, str],
                   digits: Optional[Mapping[str, int]] = None) -> str:
    """The summary as a Markdown table (mean ± std over seeds).

    Args:
        summary: From :func:`aggregate`.
        labels: Row title of each variant (default: its name).
        columns: Column title of each metric, in column order; metrics no
            variant has are left out.
        digits: Decimals of each metric (default 1).
    """
    digits = digits or {}
    metrics = [
        m for m in columns if any(m in entry for entry in summary.values())
    ]
    head = ['variant', 'seeds'] + [columns[m] for m in metrics]
    lines = [
        '| ' + ' | '.join(head) + ' |',
        '|' + '|'.join(['---'] + ['---:'] * (len(head) - 1)) + '|'
    ]
    for variant, entry in summary.items():
        cells = [labels.get(variant, variant), str(len(entry['seeds']))]
        for metric in metrics:
            values = entry.get(metric, {}).get('values', [])
            cells.append(format_mean_std(values, digits.get(metric, 1)))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def write_summary(
        work_dir: str,
        summary: Mapping,
        labels: Mapping[str, str],
        columns: Mapping[str, str],
        plotted: Sequence[str],
        title: str,
        notes: Sequence[str] = (),
        digits: Optional[Mapping[str, int]] = None) -> Tuple[str, str, str]:
    """Write ``results.md`` (title, notes, table) and ``results.png``.

    Args:
        work_dir: Folder of both files.
        summary, labels, columns, digits: As in :func:`markdown_table`.
        plotted: The metrics of ``columns`` the bar chart shows.
        title: Heading of the Markdown file and title of the chart.
        notes: Paragraphs between the heading and the table.

    Returns:
        tuple: Absolute paths of the table and the plot, and the table.
    """
    from ..visualization import bar_chart
    table = markdown_table(summary, labels, columns, digits)
    lines = [f'# {title}', '']
    for note in notes:
        lines += [note, '']
    md_path = osp.abspath(osp.join(work_dir, 'results.md'))
    with open(md_path, 'w') as f:
        f.write('\n'.join(lines) + '\n' + table)
    png_path = osp.abspath(osp.join(work_dir, 'results.png'))
    bar_chart(summary, labels, {m: columns[m]
                                for m in plotted}, png_path, title)
    return md_path, png_path, table
