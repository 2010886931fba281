# Copyright (c) OpenMMLab. All rights reserved.
"""Running a stack of transformer blocks."""
import torch
import torch.utils.checkpoint as cp
from torch import Tensor, nn


def run_blocks(blocks: nn.ModuleList, x: Tensor, with_cp: bool) -> Tensor:
    """Apply ``blocks`` in turn, optionally with activation checkpointing.

    Checkpointing (non-reentrant) keeps only each block's input and
    recomputes the block in backward: same results, less memory, about a
    third more compute. It is used only when gradients are being recorded.
    """
    use_cp = with_cp and torch.is_grad_enabled() and x.requires_grad
    for blk in blocks:
        x = cp.checkpoint(blk, x, use_reentrant=False) if use_cp else blk(x)
    return x
