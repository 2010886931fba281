# Copyright (c) OpenMMLab. All rights reserved.
"""Pretrain a config in-process and draw what the model learned.

``tools/demo.py`` and the motion benchmark run the same sequence: adapt the
config to the machine, build the Runner, train, read the final losses and
the last checkpoint, draw one clip's reconstruction. These two calls are
that sequence.
"""
import os.path as osp
import time
from typing import Dict, Optional, Sequence

import torch
from mmengine.config import Config

from ..datasets.video_inputs import load_video_inputs
from .inference import init_model
from .runtime import adapt_cfg_to_machine, build_runner


def configure_pretrain(cfg: Config,
                       data_root: str,
                       work_dir: str,
                       ann_file: str = 'pretrain.txt') -> Config:
    """Point a pretraining config at a data folder and a work dir.

    The training list is ``data_root/ann_file`` with paths relative to
    ``data_root`` (the demo data's layout); the launcher is ``'none'``.

    Returns:
        Config: The same object, updated in place.
    """
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.train_dataloader.dataset.ann_file = osp.join(data_root, ann_file)
    cfg.train_dataloader.dataset.data_prefix = dict(video=data_root)
    return cfg


def pretrain(cfg: Config,
             loss_keys: Optional[Sequence[str]] = None,
             window: int = 10) -> Dict:
    """Train ``cfg`` with its Runner; the last checkpoint and final losses.

    Args:
        cfg: The merged config (``work_dir`` set); adapted to the machine
            in place (:func:`adapt_cfg_to_machine`).
        loss_keys: Logged losses to report (e.g. ``('loss',
            'loss_motion')``; a missing one raises ``KeyError``). Default:
            every ``loss*`` the run logged, in logging order.
        window: The losses are the mean of the last ``window`` iterations.

    Returns:
        dict: ``checkpoint`` (absolute path of the last checkpoint),
        ``losses`` and ``first_losses`` (name -> mean of the last / first
        ``window`` iterations of this run) and ``seconds`` (wall time of
        building and training).
    """
    start = time.time()
    runner = build_runner(adapt_cfg_to_machine(cfg))
    runner.train()
    hub = runner.message_hub
    if loss_keys is None:
        loss_keys = [
            key[len('train/'):] for key in hub.log_scalars
            if key.startswith('train/loss')
        ]
    losses, first_losses = {}, {}
    for key in loss_keys:
        history = hub.get_scalar(f'train/{key}')
        losses[key] = float(history.mean(window))
        first_losses[key] = float(history.data[0][:window].mean())
    seconds = time.time() - start
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        checkpoint = osp.abspath(f.read().strip())
    del runner
    return dict(checkpoint=checkpoint, losses=losses,
                first_losses=first_losses, seconds=seconds)


def draw_reconstruction(cfg: Config,
                        checkpoint: str,
                        video: str,
                        path: str,
                        seed: int = 0) -> str:
    """Save the reconstruction grid of one clip as a PNG.

    Rows: original / masked / per target its target and reconstruction,
    from :func:`~motionmae_mm.visualization.
    reconstruction_rows`; the mask is drawn after ``torch.manual_seed(seed)``
    so the picture is the same on every call.

    Returns:
        str: ``path``.
    """
    from ..visualization import (make_grid, reconstruction_rows, row_labels,
                                 save_image)
    model = init_model(cfg, checkpoint)
    torch.manual_seed(seed)
    rows = reconstruction_rows(model, load_video_inputs(model, video))
    save_image(path, make_grid(rows, labels=row_labels(model)))
    return path
