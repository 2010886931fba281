# Copyright (c) OpenMMLab. All rights reserved.
"""Does the motion target help? Pretrain five variants, probe them.

Variants (configs in ``configs/benchmarks/``, all the tiny demo encoder,
same data, epochs and seeds):

(a) ``videomae_tube``          VideoMAE: tube masking, pixels only
(b) ``motionmae_shared``       MotionMAE, one shared decoder, two heads
(c) ``motionmae_independent``  MotionMAE, one decoder per target
(d) ``framewise_pixels``       frame-wise masking, pixels only (the control)
(e) ``motionmae_guided``       MotionMAE with motion-guided masking

plus a reference row, ``random_init`` (the same encoder, not pretrained).
Each pretrained encoder is then scored, in-process and deterministically:

* linear probe: frozen encoder, final-norm tokens mean-pooled, of fixed
  clips (K evenly spaced per training video, the centred one per val/test
  video); L-BFGS logistic regression, its L2 weight picked on val.txt;
  top-1 on test.txt;
* temporal probe: the same on the pooled features per time slot and their
  changes between slots (mean pooling cannot see time order);
* partial fine-tune: the last encoder block(s) + a linear head trained on
  train.txt, the frozen blocks' output computed once (AdamW, cosine), top-1
  on test.txt;
* DAVIS J&F: DINO label propagation (``configs/vos/``) on the DAVIS
  sample, frames at a reduced short side (skipped if the sample is absent).

Modes: default = the main table (5 variants x 3 seeds); ``--quick`` = 1
seed, shorter schedules; ``--ablation`` = motion-target ablations of (b)
(gap 1/2/4, normalisation, sign), combinable with ``--quick``; ``--smoke``
= seconds-scale check on tiny generated data. Finished runs are cached in
the work dir (keyed by their settings) and reused on a rerun.

Writes ``results.json``, ``results.md`` (mean +- std over seeds),
``results.png`` and ``reconstruction_<variant>.png`` to the work dir and
ends with two lines::

    table: <absolute path>.md
    plot: <absolute path>.png

Example::

    python tools/benchmarks/motion_vs_appearance.py --quick
"""
import argparse
import copy
import datetime
import hashlib
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

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

#: Settings of each mode (command-line options override them).
MODES: Dict[str, Dict] = {
    'full':
    dict(
        seeds=[0, 1, 2],
        epochs=4,
        finetune_epochs=10,
        clips_per_video=2,
        vos_short_side=160),
    'quick':
    dict(
        seeds=[0],
        epochs=1,
        finetune_epochs=6,
        clips_per_video=1,
        vos_short_side=160),
    'smoke':
    dict(
        seeds=[0],
        epochs=1,
        finetune_epochs=1,
        clips_per_video=1,
        vos_short_side=64),
}
#: Benchmark data: the demo generator's default splits (100/20/20 clips per
#: class); the probes need this many training clips to leave chance.
DATA_SPLITS = (100, 20, 20)
SMOKE_SPLITS = (2, 1, 2)
#: Metrics in the table/plot: key -> (column title, in the bar chart).
METRICS: Dict[str, Tuple[str, bool]] = {
    'probe_acc': ('linear probe top-1 (%)', True),
    'probe_t_acc': ('temporal probe top-1 (%)', True),
    'finetune_acc': ('partial fine-tune top-1 (%)', True),
    'davis_jf': ('DAVIS J&F (%)', True),
    'loss_appearance': ('final appearance loss', False),
    'loss_motion': ('final motion loss', False),
    'pretrain_s': ('pretrain time (s)', False),
}


