# Copyright (c) OpenMMLab. All rights reserved.
"""FLOPs and parameters of a model, per part.

FLOPs are counted with ``torch.utils.flop_counter`` (2 per multiply-add).
Fused attention kernels count as the plain attention they compute (the
recompute inside a flash backward is not counted), so an SDPA model and a
manual-attention one of the same size count the same. Parameters come from
``mmengine.analysis.parameter_count``.
"""
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
