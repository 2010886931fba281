# Copyright (c) OpenMMLab. All rights reserved.
"""Running a stack of transformer blocks."""
import torch
import torch.utils.checkpoint as cp
from torch import Tensor, nn


def autocast_dtype(device_type: str):
    """The autocast dtype active for ``device_type``, else None."""
    if device_type not in ('cpu', 'cuda') or not torch.is_autocast_enabled(
            device_type):
        return None
    return torch.get_autocast_dtype(device_type)


def run_blocks(blocks: nn.ModuleList, x: Tensor, with_cp: bool) -> Tensor:
    """Apply ``blocks`` in turn, optionally with activation checkpointing.

    Checkpointing (non-reentrant) keeps only each block's input and
    recomputes the block in backward: same results, less memory, about a
    third more compute. It is used only when gradients are being recorded.

    Under bf16 autocast the residual stream is carried in bf16: every
    matrix product computes in bf16 anyway, and an fp32 stream costs a cast
    of each block input and output in both directions (and fp32 norms).
    bf16 keeps fp32's range, so this needs no scaling; norms accumulate in
    fp32 inside their kernels. fp16 autocast keeps the fp32 stream.
    """
    dtype = autocast_dtype(x.device.type)
    if dtype == torch.bfloat16:
        x = x.to(dtype)
    use_cp = with_cp and torch.is_grad_enabled() and x.requires_grad
    for blk in blocks:
        x = cp.checkpoint(blk, x, use_reentrant=False) if use_cp else blk(x)
    return x