def shared_root() -> str:
    """The project's shared folder (``MOTIONMAE_SHARED`` or ../shared)."""
    return os.environ.get('MOTIONMAE_SHARED',
                          osp.join(osp.dirname(REPO), 'shared'))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        '--quick', action='store_true', help='1 seed, short schedules')
    mode.add_argument(
        '--smoke',
        action='store_true',
        help='seconds-scale check on tiny generated data (tests)')
    parser.add_argument(
        '--ablation',
        action='store_true',
        help='motion-target ablations of (b) instead of the main variants')
    parser.add_argument(
        '--work-dir',
        help='default: work_dirs/benchmarks/'
        'motion_vs_appearance[_ablation][_quick|_smoke]')
    parser.add_argument(
        '--data-root',
        help='demo-style data (built if missing; default data/benchmark, '
        'the work dir\'s data/ with --smoke)')
    parser.add_argument('--variants', nargs='+', help='subset of variants')
    parser.add_argument('--seeds', nargs='+', type=int)
    parser.add_argument('--epochs', type=int, help='pretraining epochs')
    parser.add_argument('--finetune-epochs', type=int)
    parser.add_argument(
        '--finetune-blocks',
        type=int,
        default=1,
        help='last encoder blocks the fine-tune trains (the rest frozen)')
    parser.add_argument(
        '--clips-per-video',
        type=int,
        help='clips per training video for the probes and fine-tune')
    parser.add_argument(
        '--davis-root',
        default=osp.join(shared_root(), 'data', 'davis_sample'),
        help='DAVIS folder for J&F (skipped with a note if absent)')
    parser.add_argument('--no-vos', action='store_true', help='skip DAVIS')
    parser.add_argument(
        '--vos-short-side', type=int, help='VOS frame short side (px)')
    parser.add_argument(
        '--no-reference',
        action='store_true',
        help='skip the random-init reference row')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch threads (default: torch\'s; 1 is faster on a busy '
        'machine)')
    parser.add_argument(
        '--workers', type=int, default=2, help='pretraining data workers')
    parser.add_argument(
        '--force', action='store_true', help='ignore cached runs')
    args = parser.parse_args(argv)
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


# ---------------------------------------------------------------- data


def ensure_data(data_root: str, smoke: bool = False) -> None:
    """Build the benchmark clips with the demo generator if missing.

    Existing data must have the benchmark's split sizes: cached results
    are keyed by the data path, so data built by an older version would
    mix with new runs unnoticed.
    """
    splits = SMOKE_SPLITS if smoke else DATA_SPLITS
    if not osp.isfile(osp.join(data_root, 'test.txt')):
        cmd = [
            sys.executable,
            osp.join(REPO, 'tools/data/build_demo_dataset.py'), '--out-dir',
            data_root, '--splits'
        ] + [str(s) for s in splits]
        if smoke:
            cmd += ['--num-frames', '20', '--no-skvideo']
        subprocess.run(cmd, check=True)
    with open(osp.join(data_root, 'classes.txt')) as f:
        num_classes = sum(1 for line in f if line.strip())
    for split, per_class in zip(('train', 'val', 'test'), splits):
        found = len(read_list(osp.join(data_root, f'{split}.txt'))[0])
        if found != per_class * num_classes:
            raise ValueError(
                f'{data_root}/{split}.txt lists {found} clips, the benchmark '
                f'needs {per_class} per class ({per_class * num_classes}); '
                f'delete {data_root} to rebuild it')


def read_list(path: str) -> Tuple[List[str], List[int]]:
    """Paths and labels of a ``path label`` annotation list."""
    root = osp.dirname(path)
    videos, labels = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                rel, label = line.split()
                videos.append(osp.join(root, rel))
                labels.append(int(label))
    return videos, labels


def load_clips(model: nn.Module, videos: Sequence[str],
               num_clips: int) -> Tensor:
    """``num_clips`` evenly spaced clips of every video, preprocessed.

    Frames are sampled like the model's training pipeline (clip length and
    interval, test mode) and resized to the encoder's input size; the
    model's data preprocessor normalises them.

    Returns:
        Tensor: (N, num_clips, C, T, H, W).
    """
    from motionmae_mm.apis import load_video_inputs
    return torch.stack(
        [load_video_inputs(model, video, num_clips)[0] for video in videos])


# ---------------------------------------------------------------- probes


