# Copyright (c) OpenMMLab. All rights reserved.
"""Time one pretraining step (forward + backward + optimizer) of a config.

The step is the config's own: ``model.train_step`` with the config's optim
wrapper (``AmpOptimWrapper`` becomes fp32 ``OptimWrapper`` without a GPU),
on a synthetic uint8 batch of the configured clip size, masks drawn by the
model. In the same run a large fp32 GEMM measures the machine's matmul
peak; rounds interleave the GEMM and every timed step, so load that comes
and goes touches all of them alike. Medians over rounds are reported.

Options that add comparisons, timed in the same rounds:

* ``--compare-appearance-only``: the same config with the motion target
  removed (``model.head.motion_weight=0``).
* ``--videomae-root DIR``: a checkout of VideoMAE's official code
  (github.com/MCG-NJU/VideoMAE; nothing of it is shipped here). Its
  ``PretrainVisionTransformer`` with this config's sizes is stepped the way
  its ``engine_for_pretraining.py`` does: targets from the whole clip
  (per-patch normalised) then gathered at the masked tokens under
  ``no_grad``, MSE, ``torch.optim.AdamW`` with its parameter groups. timm is
  not needed: if it is absent, the four helpers VideoMAE imports from it
  are provided in-process.

Each step's process CPU time is reported next to its wall time
(``*_cpu_s``): on a machine shared with other work it is the steadier
signal; the contract figures are wall-clock.

FLOPs: ``torch.utils.flop_counter`` on one step (2 per multiply-add,
backward included, fused attention counted as plain attention; see
``get_flops.py``). Peak memory: the process's peak RSS after our own
warm-up (CPU; measured before any comparison model is built) or
``torch.cuda.max_memory_allocated`` (GPU).

Prints one line ``benchmark_pretrain: key=value ...`` (``--json``: one JSON
object). Example::

    python tools/analysis/benchmark_pretrain.py \\
        configs/motionmae_vitb_ssv2.py --batch-size 2 --steps 5 \\
        --warmup 1 --compare-appearance-only \\
        --videomae-root /tmp/videomae_ref
"""
import argparse
import importlib
import importlib.util
import os.path as osp
import resource
import statistics
import sys
import time
import types
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from get_flops import build_model, clip_shape, count_flops  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark a MotionMAE pretraining step')
    parser.add_argument('config', help='pretraining config file')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument(
        '--steps', type=int, default=5, help='timed rounds (medians)')
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed steps per model')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cpu or cuda')
    parser.add_argument(
        '--compare-appearance-only',
        action='store_true',
        help='also time the config with the motion target removed')
    parser.add_argument(
        '--videomae-root',
        default=None,
        help='checkout of github.com/MCG-NJU/VideoMAE to time its '
        'pretraining step beside ours')
    parser.add_argument(
        '--gemm-size',
        type=int,
        default=4096,
        help='side of the square fp32 GEMM measuring the matmul peak')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile train_step, as mmengine does for compile=True')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    return parser.parse_args(argv)


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _timed(fn: Callable[[], None], device: torch.device) -> float:
    return _timed_cpu(fn, device)[0]


def _timed_cpu(fn: Callable[[], None],
               device: torch.device) -> Tuple[float, float]:
    """Wall-clock and process CPU seconds of ``fn``."""
    _sync(device)
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    _sync(device)
    return time.perf_counter() - start, time.process_time() - cpu


class GemmPeak:
    """fp32 matmul throughput of a square GEMM, in FLOP/s."""

    def __init__(self, size: int, device: torch.device) -> None:
        self.size = size
        self.device = device
        self.a = torch.randn(size, size, device=device)
        self.b = torch.randn(size, size, device=device)
        self.out = torch.empty(size, size, device=device)

    def __call__(self) -> float:
        seconds = _timed(lambda: torch.mm(self.a, self.b, out=self.out),
                         self.device)
        return 2 * self.size**3 / seconds


class OurStep:
    """One ``train_step`` of a config's model and optim wrapper."""

    def __init__(self, config: str, cfg_options: Optional[list],
                 batch_size: int, device: torch.device,
                 compile_step: bool) -> None:
        from mmengine.optim import build_optim_wrapper

        from motionmae_mm.apis import adapt_cfg_to_machine
        model, cfg = build_model(config, cfg_options)
        cfg = adapt_cfg_to_machine(cfg)
        self.model = model.to(device).train()
        self.optim_wrapper = build_optim_wrapper(self.model, cfg.optim_wrapper)
        self.shape = clip_shape(self.model)
        gen = torch.Generator().manual_seed(0)
        clips = torch.randint(
            0,
            256, (batch_size, 1, *self.shape),
            generator=gen,
            dtype=torch.uint8)
        self.data = dict(inputs=list(clips), data_samples=None)
        self.batch_size = batch_size
        self.train_step = self.model.train_step
        if compile_step or cfg.get('compile', False):
            self.train_step = torch.compile(self.model.train_step)

    @property
    def tokens_per_clip(self) -> int:
        backbone = self.model.backbone
        return (backbone.num_frames // backbone.tubelet_size *
                backbone.grid_size[0] * backbone.grid_size[1])

    def __call__(self) -> None:
        self.train_step(self.data, self.optim_wrapper)


