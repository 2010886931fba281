# Copyright (c) OpenMMLab. All rights reserved.
"""Bar chart of results over seeds: one panel per metric, ± std bars."""
from typing import Mapping

import numpy as np


def bar_chart(summary: Mapping, labels: Mapping[str, str],
              metrics: Mapping[str, str], path: str, title: str) -> None:
    """One panel per metric, a bar per variant (mean, ± std), as a PNG.

    Args:
        summary: From :func:`motionmae_mm.evaluation.summary.aggregate`.
        labels: Tick label of each variant (default: its name).
        metrics: Panel title of each metric to plot, in panel order;
            metrics no variant has are left out.
        path: The PNG to write.
        title: The figure's title.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    panels = [m for m in metrics if any(m in e for e in summary.values())]
    variants = list(summary)
    colours = plt.get_cmap('tab10').colors
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4.2 * len(panels), 4.2), squeeze=False)
    for ax, metric in zip(axes[0], panels):
        means = [
            summary[v].get(metric, {}).get('mean', np.nan) for v in variants
        ]
        stds = [summary[v].get(metric, {}).get('std', 0.) for v in variants]
        xs = np.arange(len(variants))
        ax.bar(
            xs,
            means,
            yerr=stds,
            capsize=3,
            color=[colours[i % len(colours)] for i in range(len(variants))])
        for x, m in zip(xs, means):
            if np.isfinite(m):
                ax.text(x, m, f'{m:.1f}', ha='center', va='bottom', fontsize=7)
        ax.set_title(metrics[metric], fontsize=10)
        ax.set_xticks(xs)
        ax.set_xticklabels([labels.get(v, v) for v in variants],
                           rotation=35,
                           ha='right',
                           fontsize=7)
        ax.grid(axis='y', alpha=.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
