# Copyright (c) OpenMMLab. All rights reserved.
"""Label-efficiency plot: accuracy against labelled clips per class."""
from typing import Dict, List, Mapping


def plot_label_efficiency(curves: Mapping[str, Dict[int, List[float]]],
                          path: str, title: str, chance: float) -> None:
    """One line per encoder: mean accuracy (± std over runs) against the
    labels per class (log axis), with chance drawn, as a PNG.

    Args:
        curves: Encoder name -> {labels per class: accuracies of its runs}.
        path: The PNG to write.
        title: The figure's title.
        chance: Chance accuracy in percent.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for name, points in curves.items():
        shots = sorted(points)
        means = [np.mean(points[k]) for k in shots]
        stds = [np.std(points[k], ddof=min(1, len(points[k]) - 1))
                for k in shots]
        ax.errorbar(shots, means, yerr=stds, marker='o', capsize=3,
                    label=name)
    ax.axhline(chance, color='grey', linestyle=':', label='chance')
    ax.set_xscale('log')
    ax.set_xlabel('labelled clips per class')
    ax.set_ylabel('test top-1 (%)')
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