@torch.no_grad()
def encode(backbone: nn.Module,
           clips: Tensor,
           tuned_blocks: int = 1,
           batch_size: int = 32) -> Tuple[Tensor, Tensor]:
    """Run the frozen encoder on every token of ``clips``, once.

    The pretraining backbone (``use_mean_pooling=False``) would return the
    first token; here all tokens go through, as an all-visible mask does.

    Args:
        clips: (N, C, T, H, W).
        tuned_blocks: how many of the last blocks the fine-tune trains; the
            tokens entering them are returned so they are computed once.

    Returns:
        tuple: ``slots`` (N, T', C), final-norm tokens averaged over space
        per time slot (T' = T / tubelet size), and ``hidden`` (N, L, C),
        the tokens entering the last ``tuned_blocks`` blocks.
    """
    depth = len(backbone.blocks)
    if not 0 <= tuned_blocks <= depth:
        raise ValueError(f'--finetune-blocks {tuned_blocks}: the encoder has '
                         f'{depth} blocks')
    backbone.eval()
    # the backbone's own forward; a hook keeps what enters the tuned part
    entry = backbone.blocks[depth - tuned_blocks] if tuned_blocks \
        else backbone.norm
    hidden: List[Tensor] = []
    handle = entry.register_forward_pre_hook(
        lambda module, inputs: hidden.append(inputs[0]))
    num_slots = backbone.num_frames // backbone.tubelet_size
    slots = []
    try:
        for start in range(0, len(clips), batch_size):
            x = clips[start:start + batch_size]
            mask = torch.zeros(
                len(x), backbone.pos_embed.shape[1], dtype=torch.bool)
            out = backbone(x, mask)  # (B, L, C), t-major
            slots.append(
                out.reshape(len(x), num_slots, -1, out.shape[-1]).mean(2))
    finally:
        handle.remove()
    return torch.cat(slots), torch.cat(hidden)


def mean_features(slots: Tensor) -> Tensor:
    """The standard probe input: mean over all tokens, (N, C)."""
    return slots.mean(1)


def temporal_features(slots: Tensor) -> Tensor:
    """Mean over tokens plus the change between consecutive time slots.

    Mean pooling is blind to time order, and half of the motion classes
    are time reversals of another (left/right, up/down, approach/recede);
    this keeps the order: (N, C * T').
    """
    return torch.cat(
        [slots.mean(1), (slots[:, 1:] - slots[:, :-1]).flatten(1)], 1)


def fit_logistic(x: Tensor,
                 y: Tensor,
                 num_classes: int,
                 weight_decay: float,
                 max_iter: int = 200) -> nn.Linear:
    """Multinomial logistic regression, full-batch L-BFGS from zeros.

    Deterministic (no random init, no sampling). Minimises mean cross
    entropy + ``weight_decay / 2 * ||W||^2``.
    """
    linear = nn.Linear(x.shape[1], num_classes).double()
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    x, y = x.double(), y.long()
    opt = torch.optim.LBFGS(
        linear.parameters(),
        lr=1.,
        max_iter=max_iter,
        history_size=20,
        tolerance_grad=1e-9,
        tolerance_change=1e-12,
        line_search_fn='strong_wolfe')

    def closure() -> Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(linear(x), y)
        loss = loss + weight_decay / 2 * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return linear


def accuracy(logits: Tensor, y: Tensor) -> float:
    """Top-1 accuracy in percent."""
    return float((logits.argmax(1) == y).double().mean() * 100)


