# Copyright (c) OpenMMLab. All rights reserved.
"""Mixed precision that also works without a GPU.

mmengine 0.10.7's ``AmpOptimWrapper`` asserts a GPU/NPU/MLU/MUSA device and
always builds a CUDA ``GradScaler``, although ``mmengine.runner.amp.autocast``
runs CPU bf16 autocast fine. On CPUs with native bf16 (AVX-512 BF16, AMX),
bf16 matrix products run several times faster than fp32, and bf16 keeps
fp32's exponent range, so it needs no loss scaling.
"""
import logging
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.device import (is_cuda_available, is_mlu_available,
                             is_musa_available, is_npu_available)
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper as _MMEngineAmpOptimWrapper
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast
from torch import nn


def accelerator_available() -> bool:
    """Whether mmengine's own AMP (GPU/NPU/MLU/MUSA) can run here."""
    return (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available())


def cpu_supports_bf16() -> bool:
    """Whether this CPU has native bf16 matrix kernels (oneDNN's check)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def cpu_autocast_dtype(dtype: Union[str, torch.dtype, None]
                       ) -> Optional[torch.dtype]:
    """The CPU autocast dtype for a requested AMP ``dtype``.

    CPU autocast computes in bf16 (its default and the only low-precision
    dtype with native CPU matrix kernels): ``None``, ``'float16'`` and
    ``'bfloat16'`` all mean bf16, without loss scaling. ``'float32'`` /
    ``'float64'`` and CPUs without bf16 kernels mean no autocast (None).
    """
    if isinstance(dtype, torch.dtype):
        dtype = str(dtype).replace('torch.', '')
    if dtype not in (None, 'float16', 'bfloat16', 'float32', 'float64'):
        raise ValueError(f"optim_wrapper.dtype='{dtype}' must be one of "
                         "'float16', 'bfloat16', 'float32', 'float64'")
    if dtype in ('float32', 'float64'):
        return None
    if not cpu_supports_bf16():
        print_log(
            'mixed precision: this CPU has no native bf16 kernels, '
            'training in fp32', logger='current', level=logging.WARNING)
        return None
    print_log(
        'mixed precision: bf16 autocast on CPU (no loss scaling)'
        + (' instead of fp16' if dtype == 'float16' else ''),
        logger='current', level=logging.INFO)
    return torch.bfloat16


def _to_fp32(module: nn.Module, args: tuple, output):
    return output.float() if isinstance(output, torch.Tensor) else output


def scores_in_fp32(model: nn.Module) -> None:
    """Make mmaction2's classification heads return fp32 scores.

    Their ``loss_by_feat`` turns the scores into numpy for top-k accuracy,
    and numpy has no bf16, so a bf16 autocast step of a ``Recognizer3D``
    would fail there. A forward hook casts each head's output (once per
    head; the loss is computed in fp32 anyway).
    """
    from mmaction.models.heads import BaseHead
    for module in model.modules():
        if isinstance(module, BaseHead) and not getattr(
                module, '_scores_in_fp32', False):
            module.register_forward_hook(_to_fp32)
            module._scores_in_fp32 = True


@OPTIM_WRAPPERS.register_module()
class AmpOptimWrapper(_MMEngineAmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper``, which also runs on a CPU.

    With a GPU (NPU, MLU, MUSA) it is mmengine's wrapper unchanged: autocast
    in ``dtype`` (fp16 by default) with a ``GradScaler`` per ``loss_scale``.
    Without one, the forward runs under CPU bf16 autocast and backward and
    step are plain fp32 ones on fp32 master weights (``loss_scale`` does not
    apply); a CPU without bf16 kernels trains in fp32 with one warning.
    Registered under mmengine's name in mmaction2's registry, so configs
    with ``default_scope='mmaction'`` get it without a change.

    Args:
        loss_scale (float | str | dict): GPU only; see mmengine.
        dtype (str | torch.dtype, optional): Autocast dtype. Defaults to
            None (fp16 on GPU, bf16 on CPU).
        use_fsdp (bool): GPU only; see mmengine. Defaults to False.
        **kwargs: ``OptimWrapper`` arguments.
    """

    def __init__(self,
                 loss_scale: Union[str, float, dict] = 'dynamic',
                 dtype: Union[str, torch.dtype, None] = None,
                 use_fsdp: bool = False,
                 **kwargs) -> None:
        if accelerator_available():
            super().__init__(
                loss_scale=loss_scale,
                dtype=dtype,
                use_fsdp=use_fsdp,
                **kwargs)
            return
        OptimWrapper.__init__(self, **kwargs)
        self._scale_update_param = None
        self.loss_scaler = None
        self.cast_dtype = cpu_autocast_dtype(dtype)

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        if self.loss_scaler is None:
            return OptimWrapper.backward(self, loss, **kwargs)
        return super().backward(loss, **kwargs)

    def step(self, **kwargs) -> None:
        if self.loss_scaler is None:
            return OptimWrapper.step(self, **kwargs)
        return super().step(**kwargs)

    def state_dict(self) -> dict:
        if self.loss_scaler is None:
            return OptimWrapper.state_dict(self)
        return super().state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        if self.loss_scaler is None and 'loss_scaler' in state_dict:
            # a GPU run resumed on a CPU: bf16 has no scale to restore
            state_dict = dict(state_dict)
            state_dict.pop('loss_scaler')
        super().load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context plus autocast where it applies."""
        if self.cast_dtype == torch.bfloat16:
            scores_in_fp32(model)
        if self.loss_scaler is not None:
            with super().optim_context(model):
                yield
            return
        with OptimWrapper.optim_context(self, model), autocast(
                device_type='cpu',
                dtype=self.cast_dtype,
                enabled=self.cast_dtype is not None):
            yield
