# Copyright (c) OpenMMLab. All rights reserved.
"""Pretrain on moving digits, score the encoder, cache both.

One run = one config plus ``--cfg-options``; its folder is named after the
variant and a hash of the fully resolved config (bases merged, options
applied), so an edit anywhere in the config's chain starts a new run while
an interrupted one resumes from its last checkpoint. Scores are cached
beside the checkpoint, per evaluation setting.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from mmengine.config import Config

from ..apis import init_model
from ..apis.pretrain import pretrain
from ..evaluation.few_label import digit_set, few_label_eval, preprocess
from ..evaluation.health import representation_health
from ..evaluation.loss_floor import loss_and_floor
from ..utils import read_checkpoint
from .build import PIXELS_ONLY, load_config
from .run_cache import config_key

#: Seed stream of the clips health and loss floors are read on.
_HEALTH_STREAM = 104


def pretrain_cached(config: str,
                    cfg_options: Sequence[str],
                    work_root: str,
                    name: str,
                    seed: int = 0) -> Dict:
    """Pretrain once (resuming an interrupted run); the run's record.

    Returns:
        dict: ``work_dir``, ``checkpoint``, ``losses`` (last logged),
        ``seconds`` (this session's training wall time) and ``key``.
    """
    cfg = load_config(config, [*cfg_options, f'randomness.seed={seed}'])
    key = config_key(cfg)
    work_dir = osp.join(work_root, f'{name}-s{seed}-{key}')
    record = osp.join(work_dir, 'pretrain.json')
    if osp.isfile(record):
        with open(record) as f:
            return json.load(f)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.resume = osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    result = pretrain(cfg)
    result.update(work_dir=work_dir, key=key, config=config,
                  cfg_options=list(cfg_options), seed=seed)
    return _write_json(record, result)


def score_encoder(config: str,
                  cfg_options: Sequence[str],
                  checkpoint: Optional[str],
                  evaluation: dict,
                  seed: int = 0) -> Dict:
    """Health, loss vs floor and the few-label figures of one encoder.

    ``checkpoint=None`` scores the config's model at random init (seeded
    with ``seed``). ``evaluation['render']``, when given, overrides clip
    arguments for the probes only (e.g. ``num_digits=(1, 1)``: no
    distractors); health and losses use the training clips.
    """
    cfg = load_config(config, cfg_options)
    render = render_args(cfg)
    probe = dict(evaluation)
    probe_render = dict(render, **probe.pop('render', {}))
    torch.manual_seed(seed)
    model = init_model(cfg, checkpoint)
    frames, _ = digit_set('identity', 4, 'heldout', [_HEALTH_STREAM], render)
    clips = preprocess(model, frames)
    out = dict(health=representation_health(model.backbone, clips))
    out.update(loss_and_floor(model, clips))
    out['few_label'] = few_label_eval(model, render=probe_render, **probe)
    return out


def render_args(cfg: Config) -> dict:
    """The clip arguments of the config's ``MovingDigitsDataset`` (size,
    frames, background...), so scoring clips look like training ones."""
    dataset = dict(cfg.train_dataloader.dataset)
    for key in ('type', 'num_clips', 'task', 'seed', 'fresh', 'pipeline',
                'test_mode', 'split'):
        dataset.pop(key, None)
    return dataset


def score_cached(run: Dict, evaluation: dict, tag: str) -> Dict:
    """:func:`score_encoder` of a pretraining run, cached in its folder."""
    path = osp.join(run['work_dir'], f'scores-{tag}.json')
    if osp.isfile(path):
        with open(path) as f:
            return json.load(f)
    scores = score_encoder(run['config'], run['cfg_options'],
                           run['checkpoint'], evaluation)
    return _write_json(path, scores)


def random_init_cached(config: str, cfg_options: List[str], work_root: str,
                       evaluation: dict, tag: str, seed: int = 0) -> Dict:
    """:func:`score_encoder` at random init, cached under ``work_root``."""
    cfg = load_config(config, cfg_options)
    path = osp.join(work_root,
                    f'random-s{seed}-{config_key(cfg)}-scores-{tag}.json')
    if osp.isfile(path):
        with open(path) as f:
            return json.load(f)
    os.makedirs(work_root, exist_ok=True)
    return _write_json(
        path, score_encoder(config, cfg_options, None, evaluation, seed))


def _write_json(path: str, data: Dict) -> Dict:
    """Write ``data`` atomically; return it as read back (string keys), so
    a fresh result and a cached one look the same."""
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(path + '.tmp', path)
    with open(path) as f:
        return json.load(f)


#: The digits pretraining config every variant starts from.
DIGITS_CONFIG = 'configs/digits/motionmae_vit-tiny_digits.py'

#: Recipe variants: one change each against the digits config, in the
#: order the sweep runs them (the levers that mattered first).
RECIPE_VARIANTS: Dict[str, List[str]] = {
    'base': [],
    'no-qk-norm': ['model.backbone.qk_norm=False', 'model.neck.qk_norm=False'],
    'no-motion': PIXELS_ONLY,
    'lr1.5e-3': ['optim_wrapper.optimizer.lr=1.5e-3'],
    'lr3e-4': ['optim_wrapper.optimizer.lr=3e-4'],
    'lr-per-256': ['optim_wrapper.optimizer.lr=3.75e-5'],  # 1.5e-4 * 64/256
    'frame0.75': ['model.mask_generator.mask_ratio=0.75'],
    'tube0.75': ['model.mask_generator.type=TubeMaskGenerator',
                 'model.mask_generator.mask_ratio=0.75'],
    'frame0.9': ['model.mask_generator.mask_ratio=0.9'],
    'tube0.9': ['model.mask_generator.type=TubeMaskGenerator',
                'model.mask_generator.mask_ratio=0.9'],
    'no-patch-norm': ['model.targets.appearance.norm_pix=False',
                      'model.targets.motion.norm_pix=False'],
    'layerscale': ['model.backbone.init_values=0.1'],
    'fixed-set': ['train_dataloader.dataset.fresh=False'],
    'batch16': ['train_dataloader.batch_size=16',
                'train_dataloader.dataset.num_clips=1600'],
    'decoder4x192': ['model.neck.depth=4', 'model.neck.embed_dims=192',
                     'model.neck.num_heads=6'],
    'warmup3': ['param_scheduler.warmup=3'],
    'wd0': ['optim_wrapper.optimizer.weight_decay=0'],
}

#: The few-label comparison: the two methods (random init is scored too).
METHOD_VARIANTS: Dict[str, List[str]] = {
    'motionmae': [],
    'videomae': [*PIXELS_ONLY, 'model.mask_generator.type=TubeMaskGenerator'],
}


def recipe_row(name: str, scores: Dict, seconds: float) -> Dict:
    """One row of the recipe table: losses vs floors, health, probe."""
    health = scores['health']
    entropies = [v for k, v in health.items() if k.startswith('attn_')]
    probe = scores['few_label']['probe']
    row = dict(variant=name)
    for key in scores:
        if key.startswith('loss_'):
            target = key[len('loss_'):]
            row[target] = (f'{scores[key]:.3f} / '
                           f'{scores[f"floor_{target}"]:.3f}')
    row.update(
        token_cosine=f'{health["token_cosine"]:.3f}',
        token_rank=f'{health["token_rank"]:.1f}',
        clip_rank=f'{health["clip_rank"]:.1f}',
        clip_share=f'{health["clip_share"]:.3f}',
        attn_entropy=f'{min(entropies):.2f}-{max(entropies):.2f}')
    for k, accs in probe.items():
        row[f'probe@{k}'] = f'{sum(accs) / len(accs):.1f}'
    row['minutes'] = f'{seconds / 60:.1f}'
    return row


def markdown(rows: Sequence[Dict]) -> str:
    """Rows (dicts with the same keys, in order) as a markdown table."""
    keys = list(rows[0])
    for row in rows:
        keys += [k for k in row if k not in keys]
    lines = ['| ' + ' | '.join(keys) + ' |', '|' + '---|' * len(keys)]
    lines += [
        '| ' + ' | '.join(str(row.get(k, '')) for k in keys) + ' |'
        for row in rows
    ]
    return '\n'.join(lines) + '\n'


def label_curves(results: Mapping[str, Dict],
                 kind: str = 'probe') -> Dict[str, Dict[int, List[float]]]:
    """Per encoder (variant, seeds pooled), labels per class -> the
    accuracies of every seed and label draw (``kind``: ``'probe'`` or
    ``'finetune'``). ``results`` maps ``'<variant>/s<seed>'`` (or
    ``'random_init'``) to its scores."""
    curves: Dict[str, Dict[int, List[float]]] = {}
    for key, scores in results.items():
        name = key.split('/')[0]
        for k, accs in scores['few_label'][kind].items():
            curves.setdefault(name, {}).setdefault(int(k), []).extend(accs)
    return curves


def pretrained_steps(run: Dict) -> int:
    """Optimizer iterations of a pretraining run, from its checkpoint."""
    return int(read_checkpoint(run['checkpoint'])['meta']['iter'])


def steps_curves(results: Sequence[Tuple[str, int, Dict]],
                 shots: int,
                 kind: str = 'probe') -> Dict[str, Dict[int, List[float]]]:
    """Per variant, pretraining steps -> the accuracies at ``shots``
    labels per class of every seed and label draw. ``results`` holds
    ``(variant, steps, scores)`` per run; ``kind`` as in
    :func:`label_curves`."""
    curves: Dict[str, Dict[int, List[float]]] = {}
    for name, steps, scores in results:
        accs = scores['few_label'][kind][str(shots)]
        curves.setdefault(name, {}).setdefault(steps, []).extend(accs)
    return curves


def few_label_rows(results: Mapping[str, Dict]) -> List[Dict]:
    """Table rows: per encoder, mean ± std of the probe at every label
    count and of the fine-tune, over seeds and draws."""
    from ..evaluation.summary import format_mean_std
    rows = []
    probes, tunes = label_curves(results), label_curves(results, 'finetune')
    for name, points in probes.items():
        row = dict(encoder=name)
        row.update({
            f'probe@{k}': format_mean_std(points[k])
            for k in sorted(points)
        })
        row.update({
            f'fine-tune@{k}': format_mean_std(accs)
            for k, accs in sorted(tunes.get(name, {}).items())
        })
        row['runs'] = len(points[min(points)])
        rows.append(row)
    return rows