def linear_probe(
    train: Tuple[Tensor, Tensor],
    val: Tuple[Tensor, Tensor],
    test: Tuple[Tensor, Tensor],
    num_classes: int,
    weight_decays: Sequence[float] = (1e-4, 1e-3, 1e-2, 1e-1, 1.)
) -> Dict:
    """Logistic regression on standardised features, L2 picked on val.

    Features are standardised with the training mean/std. For every
    ``weight_decays`` value a classifier is fitted on train; the best val
    accuracy (ties: the stronger L2) picks the one scored on test.

    Returns:
        dict: ``acc`` (test top-1 %), ``val_acc``, ``weight_decay``.
    """
    mean = train[0].mean(0, keepdim=True)
    std = train[0].std(0, keepdim=True).clamp(min=1e-6)

    def norm(x: Tensor) -> Tensor:
        return ((x - mean) / std).double()

    best = None
    for wd in sorted(weight_decays, reverse=True):
        clf = fit_logistic(norm(train[0]), train[1], num_classes, wd)
        with torch.no_grad():
            val_acc = accuracy(clf(norm(val[0])), val[1])
        if best is None or val_acc > best[0]:
            best = (val_acc, wd, clf)
    val_acc, wd, clf = best
    with torch.no_grad():
        acc = accuracy(clf(norm(test[0])), test[1])
    return dict(acc=acc, val_acc=val_acc, weight_decay=wd)


class _TopBlocks(nn.Module):
    """The encoder's last blocks and final norm, mean-pooled, affine-free
    BatchNorm, linear: what the partial fine-tune trains.

    The BatchNorm (MAE's probe head) puts the pooled features, which vary
    little between clips, on a unit scale so the head learns at once.
    """

    def __init__(self, backbone: nn.Module, tuned_blocks: int,
                 num_classes: int) -> None:
        super().__init__()
        first = len(backbone.blocks) - tuned_blocks
        self.blocks = nn.Sequential(*copy.deepcopy(backbone.blocks[first:]))
        self.norm = copy.deepcopy(backbone.norm)
        self.bn = nn.BatchNorm1d(backbone.embed_dims, affine=False, eps=1e-6)
        self.fc = nn.Linear(backbone.embed_dims, num_classes)
        nn.init.trunc_normal_(self.fc.weight, std=0.02)
        nn.init.zeros_(self.fc.bias)

    def forward(self, hidden: Tensor) -> Tensor:
        return self.fc(self.bn(self.norm(self.blocks(hidden)).mean(1)))


