# Copyright (c) OpenMMLab. All rights reserved.
"""Parameters and FLOPs of a MotionMAE pretraining model, per part.

FLOPs are counted with ``torch.utils.flop_counter`` (2 per multiply-add) on
one masked pretraining pass; ``--backward`` adds the backward pass. Fused
attention kernels count as the plain attention they compute (the recompute
inside a flash backward is not counted), so the SDPA model and a
manual-attention one of the same size count the same. Parameters come from
``mmengine.analysis.parameter_count``.

Example::

    python tools/analysis/get_flops.py configs/motionmae_vitb_ssv2.py
    python tools/analysis/get_flops.py configs/motionmae_vitb_ssv2.py \\
        --backward --json
"""
import argparse
import json
from typing import Any, Callable, Dict, Optional, Tuple

import torch
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

aten = torch.ops.aten

PARTS = ('backbone', 'neck', 'head')


def _sdpa_forward(query: Tuple[int, ...],
                  key: Tuple[int, ...],
                  value: Tuple[int, ...],
                  *args,
                  out_shape: Any = None,
                  **kwargs) -> int:
    """QK^T and AV of an attention forward."""
    return sdpa_flop_count(query, key, value)


def _sdpa_backward(grad_out: Tuple[int, ...],
                   query: Tuple[int, ...],
                   key: Tuple[int, ...],
                   value: Tuple[int, ...],
                   *args,
                   out_shape: Any = None,
                   **kwargs) -> int:
    """Four matmuls of an attention backward (no recompute)."""
    return 2 * sdpa_flop_count(query, key, value)


def flop_mapping() -> Dict[Any, Callable]:
    """Formulas for fused attention ops that ``flop_counter`` leaves out.

    CPU's flash attention (what SDPA runs on CPU) has no formula in
    ``torch.utils.flop_counter``; the GPU kernels do, but count the
    backward recompute. Here every fused kernel counts the matmuls of plain
    attention: 2 forward, 4 backward.
    """
    forward = [
        'aten::_scaled_dot_product_flash_attention_for_cpu',
        'aten::_scaled_dot_product_flash_attention',
        'aten::_scaled_dot_product_efficient_attention',
        'aten::_scaled_dot_product_cudnn_attention',
    ]
    backward = [name + '_backward' for name in forward]
    mapping = {}
    for names, fn in ((forward, _sdpa_forward), (backward, _sdpa_backward)):
        for name in names:
            packet = getattr(aten, name.split('::')[1], None)
            if packet is not None:
                mapping[packet] = fn
    return mapping


def count_flops(
        fn: Callable[[], Any],
        module: Optional[torch.nn.Module] = None
) -> Tuple[int, Dict[str, int]]:
    """Run ``fn`` once under a FLOP counter.

    Args:
        fn (callable): What to count (forward, backward, anything).
        module (nn.Module, optional): If given, FLOPs are also reported per
            direct child (``backbone``, ``neck``, ...).

    Returns:
        tuple[int, dict[str, int]]: Total FLOPs and FLOPs per child name.
    """
    counter = FlopCounterMode(display=False, custom_mapping=flop_mapping())
    with counter:
        fn()
    per_part = {}
    if module is not None:
        counts = counter.get_flop_counts()
        prefix = type(module).__name__
        for name, _ in module.named_children():
            ops = counts.get(f'{prefix}.{name}', {})
            per_part[name] = int(sum(ops.values()))
    return int(counter.get_total_flops()), per_part


def count_params(module: torch.nn.Module) -> Dict[str, int]:
    """Parameters in total (``''``) and per direct child."""
    from mmengine.analysis import parameter_count
    counts = parameter_count(module)
    out = {'': int(counts.get('', 0))}
    for name, _ in module.named_children():
        out[name] = int(counts.get(name, 0))
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of a MotionMAE pretraining model')
    parser.add_argument('config', help='pretraining config file')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='clips per pass')
    parser.add_argument(
        '--backward',
        action='store_true',
        help='count forward + backward (a training step without the '
        'optimizer)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    return parser.parse_args()


def build_model(config: str, cfg_options: Optional[list] = None):
    """Build the config's model (mmaction scope) and its config."""
    from mmengine.config import Config, DictAction
    from mmengine.registry import init_default_scope

    import motionmae_mm  # noqa: F401
    cfg = Config.fromfile(config)
    if cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *cfg_options]).o)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    from mmaction.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model, cfg


def clip_shape(model: torch.nn.Module) -> Tuple[int, int, int, int]:
    """(C, T, H, W) of the clips the model's encoder is configured for."""
    backbone = model.backbone
    size = backbone.grid_size[0] * backbone.patch_size
    return 3, backbone.num_frames, size, size


def main() -> None:
    args = parse_args()
    model, _ = build_model(args.config, args.cfg_options)
    model.train()
    shape = clip_shape(model)
    inputs = torch.rand(args.batch_size, 1, *shape) * 255
    inputs = model.data_preprocessor(
        dict(inputs=list(inputs), data_samples=None), True)['inputs']

    def run() -> None:
        losses = model(inputs, mode='loss')
        if args.backward:
            sum(losses.values()).backward()

    total, per_part = count_flops(run, model)
    params = count_params(model)
    res = dict(
        config=args.config,
        batch_size=args.batch_size,
        clip='x'.join(map(str, shape[1:])),
        backward=args.backward,
        params=params[''],
        gflops=total / 1e9)
    for part in PARTS:
        res[f'{part}_params'] = params.get(part, 0)
        res[f'{part}_gflops'] = per_part.get(part, 0) / 1e9
    if args.json:
        print(json.dumps(res))
        return
    print(f'{"part":<10}{"params (M)":>12}{"GFLOPs":>12}')
    for part in PARTS:
        print(f'{part:<10}{res[part + "_params"] / 1e6:>12.2f}'
              f'{res[part + "_gflops"]:>12.2f}')
    print(f'{"total":<10}{res["params"] / 1e6:>12.2f}{res["gflops"]:>12.2f}')
    print('get_flops: ' +
          ' '.join(f'{k}={v:.4f}' if isinstance(v, float) else f'{k}={v}'
                   for k, v in res.items()))


if __name__ == '__main__':
    main()
