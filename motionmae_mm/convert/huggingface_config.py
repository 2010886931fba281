# Copyright (c) OpenMMLab. All rights reserved.
"""Architecture checks and configs between our ViT and Hugging Face VideoMAE.

The architecture is read from the built modules (so it is what the
checkpoint's own config made), and everything HF VideoMAE cannot express
stops the export with the reason: layer scale, a custom qk scale, another
activation, a learnt (non-sinusoid) position table, non-square patches.
"""
from typing import Optional, Tuple

import torch
from torch import nn

from ..models.targets import PixelTarget
from ..utils.imagenet import IMAGENET_MEAN, IMAGENET_STD
from .errors import ConversionError


class ArchitectureError(ConversionError):
    """A model HF VideoMAE cannot express."""


def hf_sinusoid_table(num_tokens: int, dims: int) -> torch.Tensor:
    """The fixed table HF VideoMAE computes at run time, (1, N, C)."""
    from transformers.models.videomae.modeling_videomae import \
        get_sinusoid_encoding_table
    return get_sinusoid_encoding_table(num_tokens, dims)


def _check_positions(pos: torch.Tensor, where: str) -> None:
    """Fail unless ``pos`` is HF's fixed sinusoid table (float32 rounding)."""
    table = hf_sinusoid_table(pos.shape[1], pos.shape[2])
    diff = (pos.float() - table).abs().max().item()
    if diff > 1e-5:
        raise ArchitectureError(
            f'{where} is not the fixed sinusoid table HF VideoMAE uses (max '
            f'difference {diff:.3g}); a learnt position table '
            '(use_learnable_pos_emb=True) cannot be exported')


