# Copyright (c) OpenMMLab. All rights reserved.
"""FSDP2 in ``MotionMAERunner``: ``strategy=dict(type='FSDP2')``."""
from .checkpointing import ShardedCheckpointMixin
from .strategy import FSDP2Options, fsdp_optim_wrapper, parse_strategy
from .wrapper import (MMFullyShardedModel, broadcast_state, checkpoint_forward,
                      clip_sharded_grad_norm_, shard_model, shard_units,
                      skip_when_sharded)

__all__ = [
    'FSDP2Options', 'MMFullyShardedModel', 'ShardedCheckpointMixin',
    'broadcast_state', 'checkpoint_forward', 'clip_sharded_grad_norm_',
    'fsdp_optim_wrapper', 'parse_strategy', 'shard_model', 'shard_units',
    'skip_when_sharded'
]
