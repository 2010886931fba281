# Copyright (c) OpenMMLab. All rights reserved.
"""What the motion-vs-appearance benchmark compares and reports.

``tools/benchmarks/motion_vs_appearance.py`` pretrains each variant (configs
in ``configs/benchmarks/``, paths relative to the repository) and scores
its encoder; these tables name the variants, the reference row and the
metrics of its table and bar chart.
"""
from typing import Dict, Mapping, Sequence, Tuple

#: Main variants: name -> (config, label in tables and plots).
VARIANTS: Dict[str, Tuple[str, str]] = {
    'videomae_tube': ('configs/benchmarks/videomae_tube_vit-tiny.py',
                      '(a) VideoMAE: tube mask, pixels'),
    'motionmae_shared': ('configs/benchmarks/motionmae_shared_vit-tiny.py',
                         '(b) MotionMAE, shared decoder'),
    'motionmae_independent':
    ('configs/benchmarks/motionmae_independent_vit-tiny.py',
     '(c) MotionMAE, independent decoders'),
    'framewise_pixels': ('configs/benchmarks/framewise_pixels_vit-tiny.py',
                         '(d) frame-wise mask, pixels only'),
    'motionmae_guided': ('configs/benchmarks/motionmae_guided_vit-tiny.py',
                         '(e) MotionMAE, motion-guided mask'),
}
#: Ablations of (b): one motion-target choice changed at a time.
ABLATIONS: Dict[str, Tuple[str, str]] = {
    'motionmae_shared': ('configs/benchmarks/motionmae_shared_vit-tiny.py',
                         '(b) gap 1, normalised, signed'),
    'ablation_gap2': ('configs/benchmarks/ablation_gap2_vit-tiny.py', 'gap 2'),
    'ablation_gap4': ('configs/benchmarks/ablation_gap4_vit-tiny.py', 'gap 4'),
    'ablation_no-norm': ('configs/benchmarks/ablation_no-norm_vit-tiny.py',
                         'no motion normalisation'),
    'ablation_abs':
    ('configs/benchmarks/ablation_abs_vit-tiny.py', 'absolute difference'),
}
#: Reference row: the encoder as initialised, no pretraining.
REFERENCE = 'random_init'
REFERENCE_LABEL = 'random init (no pretraining)'
#: Metrics in the table (key -> column title) and in the bar chart; the
#: final ``loss_<name>`` of every target the runs logged come before the
#: pretraining time (:func:`table_metrics`).
METRICS: Dict[str, str] = {
    'probe_acc': 'linear probe top-1 (%)',
    'probe_t_acc': 'temporal probe top-1 (%)',
    'finetune_acc': 'partial fine-tune top-1 (%)',
    'davis_jf': 'DAVIS J&F (%)',
    'pretrain_s': 'pretrain time (s)',
}
PLOTTED = ('probe_acc', 'probe_t_acc', 'finetune_acc', 'davis_jf')
#: Decimals in the table (the others: 1; a target's loss: 3).
DIGITS = dict(pretrain_s=0)


def table_metrics(runs: Sequence[Mapping]) -> Dict[str, str]:
    """:data:`METRICS` plus ``loss_<name>`` of every target in ``runs``
    (first seen first), named from the target names."""
    losses = dict.fromkeys(
        k for run in runs for k in run if k.startswith('loss_'))
    out = {k: v for k, v in METRICS.items() if k != 'pretrain_s'}
    out.update((k, f'final {k[len("loss_"):]} loss') for k in losses)
    out['pretrain_s'] = METRICS['pretrain_s']
    return out


def table_digits(metrics: Mapping[str, str]) -> Dict[str, int]:
    """Decimals per metric of ``metrics`` (losses 3, see :data:`DIGITS`)."""
    return dict(DIGITS, **{k: 3 for k in metrics if k.startswith('loss_')})