def _block_spec(blocks: nn.ModuleList, where: str) -> dict:
    """Width, heads, MLP size, q/v bias and eps of a stack of our blocks."""
    blk = blocks[0]
    attn = blk.attn
    dims = attn.embed_dims
    if any(hasattr(b, 'gamma_1') for b in blocks):
        raise ArchitectureError(f'{where}: layer scale (init_values > 0) has '
                                'no HF VideoMAE counterpart')
    if abs(attn.scale - (dims // attn.num_heads)**-0.5) > 1e-12:
        raise ArchitectureError(f'{where}: a custom qk_scale has no HF '
                                'VideoMAE counterpart')
    act = blk.mlp.layers[0][1]
    if type(act) is not nn.GELU or act.approximate != 'none':
        raise ArchitectureError(f'{where}: activation {act} (HF VideoMAE '
                                'here: exact GELU)')
    norms = [m for m in blocks.modules() if isinstance(m, nn.LayerNorm)]
    eps = {m.eps for m in norms}
    if len(eps) != 1:
        raise ArchitectureError(f'{where}: LayerNorms with several eps {eps}')
    return dict(
        hidden_size=dims,
        num_layers=len(blocks),
        num_heads=attn.num_heads,
        intermediate_size=blk.mlp.layers[0][0].out_features,
        qv_bias=hasattr(attn, 'q_bias'),
        eps=eps.pop())


def encoder_spec(backbone: nn.Module) -> dict:
    """``VideoMAEConfig`` arguments of our encoder (mmaction2 ViT keys)."""
    from mmaction.models import VisionTransformer
    if not isinstance(backbone, VisionTransformer):
        raise ArchitectureError(
            f'backbone {type(backbone).__name__} has no HF VideoMAE '
            'counterpart (mmaction2 VisionTransformer and subclasses only)')
    embed = backbone.patch_embed
    conv = embed.projection
    t, ph, pw = conv.kernel_size
    if (not isinstance(conv, nn.Conv3d) or conv.stride != conv.kernel_size
            or conv.padding != (0, 0, 0) or embed.norm is not None or ph != pw
            or backbone.grid_size[0] != backbone.grid_size[1]):
        raise ArchitectureError(
            'patch embedding must be a square, non-overlapping Conv3d '
            'without norm on a square grid')
    grid = backbone.grid_size[0]
    spec = _block_spec(backbone.blocks, 'backbone')
    for norm in (backbone.norm, backbone.fc_norm):
        if isinstance(norm, nn.LayerNorm) and norm.eps != spec['eps']:
            raise ArchitectureError('backbone final norm eps differs from '
                                    'the blocks\' (HF has one eps)')
    _check_positions(backbone.pos_embed.detach(), 'backbone.pos_embed')
    num_tokens = backbone.pos_embed.shape[1]
    return dict(
        image_size=grid * ph,
        patch_size=ph,
        num_channels=conv.in_channels,
        num_frames=num_tokens // grid**2 * t,
        tubelet_size=t,
        hidden_size=spec['hidden_size'],
        num_hidden_layers=spec['num_layers'],
        num_attention_heads=spec['num_heads'],
        intermediate_size=spec['intermediate_size'],
        hidden_act='gelu',
        qv_bias=spec['qv_bias'],
        layer_norm_eps=spec['eps'],
        use_mean_pooling=backbone.fc_norm is not None)


def pixel_target_name(head: nn.Module) -> Optional[str]:
    """Name of the head's first pixel target (the input clip itself), the
    one HF's ``VideoMAEForPreTraining`` head predicts; None without one."""
    for name, target in head.targets.items():
        if target.is_input_space:
            return name
    return None


def decoder_spec(model: nn.Module,
                 encoder: dict) -> Tuple[Optional[dict], str]:
    """``VideoMAEConfig`` decoder arguments of a ``MotionMAE`` model.

    Returns:
        tuple: ``(kwargs, branch)`` with the exported decoder branch name,
        or ``(None, reason)`` when HF's decoder cannot hold ours.
    """
    head, neck = model.head, model.neck
    name = pixel_target_name(head)
    if name is None:
        return None, 'the model has no pixel target (PixelTarget)'
    branch = 'shared' if neck.mode == 'shared' else name
    try:
        spec = _block_spec(neck.decoders[branch].blocks, 'decoder')
    except ArchitectureError as err:
        return None, str(err)
    if spec['qv_bias'] != encoder['qv_bias']:
        return None, ('decoder and encoder differ in q/v bias (HF uses one '
                      'qv_bias for both)')
    if spec['eps'] != encoder['layer_norm_eps']:
        return None, ('decoder and encoder LayerNorm eps differ (HF uses '
                      'one layer_norm_eps)')
    target = head.targets[name]
    if target.channels(head.in_channels) != encoder['num_channels']:
        return None, f'{name} target channels differ from the input'
    _check_positions(
        neck._positions(model.backbone.pos_embed.shape[1],
                        model.backbone.pos_embed), 'decoder position table')
    return dict(
        decoder_hidden_size=spec['hidden_size'],
        decoder_num_hidden_layers=spec['num_layers'],
        decoder_num_attention_heads=spec['num_heads'],
        decoder_intermediate_size=spec['intermediate_size'],
        norm_pix_loss=bool(target.norm_pix)), branch


def _mlp_ratio(hidden: int, intermediate: int, where: str) -> float:
    """MLP ratio whose ``int(hidden * ratio)`` gives back ``intermediate``."""
    ratio = intermediate / hidden
    if int(hidden * ratio) != intermediate:
        raise ArchitectureError(
            f'{where}: intermediate_size {intermediate} is '
            f'not representable as hidden x mlp_ratio')
    return ratio


def backbone_cfg_from_hf(config) -> dict:
    """Our ``MotionMAEVisionTransformer`` kwargs of a ``VideoMAEConfig``."""
    if config.hidden_act != 'gelu':
        raise ArchitectureError(
            f'hidden_act={config.hidden_act!r}: ours is exact GELU')
    size, patch = config.image_size, config.patch_size
    if not isinstance(size, int):
        if size[0] != size[1]:
            raise ArchitectureError(f'image_size {size} is not square')
        size = size[0]
    if not isinstance(patch, int):
        if patch[0] != patch[1]:
            raise ArchitectureError(f'patch_size {patch} is not square')
        patch = patch[0]
    return dict(
        type='MotionMAEVisionTransformer',
        img_size=int(size),
        patch_size=int(patch),
        in_channels=int(config.num_channels),
        embed_dims=int(config.hidden_size),
        depth=int(config.num_hidden_layers),
        num_heads=int(config.num_attention_heads),
        mlp_ratio=_mlp_ratio(config.hidden_size, config.intermediate_size,
                             'encoder'),
        qkv_bias=bool(config.qv_bias),
        num_frames=int(config.num_frames),
        tubelet_size=int(config.tubelet_size),
        use_mean_pooling=bool(config.use_mean_pooling),
        norm_cfg=dict(type='LN', eps=float(config.layer_norm_eps)))


def data_preprocessor_cfg() -> dict:
    """mmaction2's preprocessor with HF VideoMAE's ImageNet normalisation."""
    return dict(
        type='ActionDataPreprocessor',
        mean=list(IMAGENET_MEAN),
        std=list(IMAGENET_STD),
        format_shape='NCTHW')


def pretrain_cfg_from_hf(config) -> dict:
    """A VideoMAE (pixel-target-only ``MotionMAE``) model config."""
    return dict(
        type='MotionMAE',
        backbone=backbone_cfg_from_hf(config),
        neck=dict(
            type='MotionMAEDecoder',
            embed_dims=int(config.decoder_hidden_size),
            depth=int(config.decoder_num_hidden_layers),
            num_heads=int(config.decoder_num_attention_heads),
            mlp_ratio=_mlp_ratio(config.decoder_hidden_size,
                                 config.decoder_intermediate_size, 'decoder'),
            mode='shared',
            norm_cfg=dict(type='LN', eps=float(config.layer_norm_eps))),
        head=dict(type='MotionMAEHead'),
        targets={
            PixelTarget.default_name:
            dict(type='PixelTarget', norm_pix=bool(config.norm_pix_loss))
        },
        mask_generator=dict(type='TubeMaskGenerator', mask_ratio=0.9),
        data_preprocessor=data_preprocessor_cfg())


def recognizer_cfg_from_hf(config) -> dict:
    """A ``Recognizer3D`` config of a ``VideoMAEForVideoClassification``."""
    return dict(
        type='Recognizer3D',
        backbone=backbone_cfg_from_hf(config),
        cls_head=dict(
            type='TimeSformerHead',
            num_classes=int(config.num_labels),
            in_channels=int(config.hidden_size),
            average_clips='prob'),
        data_preprocessor=data_preprocessor_cfg())