def _timm_shim() -> None:
    """The four timm helpers VideoMAE imports, if timm is not installed."""
    if importlib.util.find_spec('timm') is not None:
        return

    def drop_path(x: torch.Tensor,
                  drop_prob: float = 0.,
                  training: bool = False) -> torch.Tensor:
        if drop_prob == 0. or not training:
            return x
        keep = 1 - drop_prob
        shape = (x.shape[0], ) + (1, ) * (x.ndim - 1)
        return x * x.new_empty(shape).bernoulli_(keep) / keep

    def to_2tuple(x):
        return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

    timm = types.ModuleType('timm')
    models = types.ModuleType('timm.models')
    layers = types.ModuleType('timm.models.layers')
    registry = types.ModuleType('timm.models.registry')
    layers.drop_path = drop_path
    layers.to_2tuple = to_2tuple
    layers.trunc_normal_ = nn.init.trunc_normal_
    registry.register_model = lambda fn: fn
    timm.models, models.layers, models.registry = models, layers, registry
    sys.modules.update({
        'timm': timm,
        'timm.models': models,
        'timm.models.layers': layers,
        'timm.models.registry': registry
    })


def _import_videomae(root: str) -> types.ModuleType:
    """VideoMAE's ``modeling_pretrain`` from a checkout, by file path (the
    checkout is not put on ``sys.path``, so its ``utils.py``,
    ``datasets.py`` etc. shadow nothing)."""
    modules = {}
    for name in ('modeling_finetune', 'modeling_pretrain'):
        path = osp.join(root, f'{name}.py')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'--videomae-root {root}: no {name}.py (expected a checkout '
                'of github.com/MCG-NJU/VideoMAE)')
        if name in sys.modules:
            modules[name] = sys.modules[name]
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules['modeling_pretrain']