def finetune(backbone: nn.Module,
             train_hidden: Tensor,
             train_y: Tensor,
             test_hidden: Tensor,
             test_y: Tensor,
             num_classes: int,
             epochs: int,
             seed: int,
             tuned_blocks: int = 1,
             lr: float = 3e-3,
             weight_decay: float = 0.05,
             batch_size: int = 32) -> Dict:
    """Partial fine-tune: train the last ``tuned_blocks`` blocks + head.

    MAE's partial fine-tuning protocol: the lower blocks stay frozen, so
    their output (``hidden`` from :func:`encode`) is computed once and the
    run costs a fraction of an end-to-end fine-tune. Every epoch each
    training video contributes one of its clips, picked at random
    (temporal jitter, the only augmentation). AdamW, linear warm-up over
    the first epoch, cosine to 0. Seeded.

    Args:
        backbone: Encoder whose last blocks are copied (not modified).
        train_hidden: (N, K, L, C) tokens of K clips per training video.
        train_y: (N,) labels.
        test_hidden: (M, L, C) tokens of one clip per test video.
        test_y: (M,) labels.

    Returns:
        dict: ``acc`` (test top-1 %) and ``train_loss`` (last epoch).
    """
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = _TopBlocks(backbone, tuned_blocks, num_classes)
    decay, no_decay = [], []
    for param in model.parameters():
        (no_decay if param.ndim <= 1 else decay).append(param)
    opt = torch.optim.AdamW([
        dict(params=decay, weight_decay=weight_decay),
        dict(params=no_decay, weight_decay=0.)
    ],
                            lr=lr)
    n = len(train_hidden)
    steps_per_epoch = (n + batch_size - 1) // batch_size
    total = max(1, epochs * steps_per_epoch)
    warmup = min(steps_per_epoch, total - 1) if total > 1 else 0

    def lr_at(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return lr * 0.5 * (1 + np.cos(np.pi * progress))

    step, last = 0, float('nan')
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        pick = torch.randint(train_hidden.shape[1], (n, ), generator=gen)
        losses = []
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            for group in opt.param_groups:
                group['lr'] = lr_at(step)
            loss = F.cross_entropy(
                model(train_hidden[idx, pick[idx]]), train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        last = float(np.mean(losses))
    model.eval()
    with torch.no_grad():
        logits = torch.cat([
            model(test_hidden[i:i + 64])
            for i in range(0, len(test_hidden), 64)
        ])
    return dict(acc=accuracy(logits, test_y), train_loss=last)


def davis_jf(backbone_cfg: Dict, checkpoint: str, davis_root: str,
             out_dir: str, short_side: int) -> Dict[str, float]:
    """DAVIS J&F of an encoder checkpoint, DINO label propagation.

    Settings are ``configs/vos/davis2017_label_propagation.py`` with the
    benchmark encoder and frames at ``short_side`` pixels (long side
    floored to a multiple of 64).

    Returns:
        dict: the official global row (``J&F-Mean``, ``J-Mean``, ...), in %.
    """
    from mmengine.config import Config

    from motionmae_mm.evaluation.vos import evaluate_results
    from motionmae_mm.evaluation.vos.runner import DavisSegmenter
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/vos/davis2017_label_propagation.py'))
    cfg.model = copy.deepcopy(backbone_cfg)
    cfg.model.pop('init_cfg', None)
    cfg.frames.short_side = short_side
    segmenter = DavisSegmenter.from_config(cfg, checkpoint)
    names = segmenter.run(davis_root, out_dir, progress=False)
    scores = evaluate_results(
        davis_root, out_dir, sequences=names, progress=False)
    return {k: v * 100 for k, v in scores.global_results().items()}


# ------------------------------------------------------------ pretraining


def set_epochs(cfg, epochs: int) -> None:
    """Pretrain for ``epochs``: warm-up 10% (>= 1 epoch), then cosine."""
    warm = min(max(1, round(epochs * 0.1)), max(epochs - 1, 0))
    cfg.train_cfg.max_epochs = epochs
    schedulers = []
    if warm:
        schedulers.append(
            dict(
                type='LinearLR',
                start_factor=0.01,
                by_epoch=True,
                begin=0,
                end=warm,
                convert_to_iter_based=True))
    schedulers.append(
        dict(
            type='CosineAnnealingLR',
            eta_min_ratio=0.01,
            T_max=epochs - warm,
            by_epoch=True,
            begin=warm,
            end=epochs,
            convert_to_iter_based=True))
    cfg.param_scheduler = schedulers


def load_cfg(variant_cfg: str, data_root: str, epochs: int, seed: int,
             work_dir: str, workers: int):
    """The variant's config, adjusted for one benchmark run."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, variant_cfg))
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.randomness = dict(seed=seed, deterministic=False)
    loader = cfg.train_dataloader
    loader.dataset.ann_file = osp.join(data_root, 'pretrain.txt')
    loader.dataset.data_prefix = dict(video=data_root)
    loader.num_workers = workers
    loader.persistent_workers = workers > 0
    set_epochs(cfg, epochs)
    # only what the benchmark needs: the last checkpoint, sparse logs
    cfg.custom_hooks = [
        h for h in cfg.get('custom_hooks', [])
        if h.get('type') != 'MotionMAEReconstructionHook'
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=epochs, max_keep_ckpts=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=20)
    return cfg


def pretrain(cfg, tag: str) -> Dict:
    """Run the mmengine Runner; final losses, time and the checkpoint."""
    from motionmae_mm.apis import adapt_cfg_to_machine, build_runner
    cfg.experiment_name = tag
    start = time.time()
    runner = build_runner(adapt_cfg_to_machine(cfg))
    runner.train()
    hub = runner.message_hub
    out = dict(pretrain_s=time.time() - start)
    for key in ('loss_appearance', 'loss_motion'):
        if f'train/{key}' in hub.log_scalars:
            out[key] = float(hub.get_scalar(f'train/{key}').mean(10))
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        out['checkpoint'] = osp.abspath(f.read().strip())
    del runner
    return out


# ------------------------------------------------------------ one run


def settings_key(args: argparse.Namespace, variant: str, seed: int) -> str:
    """What makes a cached run reusable: variant config text and settings."""
    cfg_text = ''
    table = {**VARIANTS, **ABLATIONS}
    if variant in table:
        for name in sorted(os.listdir(osp.join(REPO, 'configs/benchmarks'))):
            if name.endswith('.py'):
                with open(osp.join(REPO, 'configs/benchmarks', name)) as f:
                    cfg_text += f.read()
    payload = json.dumps(
        dict(
            variant=variant,
            seed=seed,
            epochs=args.epochs,
            finetune_epochs=args.finetune_epochs,
            finetune_blocks=args.finetune_blocks,
            clips_per_video=args.clips_per_video,
            data_root=osp.abspath(args.data_root),
            vos=None if args.no_vos else args.vos_short_side,
            configs=hashlib.sha1(cfg_text.encode()).hexdigest()),
        sort_keys=True)
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


class EvalData:
    """Clips and labels of train/val/test, decoded once for all runs."""

    def __init__(self, model: nn.Module, data_root: str,
                 clips_per_video: int) -> None:
        start = time.time()
        train_v, train_y = read_list(osp.join(data_root, 'train.txt'))
        val_v, val_y = read_list(osp.join(data_root, 'val.txt'))
        test_v, test_y = read_list(osp.join(data_root, 'test.txt'))
        # (N, K, C, T, H, W)
        self.train = load_clips(model, train_v, clips_per_video)
        self.val = load_clips(model, val_v, 1)[:, 0]
        self.test = load_clips(model, test_v, 1)[:, 0]
        self.train_y = torch.tensor(train_y)
        self.val_y = torch.tensor(val_y)
        self.test_y = torch.tensor(test_y)
        self.num_classes = int(max(train_y + val_y + test_y)) + 1
        print(f'eval clips: train {len(train_v)} x {clips_per_video}, '
              f'val {len(val_v)}, test {len(test_v)}, '
              f'{self.num_classes} classes '
              f'({time.time() - start:.0f} s)')


def evaluate(model: nn.Module, checkpoint: str, data: EvalData,
             args: argparse.Namespace, seed: int, run_dir: str) -> Dict:
    """Probe, fine-tune and (optionally) DAVIS of one encoder."""
    out = {}
    start = time.time()
    backbone = model.backbone
    n, k = data.train.shape[:2]
    (train_slots, train_hidden), (val_slots, _), (test_slots, test_hidden) = [
        encode(backbone, clips, args.finetune_blocks)
        for clips in (data.train.flatten(0, 1), data.val, data.test)
    ]
    splits = ((train_slots, data.train_y.repeat_interleave(k)),
              (val_slots, data.val_y), (test_slots, data.test_y))
    for name, pool in (('probe', mean_features), ('probe_t',
                                                  temporal_features)):
        probe = linear_probe(*[(pool(z), y) for z, y in splits],
                             data.num_classes)
        out.update({
            f'{name}_acc': probe['acc'],
            f'{name}_val_acc': probe['val_acc'],
            f'{name}_weight_decay': probe['weight_decay']
        })
    ft = finetune(backbone, train_hidden.unflatten(0, (n, k)), data.train_y,
                  test_hidden, data.test_y, data.num_classes,
                  args.finetune_epochs, seed, args.finetune_blocks)
    out.update(finetune_acc=ft['acc'], finetune_train_loss=ft['train_loss'])
    if not args.no_vos and osp.isdir(args.davis_root):
        jf = davis_jf(model.cfg.model.backbone, checkpoint, args.davis_root,
                      osp.join(run_dir, 'davis'), args.vos_short_side)
        out.update(
            davis_jf=jf['J&F-Mean'],
            davis_j=jf['J-Mean'],
            davis_f=jf['F-Mean'])
    out['eval_s'] = time.time() - start
    return out


def run_one(args: argparse.Namespace, variant: str, cfg_path: str, seed: int,
            data_holder: Dict) -> Dict:
    """Pretrain (unless cached) and evaluate one variant x seed."""
    from motionmae_mm.apis import init_model
    run_dir = osp.join(args.work_dir, variant, f'seed{seed}')
    key = settings_key(args, variant, seed)
    cache = osp.join(run_dir, 'metrics.json')
    if not args.force and osp.isfile(cache):
        with open(cache) as f:
            cached = json.load(f)
        if cached.get('key') == key:
            print(f'[{variant} seed {seed}] cached: {cache}')
            return cached
    os.makedirs(run_dir, exist_ok=True)
    cfg = load_cfg(cfg_path, args.data_root, args.epochs, seed, run_dir,
                   args.workers)
    print(
        f'[{variant} seed {seed}] pretraining {args.epochs} epochs '
        f'-> {run_dir}',
        flush=True)
    if variant == REFERENCE:
        torch.manual_seed(seed)
        model = init_model(cfg)
        checkpoint = osp.join(run_dir, 'init.pth')
        torch.save(dict(state_dict=model.state_dict()), checkpoint)
        result = dict(checkpoint=checkpoint, pretrain_s=0.)
    else:
        result = pretrain(cfg, f'{variant}_seed{seed}_{time.time():.0f}')
        model = init_model(cfg, result['checkpoint'])
    if 'data' not in data_holder:
        data_holder['data'] = EvalData(model, args.data_root,
                                       args.clips_per_video)
    result.update(
        evaluate(model, result['checkpoint'], data_holder['data'], args, seed,
                 run_dir))
    result.update(variant=variant, seed=seed, key=key, config=cfg_path)
    with open(cache, 'w') as f:
        json.dump(result, f, indent=1)
    print(
        f'[{variant} seed {seed}] ' +
        ', '.join(f'{k} {result[k]:.2f}' for k in METRICS if k in result),
        flush=True)
    return result


# ------------------------------------------------------------ reporting


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


def aggregate(runs: Sequence[Dict], order: Sequence[str]) -> Dict:
    """Per variant and metric: the values over seeds, mean and std."""
    summary = {}
    for variant in order:
        rows = [r for r in runs if r['variant'] == variant]
        if not rows:
            continue
        entry = dict(seeds=[r['seed'] for r in rows])
        for metric in METRICS:
            values = [r[metric] for r in rows if metric in r]
            if values:
                mean, std = mean_std(values)
                entry[metric] = dict(values=values, mean=mean, std=std)
        summary[variant] = entry
    return summary


def markdown_table(summary: Dict, labels: Dict[str, str]) -> str:
    """The results as a Markdown table (mean ± std over seeds)."""
    metrics = [
        m for m in METRICS if any(m in entry for entry in summary.values())
    ]
    head = ['variant', 'seeds'] + [METRICS[m][0] for m in metrics]
    lines = [
        '| ' + ' | '.join(head) + ' |',
        '|' + '|'.join(['---'] + ['---:'] * (len(head) - 1)) + '|'
    ]
    for variant, entry in summary.items():
        cells = [labels.get(variant, variant), str(len(entry['seeds']))]
        for metric in metrics:
            digits = 0 if metric == 'pretrain_s' else \
                3 if metric.startswith('loss') else 1
            values = entry.get(metric, {}).get('values', [])
            cells.append(format_mean_std(values, digits))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def bar_chart(summary: Dict, labels: Dict[str, str], path: str,
              title: str) -> None:
    """One panel per accuracy-like metric, a bar per variant, ± std."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    metrics = [
        m for m, (_, plot) in METRICS.items()
        if plot and any(m in e for e in summary.values())
    ]
    variants = list(summary)
    colours = plt.get_cmap('tab10').colors
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(4.2 * len(metrics), 4.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
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
        ax.set_title(METRICS[metric][0], fontsize=10)
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


def reconstruction_picture(cfg_path: str, checkpoint: str, video: str,
                           path: str) -> None:
    """Original / masked / reconstruction (/ motion) rows of one clip."""
    from mmengine.config import Config

    from motionmae_mm.apis import init_model, load_video_inputs
    from motionmae_mm.visualization import (make_grid, reconstruction_rows,
                                            save_image)
    model = init_model(Config.fromfile(osp.join(REPO, cfg_path)), checkpoint)
    torch.manual_seed(0)
    rows = reconstruction_rows(model, load_video_inputs(model, video))
    save_image(path, make_grid(rows))


def main(argv: Optional[List[str]] = None) -> Dict:
    """Entry point; returns the summary written to results.json."""
    args = parse_args(argv)
    warnings.filterwarnings('ignore')
    import motionmae_mm  # noqa: F401  (registers modules)
    from motionmae_mm.utils import register_all_modules
    register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    ensure_data(args.data_root, args.smoke)
    table = ABLATIONS if args.ablation else VARIANTS
    labels = {v: table[v][1] for v in args.variants}
    plan = [(v, table[v][0]) for v in args.variants]
    if not args.no_reference and not args.ablation:
        plan.append((REFERENCE, table[args.variants[0]][0]))
        labels[REFERENCE] = REFERENCE_LABEL
    vos_note = None
    if args.no_vos:
        vos_note = 'DAVIS J&F skipped (--no-vos)'
    elif not osp.isdir(args.davis_root):
        vos_note = f'DAVIS J&F skipped: {args.davis_root} not found'
    if vos_note:
        print(f'note: {vos_note}')
    runs, holder = [], {}
    for seed in args.seeds:
        for variant, cfg_path in plan:
            runs.append(run_one(args, variant, cfg_path, seed, holder))
    order = [v for v, _ in plan]
    summary = aggregate(runs, order)

    pictures = {}
    test_videos = read_list(osp.join(args.data_root, 'test.txt'))[0]
    video = next((v for v in test_videos if '/right_' in v), test_videos[0])
    for variant, cfg_path in plan:
        first = next(r for r in runs if r['variant'] == variant)
        if variant == REFERENCE:
            continue
        pic = osp.abspath(
            osp.join(args.work_dir, f'reconstruction_{variant}.png'))
        reconstruction_picture(cfg_path, first['checkpoint'], video, pic)
        pictures[variant] = pic

    wall = time.time() - start
    command = 'python tools/benchmarks/motion_vs_appearance.py ' + ' '.join(
        argv if argv is not None else sys.argv[1:])
    title = (f'{"ablation" if args.ablation else "motion vs appearance"}, '
             f'{args.mode}: {args.epochs} pretraining epochs, '
             f'{len(args.seeds)} seed(s), mean ± std')
    table_md = markdown_table(summary, labels)
    header = [
        f'# {title}', '', f'Command: `{command.strip()}`', '',
        f'Date: {datetime.date.today().isoformat()}; wall time '
        f'{wall / 60:.1f} min; {platform.node()} '
        f'({os.cpu_count()} CPUs, torch threads '
        f'{torch.get_num_threads()}).', '',
        f'Data: {osp.abspath(args.data_root)}; {args.clips_per_video} '
        f'clip(s) per training video; fine-tune of the last '
        f'{args.finetune_blocks} block(s), {args.finetune_epochs} epochs; '
        f'DAVIS short side {args.vos_short_side} px.', ''
    ]
    if vos_note:
        header += [f'Note: {vos_note}.', '']
    md_path = osp.abspath(osp.join(args.work_dir, 'results.md'))
    with open(md_path, 'w') as f:
        f.write('\n'.join(header) + '\n' + table_md)
    png_path = osp.abspath(osp.join(args.work_dir, 'results.png'))
    bar_chart(summary, labels, png_path, title)
    result = dict(
        command=command.strip(),
        date=datetime.datetime.now().isoformat(timespec='seconds'),
        wall_s=wall,
        mode=args.mode,
        ablation=args.ablation,
        settings=dict(
            epochs=args.epochs,
            finetune_epochs=args.finetune_epochs,
            finetune_blocks=args.finetune_blocks,
            clips_per_video=args.clips_per_video,
            seeds=args.seeds,
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


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
