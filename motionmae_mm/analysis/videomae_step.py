# Copyright (c) OpenMMLab. All rights reserved.
"""A pretraining step of VideoMAE's official code, to time beside ours.

Needs a checkout of github.com/MCG-NJU/VideoMAE (nothing of it is shipped
here). timm is not needed: if it is absent, the four helpers VideoMAE
imports from it are provided in-process.
"""
import importlib
import importlib.util
import os.path as osp
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn

from ..models.mask_generators import TubeMaskGenerator
from .pretrain_step import PretrainStep


def timm_shim() -> None:
    """The four timm helpers VideoMAE imports, if timm is not installed."""
    if importlib.util.find_spec('timm') is not None:
        return

    def drop_path(x: torch.Tensor,
                  drop_prob: float = 0.,
                  training: bool = False) -> torch.Tensor:
        if drop_prob == 0. or not training:
            return x
        keep = 1 - drop_prob
        shape = (x.shape[0], ) + (1, ) * (x.ndim - 1)
        return x * x.new_empty(shape).bernoulli_(keep) / keep

    def to_2tuple(x):
        return tuple(x) if isinstance(x, (tuple, list)) else (x, x)

    timm = types.ModuleType('timm')
    models = types.ModuleType('timm.models')
    layers = types.ModuleType('timm.models.layers')
    registry = types.ModuleType('timm.models.registry')
    layers.drop_path = drop_path
    layers.to_2tuple = to_2tuple
    layers.trunc_normal_ = nn.init.trunc_normal_
    registry.register_model = lambda fn: fn
    timm.models, models.layers, models.registry = models, layers, registry
    sys.modules.update({
        'timm': timm,
        'timm.models': models,
        'timm.models.layers': layers,
        'timm.models.registry': registry
    })


def import_videomae(root: str) -> types.ModuleType:
    """VideoMAE's ``modeling_pretrain`` from a checkout, by file path (the
    checkout is not put on ``sys.path``, so its ``utils.py``,
    ``datasets.py`` etc. shadow nothing)."""
    modules = {}
    for name in ('modeling_finetune', 'modeling_pretrain'):
        path = osp.join(root, f'{name}.py')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'--videomae-root {root}: no {name}.py (expected a checkout '
                'of github.com/MCG-NJU/VideoMAE)')
        if name in sys.modules:
            modules[name] = sys.modules[name]
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules['modeling_pretrain']


class VideoMAEStep:
    """A pretraining step of VideoMAE's own code, sized like our config.

    Mirrors VideoMAE's ``train_one_epoch``: under ``no_grad`` the clip is
    un-normalised, cut into all tokens, per-patch normalised (unbiased std)
    and gathered at the masked tokens; then model forward, MSE, backward and
    ``torch.optim.AdamW`` (decay off for 1-D parameters, biases and
    ``no_weight_decay()`` names, as its ``optim_factory``). Tube masks, as
    its data loader draws them, are made before the timer starts.
    """

    def __init__(self, root: str, ours: PretrainStep, batch_size: int,
                 device: torch.device) -> None:
        timm_shim()
        modeling = import_videomae(root)
        backbone, neck = ours.model.backbone, ours.model.neck
        block = backbone.blocks[0]
        dec_blocks = next(iter(neck.decoders.values())).blocks
        self.patch = backbone.patch_size
        self.tubelet = backbone.tubelet_size
        self.model = modeling.PretrainVisionTransformer(
            img_size=backbone.grid_size[0] * self.patch,
            patch_size=self.patch,
            encoder_embed_dim=backbone.embed_dims,
            encoder_depth=len(backbone.blocks),
            encoder_num_heads=block.attn.num_heads,
            decoder_num_classes=3 * self.tubelet * self.patch**2,
            decoder_embed_dim=neck.embed_dims,
            decoder_depth=len(dec_blocks),
            decoder_num_heads=dec_blocks[0].attn.num_heads,
            mlp_ratio=block.mlp.layers[0][0].out_features /
            backbone.embed_dims,
            qkv_bias=hasattr(block.attn, 'q_bias'),
            norm_layer=lambda dim: nn.LayerNorm(dim, eps=1e-6),
            tubelet_size=self.tubelet).to(device).train()
        if self.model.encoder.patch_embed.num_patches != \
                ours.tokens_per_clip:
            # VideoMAE's PatchEmbed assumes 16 frames
            raise ValueError('--videomae-root needs 16-frame clips')
        skip = set(self.model.no_weight_decay())
        decay, no_decay = [], []
        for name, param in self.model.named_parameters():
            if param.ndim == 1 or name.endswith('.bias') or name in skip:
                no_decay.append(param)
            else:
                decay.append(param)
        opt = ours.optim_wrapper.optimizer.defaults
        self.optimizer = torch.optim.AdamW([
            dict(params=no_decay, weight_decay=0.),
            dict(params=decay, weight_decay=opt['weight_decay'])
        ],
                                           lr=opt['lr'],
                                           betas=opt['betas'],
                                           eps=opt['eps'])
        pre = ours.model.data_preprocessor
        self.mean = (pre.mean / 255.).view(1, 3, 1, 1, 1).to(device)
        self.std = (pre.std / 255.).view(1, 3, 1, 1, 1).to(device)
        clips = torch.stack(ours.data['inputs']).to(device).float()[:, 0]
        self.videos = (clips / 255. - self.mean) / self.std
        self.grid = ours.model.grid(self.videos)
        self.masker = TubeMaskGenerator(0.9)
        self.device = device
        self.next_mask()

    def next_mask(self) -> None:
        """Draw the next step's tube mask (the data loader's job)."""
        self.mask = self.masker(self.videos.shape[0], self.grid, self.device)

    def _labels(self) -> torch.Tensor:
        with torch.no_grad():
            videos = self.videos * self.std + self.mean
            B, C, T, H, W = videos.shape
            t, p = self.tubelet, self.patch
            v = videos.reshape(B, C, T // t, t, H // p, p, W // p, p)
            v = v.permute(0, 2, 4, 6, 3, 5, 7, 1)
            v = v.reshape(B, -1, t * p * p, C)
            v = (v - v.mean(dim=-2, keepdim=True)) / (
                v.var(dim=-2, unbiased=True, keepdim=True).sqrt() + 1e-6)
            v = v.reshape(B, v.shape[1], -1)
            return v[self.mask].reshape(B, -1, v.shape[-1])

    def __call__(self) -> None:
        labels = self._labels()
        outputs = self.model(self.videos, self.mask)
        loss = F.mse_loss(outputs, labels)
        loss.item()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
