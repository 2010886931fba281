# Copyright (c) OpenMMLab. All rights reserved.
"""Per-rank memory of the training state, DDP vs FSDP2, ViT-B/L/H/g.

Counted, not measured: each config's model is built with its parameters on
the meta device (no memory, little time) and the bytes of weights,
gradients and AdamW state are summed as each strategy keeps them per rank.
DDP keeps every parameter on every rank (fp32 weight, fp32 gradient, two
fp32 moments: 16 bytes); FSDP2 keeps those 16 bytes for its dim-0 shard of
each parameter (``ceil(rows / ranks)`` rows: FSDP2 pads to equal shards).
Activations and the block weights gathered during a step come on top and
are not counted; the peak memory of a real step is not measured here (it
needs the GPUs).

    python tools/analysis/fsdp_memory.py [--ranks 1 2 8] \\
        [--out docs/results/fsdp_memory.json]

The table is cached in ``--out`` and printed from there unless the
configs or ranks asked for differ (``--force`` recounts).
"""
import argparse
import json
import math
import os.path as osp
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List, Optional

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from torch import nn

from motionmae_mm.utils import register_all_modules
from motionmae_mm.utils.cli import add_traceback_flag, user_errors

CONFIGS = {
    'ViT-B/16': 'configs/motionmae_vitb_ssv2.py',
    'ViT-L/16': 'configs/motionmae_vitl_ssv2.py',
    'ViT-H/14': 'configs/motionmae_vith_ssv2.py',
    'ViT-g/14': 'configs/motionmae_vitg_ssv2.py',
}
REPO = Path(__file__).resolve().parents[2]
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
    cfg = Config.fromfile(REPO / config)
    with parameters_on_meta():
        model = MODELS.build(cfg.model)
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


def count(ranks: List[int]) -> Dict[str, dict]:
    """``{model: {params, ddp: {ranks: GiB}, fsdp: {ranks: GiB}}}``."""
    register_all_modules()
    out = {}
    for name, config in CONFIGS.items():
        shapes = parameter_shapes(config)
        out[name] = dict(
            config=config,
            params=sum(math.prod(s) for s in shapes),
            ddp={str(n): state_bytes(shapes, n, False) / 2**30
                 for n in ranks},
            fsdp={str(n): state_bytes(shapes, n, True) / 2**30
                  for n in ranks})
    return out


def table(results: Dict[str, dict], ranks: List[int]) -> str:
    """The results as a markdown table (GiB per rank)."""
    head = ['model', 'params'] + [f'DDP {n}' for n in ranks
                                  ] + [f'FSDP2 {n}' for n in ranks]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in results.items():
        cells = [name, f'{row["params"] / 1e6:.0f} M']
        cells += [f'{row["ddp"][str(n)]:.2f}' for n in ranks]
        cells += [f'{row["fsdp"][str(n)]:.2f}' for n in ranks]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ranks', type=int, nargs='+', default=[1, 2, 8])
    parser.add_argument('--out', default='docs/results/fsdp_memory.json')
    parser.add_argument(
        '--force',
        action='store_true',
        help='recount even if --out holds the results')
    add_traceback_flag(parser)
    args = parser.parse_args(argv)
    with user_errors(args.traceback):
        cached = None
        if osp.isfile(args.out) and not args.force:
            with open(args.out) as f:
                cached = json.load(f)
        wanted = dict(configs=CONFIGS, ranks=args.ranks)
        if cached is None or cached.get('key') != wanted:
            cached = dict(key=wanted, results=count(args.ranks))
            with open(args.out, 'w') as f:
                json.dump(cached, f, indent=1)
    print('weights + gradients + AdamW state per rank, GiB (counted)')
    print(table(cached['results'], args.ranks))
    return 0


if __name__ == '__main__':
    sys.exit(main())
