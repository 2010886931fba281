# Copyright (c) OpenMMLab. All rights reserved.
"""Tiny checkpoints saved as mmengine saves them, for the converter tests."""
from pathlib import Path
from typing import Tuple

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.logging import MessageHub
from torch import nn

REPO = Path(__file__).resolve().parents[2]
PRETRAIN = REPO / 'configs/demo/motionmae_vit-tiny_demo.py'
FINETUNE = REPO / 'configs/demo/finetune_vit-tiny_demo.py'
LINEAR_PROBE = REPO / 'configs/demo/linear-probe_vit-tiny_demo.py'
# the demo configs (64 px, 8 frames, patch 8) with a 64-wide encoder
TINY_PRETRAIN = """_base_ = ['{base}']
model = dict(
    backbone=dict(embed_dims=64, depth=2, num_heads=2{backbone}),
    neck=dict(embed_dims=32, depth=1, num_heads=2{neck}),
    targets=dict({targets}))
"""
TINY_FINETUNE = """_base_ = ['{base}']
model = dict(
    backbone=dict(embed_dims=64, depth=2, num_heads=2, init_cfg=None),
    cls_head=dict({head}))
"""
LINEAR_PROBE_HEAD = 'in_channels=64'
TIMESFORMER_HEAD = ("_delete_=True, type='TimeSformerHead', num_classes=8, "
                    "in_channels=64, average_clips='prob'")


def save_like_mmengine(path: Path, cfg: Config, model: nn.Module) -> None:
    """What ``Runner.save_checkpoint`` writes: ``meta['cfg']`` is the
    config text, the message hub holds ``HistoryBuffer`` objects."""
    hub = MessageHub.get_instance('converter-test')
    hub.update_scalar('train/loss', 0.5)
    torch.save(
        dict(
            meta=dict(
                cfg=cfg.pretty_text,
                seed=0,
                epoch=1,
                iter=2,
                experiment_name='tiny'),
            state_dict=model.state_dict(),
            message_hub=hub.state_dict()), path)


def _perturbed(cfg: Config, seed: int) -> nn.Module:
    """``cfg.model`` with every tensor distinctive (no 1/0 norms)."""
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
        for name, buf in model.named_buffers():
            if name.endswith('running_var'):
                buf.uniform_(0.5, 2.)
            elif name.endswith('running_mean'):
                buf.normal_()
    model.cfg = cfg
    return model.eval()


def make_pretrain(tmp_path: Path,
                  neck: str = '',
                  targets: str = '',
                  backbone: str = '',
                  seed: int = 0) -> Tuple[Path, nn.Module]:
    """(checkpoint, model) of a tiny MotionMAE pretraining run."""
    config = tmp_path / f'pretrain{seed}.py'
    config.write_text(
        TINY_PRETRAIN.format(
            base=PRETRAIN, neck=neck, targets=targets,
            backbone=backbone))
    cfg = Config.fromfile(str(config))
    model = _perturbed(cfg, seed)
    path = tmp_path / f'pretrain{seed}.pth'
    save_like_mmengine(path, cfg, model)
    return path, model


def make_finetune(tmp_path: Path,
                  head: str = TIMESFORMER_HEAD,
                  seed: int = 1,
                  base: Path = FINETUNE) -> Tuple[Path, nn.Module]:
    """(checkpoint, model) of a tiny fine-tuned Recognizer3D."""
    config = tmp_path / f'finetune{seed}.py'
    config.write_text(TINY_FINETUNE.format(base=base, head=head))
    cfg = Config.fromfile(str(config))
    model = _perturbed(cfg, seed)
    path = tmp_path / f'finetune{seed}.pth'
    save_like_mmengine(path, cfg, model)
    return path, model


def real_clip(model: nn.Module, video: str) -> torch.Tensor:
    """One preprocessed clip of a real video, (1, C, T, H, W): decord
    decoding and the model's own data preprocessor."""
    from motionmae_mm.apis import load_video_inputs
    with torch.no_grad():
        return load_video_inputs(model, video)[:, 0]
