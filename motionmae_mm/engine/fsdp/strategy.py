# Copyright (c) OpenMMLab. All rights reserved.
"""The ``strategy`` config key: how the runner shards the model.

``strategy = dict(type='FSDP2')`` turns a config from DDP into FSDP2
(``torch.distributed.fsdp.fully_shard``) in ``MotionMAERunner``; no
``strategy`` key (or ``type='DDP'``) keeps DDP. mmengine's
``FlexibleRunner`` reads the same key, but its ``FSDPStrategy`` is FSDP1
bound to a CUDA device and the runner would lose what ``MotionMAERunner``
adds (atomic checkpoints, the work-dir lock, readable-checkpoint resume),
so our runner reads the key itself (docs/design.md, section 4).
"""
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import torch

from ...utils.cli import UserError
from ..optim_wrappers.amp_optim_wrapper import cpu_autocast_dtype

#: The AMP optimizer wrappers and their fp32 twins: under FSDP2 the mixed
#: precision is FSDP's own policy, so the wrapper must not autocast too.
FP32_TWIN = {
    'AmpOptimWrapper': 'OptimWrapper',
    'NonFiniteSkipAmpOptimWrapper': 'NonFiniteSkipOptimWrapper',
}
_AMP_ONLY_KEYS = ('loss_scale', 'dtype', 'use_fsdp')
_KNOWN = ('type', 'activation_checkpointing', 'cpu_offload',
          'reshard_after_forward', 'shard_units')


@dataclass(frozen=True)
class FSDP2Options:
    """What ``strategy=dict(type='FSDP2', ...)`` says.

    Args:
        activation_checkpointing (bool): Recompute each shard unit (block)
            in backward. Defaults to True.
        cpu_offload (bool): Keep sharded parameters, gradients and optimizer
            state in CPU memory (``CPUOffloadPolicy``). Defaults to False.
        reshard_after_forward (bool): Free each block's gathered weights
            after its forward (gather again in backward). Defaults to True.
        shard_units (tuple[str]): Names of the ``ModuleList`` attributes
            whose items are shard units. Defaults to ``('blocks',)``: every
            transformer block of the encoder and decoder(s).
    """
    activation_checkpointing: bool = True
    cpu_offload: bool = False
    reshard_after_forward: bool = True
    shard_units: Tuple[str, ...] = ('blocks', )


def parse_strategy(
        strategy: Optional[Dict[str, Any]]) -> Optional[FSDP2Options]:
    """The FSDP2 options of a config's ``strategy``, or None for DDP."""
    if not strategy:
        return None
    strategy = dict(strategy)
    kind = strategy.pop('type', None)
    if kind in (None, 'DDP'):
        return None
    if kind != 'FSDP2':
        raise UserError(f"strategy.type='{kind}' is not known: use 'FSDP2' "
                        "(sharded) or 'DDP' (mmengine's FlexibleRunner "
                        'strategies do not apply to MotionMAERunner)')
    unknown = sorted(set(strategy) - set(_KNOWN))
    if unknown:
        raise UserError(f'strategy: unknown key(s) {unknown} for FSDP2; '
                        f'known: {", ".join(_KNOWN[1:])}')
    if 'shard_units' in strategy:
        strategy['shard_units'] = tuple(strategy['shard_units'])
    return FSDP2Options(**strategy)


def fsdp_optim_wrapper(
        optim_wrapper: Dict[str, Any],
        device: str) -> Tuple[Dict[str, Any], Optional[torch.dtype]]:
    """The optimizer wrapper config to use under FSDP2, and the compute
    dtype of FSDP's mixed-precision policy (None: fp32).

    The dtype follows today's AMP key: an AMP wrapper computes in bf16
    (never fp16: bf16 needs no loss scaling, which a sharded model would
    need its own scaler for) unless ``optim_wrapper.dtype`` is
    ``float32``/``float64``; on a CPU without bf16 kernels in fp32, as
    AMP's autocast. Master weights and gradient reduction stay fp32.
    """
    cfg = dict(optim_wrapper)
    kind = cfg.get('type', 'OptimWrapper')
    if kind not in FP32_TWIN:
        return cfg, None
    dtype = cfg.get('dtype')
    if isinstance(dtype, torch.dtype):
        dtype = str(dtype).replace('torch.', '')
    if device == 'cpu':
        compute = cpu_autocast_dtype(dtype)
    else:
        compute = None if dtype in ('float32', 'float64') else torch.bfloat16
    cfg['type'] = FP32_TWIN[kind]
    for key in _AMP_ONLY_KEYS:
        cfg.pop(key, None)
    if compute is not None and kind.startswith('NonFiniteSkip') and \
            cfg.get('max_consecutive') is None:
        cfg['max_consecutive'] = 10  # as under AMP (NonFiniteSkipMixin)
    return cfg, compute