class VideoMAEStep:
    """A pretraining step of VideoMAE's own code, sized like our config.

    Mirrors VideoMAE's ``train_one_epoch``: under ``no_grad`` the clip is
    un-normalised, cut into all tokens, per-patch normalised (unbiased std)
    and gathered at the masked tokens; then model forward, MSE, backward and
    ``torch.optim.AdamW`` (decay off for 1-D parameters, biases and
    ``no_weight_decay()`` names, as its ``optim_factory``). Tube masks, as
    its data loader draws them, are made before the timer starts.
    """

    def __init__(self, root: str, ours: OurStep, batch_size: int,
                 device: torch.device) -> None:
        _timm_shim()
        modeling = _import_videomae(root)
        backbone, neck = ours.model.backbone, ours.model.neck
        block = backbone.blocks[0]
        dec_blocks = next(iter(neck.decoders.values())).blocks
        self.patch = backbone.patch_size
        self.tubelet = backbone.tubelet_size
        self.model = modeling.PretrainVisionTransformer(
            img_size=backbone.grid_size[0] * self.patch,
            patch_size=self.patch,
            encoder_embed_dim=backbone.embed_dims,
            encoder_depth=len(backbone.blocks),
            encoder_num_heads=block.attn.num_heads,
            decoder_num_classes=3 * self.tubelet * self.patch**2,
            decoder_embed_dim=neck.embed_dims,
            decoder_depth=len(dec_blocks),
            decoder_num_heads=dec_blocks[0].attn.num_heads,
            mlp_ratio=block.mlp.layers[0][0].out_features /
            backbone.embed_dims,
            qkv_bias=hasattr(block.attn, 'q_bias'),
            norm_layer=lambda dim: nn.LayerNorm(dim, eps=1e-6),
            tubelet_size=self.tubelet).to(device).train()
        if self.model.encoder.patch_embed.num_patches != \
                ours.tokens_per_clip:
            # VideoMAE's PatchEmbed assumes 16 frames
            raise ValueError('--videomae-root needs 16-frame clips')
        skip = set(self.model.no_weight_decay())
        decay, no_decay = [], []
        for name, param in self.model.named_parameters():
            if param.ndim == 1 or name.endswith('.bias') or name in skip:
                no_decay.append(param)
            else:
                decay.append(param)
        opt = ours.optim_wrapper.optimizer.defaults
        self.optimizer = torch.optim.AdamW([
            dict(params=no_decay, weight_decay=0.),
            dict(params=decay, weight_decay=opt['weight_decay'])
        ],
                                           lr=opt['lr'],
                                           betas=opt['betas'],
                                           eps=opt['eps'])
        pre = ours.model.data_preprocessor
        self.mean = (pre.mean / 255.).view(1, 3, 1, 1, 1).to(device)
        self.std = (pre.std / 255.).view(1, 3, 1, 1, 1).to(device)
        clips = torch.stack(ours.data['inputs']).to(device).float()[:, 0]
        self.videos = (clips / 255. - self.mean) / self.std
        self.grid = ours.model.grid(self.videos)
        from motionmae_mm.models.mask_generators import TubeMaskGenerator
        self.masker = TubeMaskGenerator(0.9)
        self.device = device
        self.next_mask()

    def next_mask(self) -> None:
        """Draw the next step's tube mask (the data loader's job)."""
        self.mask = self.masker(self.videos.shape[0], self.grid, self.device)

    def _labels(self) -> torch.Tensor:
        with torch.no_grad():
            videos = self.videos * self.std + self.mean
            B, C, T, H, W = videos.shape
            t, p = self.tubelet, self.patch
            v = videos.reshape(B, C, T // t, t, H // p, p, W // p, p)
            v = v.permute(0, 2, 4, 6, 3, 5, 7, 1)
            v = v.reshape(B, -1, t * p * p, C)
            v = (v - v.mean(dim=-2, keepdim=True)) / (
                v.var(dim=-2, unbiased=True, keepdim=True).sqrt() + 1e-6)
            v = v.reshape(B, v.shape[1], -1)
            return v[self.mask].reshape(B, -1, v.shape[-1])

    def __call__(self) -> None:
        labels = self._labels()
        outputs = self.model(self.videos, self.mask)
        loss = F.mse_loss(outputs, labels)
        loss.item()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


def _peak_memory_mb(device: torch.device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace) -> Dict[str, object]:
    """Build, warm up, count and time; returns the figures."""
    device = torch.device(args.device)
    from mmengine.logging import MMLogger
    MMLogger.get_instance('mmengine').setLevel('WARNING')
    torch.manual_seed(0)
    gemm = GemmPeak(args.gemm_size, device)
    gemm()
    steps: Dict[str, Callable[[], None]] = {}
    ours = OurStep(args.config, args.cfg_options, args.batch_size, device,
                   args.compile)
    steps['ours'] = ours
    flops = {'ours': count_flops(ours)[0]}
    for _ in range(args.warmup):
        ours()
    peak_mem = _peak_memory_mb(device)
    if args.compare_appearance_only:
        options = list(args.cfg_options or []) + ['model.head.motion_weight=0']
        app = OurStep(args.config, options, args.batch_size, device,
                      args.compile)
        steps['appearance_only'] = app
        flops['appearance_only'] = count_flops(app)[0]
        for _ in range(args.warmup):
            app()
    videomae = None
    if args.videomae_root:
        videomae = VideoMAEStep(args.videomae_root, ours, args.batch_size,
                                device)
        steps['videomae'] = videomae
        flops['videomae'] = count_flops(videomae)[0]
        for _ in range(args.warmup):
            videomae()
            videomae.next_mask()

    times: Dict[str, List[float]] = {name: [] for name in steps}
    cpu_times: Dict[str, List[float]] = {name: [] for name in steps}
    peaks: List[float] = []
    for _ in range(args.steps):
        peaks.append(gemm())
        for name, step in steps.items():
            wall, cpu = _timed_cpu(step, device)
            times[name].append(wall)
            cpu_times[name].append(cpu)
            if step is videomae:
                videomae.next_mask()

    peak = statistics.median(peaks)
    step_s = statistics.median(times['ours'])
    res: Dict[str, object] = dict(
        config=args.config,
        device=str(device),
        threads=torch.get_num_threads(),
        batch_size=args.batch_size,
        clip='x'.join(map(str, ours.shape[1:])),
        steps=args.steps,
        step_s=step_s,
        step_s_min=min(times['ours']),
        step_cpu_s=statistics.median(cpu_times['ours']),
        clips_per_s=args.batch_size / step_s,
        tokens_per_s=args.batch_size * ours.tokens_per_clip / step_s,
        gflops_per_step=flops['ours'] / 1e9,
        gflops_per_s=flops['ours'] / step_s / 1e9,
        peak_gflops_per_s=peak / 1e9,
        peak_ratio=flops['ours'] / step_s / peak,
        peak_mem_mb=peak_mem)
    for name in steps:
        if name == 'ours':
            continue
        other = statistics.median(times[name])
        res[f'{name}_step_s'] = other
        res[f'{name}_gflops_per_step'] = flops[name] / 1e9
        res[f'{name}_peak_ratio'] = flops[name] / other / peak
        res[f'ratio_vs_{name}'] = step_s / other
        res[f'{name}_step_cpu_s'] = statistics.median(cpu_times[name])
        res[f'cpu_ratio_vs_{name}'] = (
            res['step_cpu_s'] / res[f'{name}_step_cpu_s'])
    return res


def main(argv: Optional[List[str]] = None) -> None:
    from motionmae_mm.utils.report import print_result
    args = parse_args(argv)
    res = run(args)
    print_result('benchmark_pretrain', res, args.json)


if __name__ == '__main__':
    main()
