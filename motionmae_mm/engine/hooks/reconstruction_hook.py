# Copyright (c) OpenMMLab. All rights reserved.
from types import SimpleNamespace
from typing import Optional, Sequence

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor

from ...datasets.video_inputs import load_video_inputs
from ...visualization import make_grid, reconstruction_rows, row_labels
from ..fsdp.wrapper import skip_when_sharded

DATA_BATCH = Optional[dict]


@HOOKS.register_module()
class MotionMAEReconstructionHook(Hook):
    """Logs the reconstruction grid to the visualizer every N iterations.

    The grid is the one ``tools/visualize_reconstruction.py`` draws (rows
    original / masked input / per target name its target and prediction),
    so people can watch training rather than read
    losses. It is built from the first clip of the current batch, or from
    ``video`` when given (the same clip every time, easier to compare), with
    the model in eval mode under ``no_grad``; the mask is drawn from a
    forked RNG seeded with ``seed``, so training's random stream is
    untouched. Sent as ``visualizer.add_image('reconstruction', grid,
    step=iteration)`` (1-based, the logger's step); ``LocalVisBackend``
    writes ``vis_data/vis_image/reconstruction_<step>.png``. Main process
    only.

    Args:
        interval (int): Every ``interval`` training iterations, and after
            the last one. Defaults to 500.
        video (str, optional): A video file to reconstruct instead of the
            batch. Frames are sampled like the training pipeline's
            ``SampleFrames`` (centred clip). Defaults to None.
        seed (int): Mask seed. Defaults to 0.
        scale (int): Zoom factor of the grid. Defaults to 2.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 500,
                 video: Optional[str] = None,
                 seed: int = 0,
                 scale: int = 2) -> None:
        if interval < 1:
            raise ValueError(f'MotionMAEReconstructionHook: interval='
                             f'{interval} must be a positive integer')
        self.interval = interval
        self.video = video
        self.seed = seed
        self.scale = scale
        self._video_inputs: Optional[Tensor] = None

    @staticmethod
    def _model(runner) -> torch.nn.Module:
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _load_video(self, runner, model: torch.nn.Module) -> Tensor:
        """Preprocessed inputs of ``self.video``, decoded once."""
        cfg = runner.cfg
        try:
            pipeline = cfg.train_dataloader.dataset.pipeline
        except (AttributeError, KeyError):
            pipeline = []  # a Runner built without a full config
        proxy = SimpleNamespace(
            cfg=Config(
                dict(train_dataloader=dict(dataset=dict(pipeline=pipeline)))),
            backbone=model.backbone,
            data_preprocessor=model.data_preprocessor)
        return load_video_inputs(proxy, self.video)

    def _inputs(self, runner, model: torch.nn.Module,
                data_batch: DATA_BATCH) -> Tensor:
        """Preprocessed (1, views, C, T, H, W) inputs to draw."""
        if self.video is not None:
            if self._video_inputs is None:
                self._video_inputs = self._load_video(runner, model)
            return self._video_inputs
        first = {
            key: value[:1] if isinstance(value, (Sequence, Tensor)) else value
            for key, value in data_batch.items()
        }
        return model.data_preprocessor(first, training=False)['inputs']

    def draw(self, runner, data_batch: DATA_BATCH = None) -> np.ndarray:
        """The grid (H, W, 3) uint8 for the current model."""
        model = self._model(runner)
        was_training = model.training
        devices = list(range(torch.cuda.device_count()))
        model.eval()
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=devices):
                torch.manual_seed(self.seed)
                inputs = self._inputs(runner, model, data_batch)
                rows = reconstruction_rows(model, inputs)
        finally:
            model.train(was_training)
        return make_grid(rows, scale=self.scale, labels=row_labels(model))

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        """Draw and log the grid every ``interval`` iterations."""
        if skip_when_sharded(runner, self):
            return
        if not (self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            return
        if not is_main_process():
            return
        if self.video is None and data_batch is None:
            return
        runner.visualizer.add_image(
            'reconstruction',
            self.draw(runner, data_batch),
            step=runner.iter + 1)
