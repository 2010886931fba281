# Copyright (c) OpenMMLab. All rights reserved.
"""Accuracy curves: against labels per class, or against pretraining steps."""
from typing import Dict, List, Mapping, Optional


def plot_accuracy_curves(curves: Mapping[str, Dict[int, List[float]]],
                         path: str,
                         title: str,
                         chance: float,
                         xlabel: str = 'labelled clips per class',
                         baselines: Optional[Mapping[str,
                                                     List[float]]] = None
                         ) -> None:
    """One line per encoder: mean accuracy (± std over runs) against ``x``
    (log axis, ticks at the measured ``x``), flat ``baselines`` and chance
    drawn, as a PNG.

    Args:
        curves: Encoder name -> {x (labels per class, or pretraining
            steps): accuracies of its runs}.
        path: The PNG to write.
        title: The figure's title.
        chance: Chance accuracy in percent.
        xlabel: What ``x`` counts.
        baselines: Name -> accuracies of an encoder that does not depend
            on ``x`` (random init against pretraining steps): a dashed
            line at their mean.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for name, points in curves.items():
        xs = sorted(points)
        means = [np.mean(points[x]) for x in xs]
        stds = [np.std(points[x], ddof=min(1, len(points[x]) - 1))
                for x in xs]
        ax.errorbar(xs, means, yerr=stds, marker='o', capsize=3, label=name)
    for name, accs in (baselines or {}).items():
        ax.axhline(np.mean(accs), color='black', linestyle='--', label=name)
    ax.axhline(chance, color='grey', linestyle=':', label='chance')
    ax.set_xscale('log')
    ticks = sorted({x for points in curves.values() for x in points})
    ax.set_xticks(ticks, [f'{x:,}' for x in ticks])
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel('test top-1 (%)')
    ax.set_title(title, fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
