# Copyright (c) OpenMMLab. All rights reserved.
"""FSDP2 around a model: one shard unit per transformer block.

``fully_shard`` shards in place: names, classes' interfaces and the
``state_dict`` keys stay those of the unsharded model, so parameter groups
(layer-wise lr decay, no decay on 1-D parameters) are built from the same
names as under DDP, and checkpoints keep their keys.
"""
import functools
from typing import Dict, List, Optional, Union

import torch
from mmaction.registry import MODEL_WRAPPERS
from mmengine.dist import broadcast, get_world_size
from mmengine.optim import OptimWrapper
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor
from torch.distributed.fsdp import (CPUOffloadPolicy, FSDPModule,
                                    MixedPrecisionPolicy, fully_shard,
                                    register_fsdp_forward_method)
from torch.utils.checkpoint import checkpoint

from .strategy import FSDP2Options

#: Methods other than ``forward`` that run the whole model from outside
#: ``forward`` (tools): FSDP gathers the root's weights around them too.
#: Not ``extract_feat``: ``Recognizer3D.loss`` calls it inside ``forward``,
#: and its end would free the root's weights before the head runs.
FORWARD_METHODS = ('reconstruct', )


def shard_units(model: nn.Module, names: tuple) -> List[nn.Module]:
    """The items of every ``ModuleList`` attribute named in ``names``
    (``blocks``: each block of the encoder and of every decoder)."""
    units = []
    for module in model.modules():
        for name in names:
            children = getattr(module, name, None)
            if isinstance(children, nn.ModuleList) and \
                    children in module.children():
                units.extend(children)
    return units


def checkpoint_forward(unit: nn.Module) -> None:
    """Recompute ``unit`` in backward (non-reentrant activation
    checkpointing). Its forward is wrapped before ``fully_shard``, so FSDP's
    gather and free run outside the recomputed region, as with torch's
    ``checkpoint_wrapper``, without its prefix in parameter names."""
    forward = unit.forward

    @functools.wraps(forward)
    def recomputed(*args, **kwargs):
        if torch.is_grad_enabled():
            return checkpoint(forward, *args, use_reentrant=False, **kwargs)
        return forward(*args, **kwargs)

    unit.forward = recomputed


def broadcast_state(model: nn.Module) -> None:
    """Give every rank rank 0's weights (each rank initialised its own:
    ``randomness.diff_rank_seed``), as DDP does when it wraps."""
    for value in model.state_dict().values():
        broadcast(value)


def shard_model(model: nn.Module, options: FSDP2Options,
                compute_dtype: Optional[torch.dtype]) -> nn.Module:
    """Shard ``model`` in place over all ranks and return it.

    Each unit of :func:`shard_units` is one FSDP unit; the root (patch
    embedding, positions, norms, decoder projection, heads) is the last.
    """
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    mesh = init_device_mesh(device, (get_world_size(), ))
    mp = MixedPrecisionPolicy(
        param_dtype=compute_dtype, reduce_dtype=torch.float32)
    kwargs = dict(
        mesh=mesh,
        mp_policy=mp,
        reshard_after_forward=options.reshard_after_forward)
    if options.cpu_offload:
        # pinned host memory needs a GPU (it fails on a CPU-only machine)
        kwargs['offload_policy'] = CPUOffloadPolicy(
            pin_memory=torch.cuda.is_available())
    for unit in shard_units(model, options.shard_units):
        if options.activation_checkpointing:
            checkpoint_forward(unit)
        fully_shard(unit, **kwargs)
    fully_shard(model, **kwargs)
    for name in FORWARD_METHODS:
        if hasattr(model, name):
            register_fsdp_forward_method(model, name)
    return model


def clip_sharded_grad_norm_(parameters,
                            max_norm: float,
                            norm_type: float = 2.0,
                            error_if_nonfinite: bool = False,
                            foreach: Optional[bool] = None) -> torch.Tensor:
    """``clip_grad_norm_`` for sharded gradients: the norm of the whole
    gradient (each rank's part, reduced over the ranks: DDP's norm), as a
    plain tensor, then every shard scaled by the same factor."""
    parameters = [p for p in parameters if p.grad is not None]
    total = torch.nn.utils.get_total_norm([p.grad for p in parameters],
                                          norm_type, error_if_nonfinite,
                                          foreach)
    if isinstance(total, DTensor):
        total = total.full_tensor()
    torch.nn.utils.clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def drop_unreduced_gradients(model: nn.Module) -> None:
    """Forget the gradients FSDP2 accumulated without reducing them.

    On accumulation steps FSDP2 keeps each block's unsharded gradient
    inside its parameter state (not in ``param.grad``) until a backward
    with gradient sync reduce-scatters it. When the non-finite skip drops
    a window whose closing backward never ran, they must go too, or they
    would join the next window's reduction. (Private FSDP2 state, torch
    pinned: ``tests/test_fsdp_configs.py`` checks the result.)
    """
    for module in model.modules():
        if not isinstance(module, FSDPModule):
            continue
        group = module._get_fsdp_state()._fsdp_param_group
        for param in group.fsdp_params if group is not None else ():
            param.unsharded_accumulated_grad = None
            unsharded = getattr(param, '_unsharded_param', None)
            if unsharded is not None:
                unsharded.grad = None


@MODEL_WRAPPERS.register_module()
class MMFullyShardedModel(nn.Module):
    """Holds a ``fully_shard``-ed model as ``module`` (mmengine's wrapper
    protocol: hooks and checkpoints use ``runner.model.module``).

    ``train_step`` is mmengine's, plus gradient accumulation without
    communication: on steps that do not update, FSDP keeps the unsharded
    gradients and reduce-scatters nothing (``set_requires_gradient_sync``;
    DDP's ``no_sync`` does not exist here); a window the non-finite skip
    drops leaves none of them behind (:func:`drop_unreduced_gradients`).
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Forward, backward and (on update steps) the optimizer step."""
        model = self.module
        if isinstance(model, FSDPModule):
            model.set_requires_gradient_sync(optim_wrapper.should_sync())
        with optim_wrapper.optim_context(self):
            data = model.data_preprocessor(data, training=True)
            losses = model._run_forward(data, mode='loss')
        parsed_loss, log_vars = model.parse_losses(losses)
        optim_wrapper.update_params(parsed_loss)
        if getattr(optim_wrapper, 'dropped_window', False):
            drop_unreduced_gradients(model)
        return log_vars

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.test_step(data)

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)


def skip_when_sharded(runner, hook) -> bool:
    """Whether ``hook``, which runs the model on rank 0 alone, must skip:
    a sharded model runs only with every rank. Warns once per hook."""
    if not isinstance(runner.model, MMFullyShardedModel):
        return False
    if not getattr(hook, '_warned_sharded', False):
        runner.logger.warning(
            f'{type(hook).__name__} is skipped under strategy FSDP2: it runs '
            'the model on rank 0 alone, which a sharded model cannot')
        hook._warned_sharded = True
    return True
