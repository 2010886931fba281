# Copyright (c) OpenMMLab. All rights reserved.
"""Per-rank bytes of the training state, DDP vs FSDP2, counted.

Each config's model is built with its parameters on the meta device (no
memory, little time) and the bytes of weights, gradients and AdamW state
are summed as each strategy keeps them per rank. DDP keeps every parameter
on every rank (fp32 weight, fp32 gradient, two fp32 moments: 16 bytes);
FSDP2 keeps those 16 bytes for its dim-0 shard of each parameter
(``ceil(rows / ranks)`` rows: FSDP2 pads to equal shards). Activations and
the block weights gathered during a step come on top:
:mod:`.step_memory` measures those.
"""
import math
from contextlib import contextmanager
from typing import Dict, List

import torch
from mmaction.registry import MODELS
from torch import nn

from .build import load_config

BYTES_PER_PARAM = 16  # fp32 weight + gradient + AdamW exp_avg, exp_avg_sq


@contextmanager
def parameters_on_meta():
    """Every parameter registered meanwhile moves to the meta device as it
    is registered: a model of any size builds in a moment, one (empty)
    parameter in memory at a time. (``torch.device('meta')`` as a context
    breaks constructors that call ``.item()``.)"""
    register = nn.Module.register_parameter

    def to_meta(module, name, param):
        if param is not None:
            param = nn.Parameter(
                param.detach().to('meta'), requires_grad=param.requires_grad)
        register(module, name, param)

    nn.Module.register_parameter = to_meta
    try:
        yield
    finally:
        nn.Module.register_parameter = register


def parameter_shapes(config: str) -> List[torch.Size]:
    """Shapes of the trained parameters of ``config``'s model."""
    with parameters_on_meta():
        model = MODELS.build(load_config(config).model)
    return [p.shape for p in model.parameters() if p.requires_grad]


def state_bytes(shapes: List[torch.Size], ranks: int, sharded: bool) -> int:
    """Bytes of weights + gradients + AdamW state on one rank."""
    total = 0
    for shape in shapes:
        numel = math.prod(shape)
        if sharded and len(shape) > 0:
            numel = math.ceil(shape[0] / ranks) * (numel // shape[0])
        total += numel * BYTES_PER_PARAM
    return total


def count_state(configs: Dict[str, str], ranks: List[int]) -> Dict[str, dict]:
    """``{model: {params, ddp: {ranks: GiB}, fsdp: {ranks: GiB}}}``
    for the ``{model: config file}`` in ``configs``."""
    out = {}
    for name, config in configs.items():
        shapes = parameter_shapes(config)
        out[name] = dict(
            params=sum(math.prod(s) for s in shapes),
            ddp={str(n): state_bytes(shapes, n, False) / 2**30
                 for n in ranks},
            fsdp={str(n): state_bytes(shapes, n, True) / 2**30
                  for n in ranks})
    return out
