# Copyright (c) OpenMMLab. All rights reserved.
"""One pretraining step of a config, the way training runs it."""
from typing import List, Optional

import torch
from mmengine.optim import build_optim_wrapper

from ..apis.runtime import AMP_TWIN, adapt_cfg_to_machine
from .build import build_model, clip_shape

FP32_TWIN = {amp: fp32 for fp32, amp in AMP_TWIN.items()}
PRECISIONS = ('config', 'fp32', 'amp')


class PretrainStep:
    """``model.train_step`` of a config's model and optim wrapper.

    The batch is synthetic uint8 clips of the configured size; masks are
    drawn by the model, as in training.

    Args:
        config (str): Pretraining config file.
        cfg_options (list[str], optional): ``key=value`` overrides.
        batch_size (int): Clips per step.
        device (torch.device): Where to run.
        precision (str): ``'config'`` (the config's optim wrapper),
            ``'fp32'`` (its fp32 twin) or ``'amp'`` (its AMP twin: bf16
            autocast on CPU). Defaults to ``'config'``.
        compile_step (bool): ``torch.compile`` the step, as mmengine does
            for ``compile=True``. Defaults to False.
    """

    def __init__(self,
                 config: str,
                 cfg_options: Optional[List[str]],
                 batch_size: int,
                 device: torch.device,
                 precision: str = 'config',
                 compile_step: bool = False) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision='{precision}' must be one of "
                             f'{PRECISIONS}')
        model, cfg = build_model(config, cfg_options)
        cfg = adapt_cfg_to_machine(cfg)
        optim = cfg.optim_wrapper
        if precision != 'config':
            twins = AMP_TWIN if precision == 'amp' else FP32_TWIN
            optim.type = twins.get(optim.type, optim.type)
            if precision == 'fp32':  # AMP-only arguments
                for key in ('loss_scale', 'dtype', 'use_fsdp'):
                    optim.pop(key, None)
        self.model = model.to(device).train()
        self.optim_wrapper = build_optim_wrapper(self.model, optim)
        self.shape = clip_shape(self.model)
        gen = torch.Generator().manual_seed(0)
        clips = torch.randint(
            0,
            256, (batch_size, 1, *self.shape),
            generator=gen,
            dtype=torch.uint8)
        self.data = dict(inputs=list(clips), data_samples=None)
        self.batch_size = batch_size
        self.train_step = self.model.train_step
        if compile_step or cfg.get('compile', False):
            self.train_step = torch.compile(self.model.train_step)

    @property
    def autocast_dtype(self) -> Optional[torch.dtype]:
        """The optim wrapper's autocast dtype (None: fp32)."""
        return getattr(self.optim_wrapper, 'cast_dtype', None)

    @property
    def tokens_per_clip(self) -> int:
        backbone = self.model.backbone
        return (backbone.num_frames // backbone.tubelet_size *
                backbone.grid_size[0] * backbone.grid_size[1])

    def __call__(self) -> None:
        self.train_step(self.data, self.optim_wrapper)
