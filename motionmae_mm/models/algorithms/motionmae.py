# Copyright (c) OpenMMLab. All rights reserved.
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor

from ...utils.imagenet import IMAGENET_MEAN, IMAGENET_STD
from ..mask_generators import BaseMaskGenerator, select_decoder_targets
from ..targets import check_replaced_head_keys
from ..utils import encoder_features

_IMAGENET = dict(
    mean=list(IMAGENET_MEAN), std=list(IMAGENET_STD), format_shape='NCTHW')


@MODELS.register_module()
class MotionMAE(BaseModel):
    """MotionMAE: masked video autoencoder with pixel + motion targets.

    Implementation of `Self-supervised Video Representation Learning with
    Motion-Aware Masked Autoencoders <https://arxiv.org/abs/2210.04154>`_.

    preprocess -> draw mask (on device) -> encode visible tokens -> decode
    masked tokens -> predict every target -> its loss on masked tokens.
    Targets come from the un-normalised clip, recovered from the data
    preprocessor's mean/std, so the data pipeline stays mmaction2's.
    Modules are built in data-flow order: the decoder from the encoder, the
    head from the decoder.

    The targets are registered modules named in the config (MotionMAE: a
    ``PixelTarget`` and a ``FrameDifferenceTarget``; VideoMAE: the pixel
    target alone); each name gets a decoder branch, a predictor and a
    ``loss_<name>``.

    Args:
        backbone (dict): ``MotionMAEVisionTransformer`` config.
        neck (dict): ``MotionMAEDecoder`` config; ``in_dims`` defaults to the
            encoder width and ``branches`` to the target names.
        head (dict): ``MotionMAEHead`` config; ``in_dims`` defaults to the
            decoder width, ``patch_size`` and ``tubelet_size`` to the
            encoder's; its ``targets`` are ``targets``.
        targets (dict): Target name -> target config (see
            ``models/targets``), e.g. ``dict(appearance=dict(
            type='PixelTarget'))``; at least one. Required.
        mask_generator (dict): Mask generator config, e.g.
            ``dict(type='FrameRandomMaskGenerator', mask_ratio=0.9)``.
        decoder_mask_ratio (float): Share of the masked tokens that the
            decoder leaves out (VideoMAE V2's dual masking): fewer tokens
            decoded and scored, a cheaper step. 0 decodes every masked
            token. Defaults to 0.
        decoder_mask_mode (str): ``'random'`` or ``'running_cell'`` (see
            :func:`select_decoder_targets`). Defaults to ``'random'``.
        data_preprocessor (dict, optional): Defaults to mmaction2's
            ``ActionDataPreprocessor`` with ImageNet mean/std (x255).
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 targets: Optional[Dict[str, dict]] = None,
                 mask_generator: dict = dict(
                     type='FrameRandomMaskGenerator', mask_ratio=0.9),
                 decoder_mask_ratio: float = 0.,
                 decoder_mask_mode: str = 'random',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor', **_IMAGENET)
        if isinstance(data_preprocessor, dict):  # resolve in mmaction's scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        check_replaced_head_keys(head)
        if not targets:
            raise ValueError(
                'model.targets must name at least one target, e.g. '
                "dict(pixels=dict(type='PixelTarget'))")
        # The decoder follows the encoder and the head the decoder unless
        # told otherwise, so swapping the backbone (e.g. ViT-L) is one key;
        # the decoder's branches and the head's predictors follow targets.
        self.backbone = MODELS.build(backbone)
        neck = dict(neck)
        neck.setdefault('in_dims', self.backbone.embed_dims)
        neck.setdefault('branches', tuple(targets))
        self.neck = MODELS.build(neck)
        head = dict(head)
        head.setdefault('in_dims', self.neck.embed_dims)
        head.setdefault('patch_size', self.backbone.patch_size)
        head.setdefault('tubelet_size', self.backbone.tubelet_size)
        head['targets'] = {
            name: MODELS.build(cfg) if isinstance(cfg, dict) else cfg
            for name, cfg in targets.items()
        }
        self.head = MODELS.build(head)
        self.mask_generator: BaseMaskGenerator = MODELS.build(mask_generator)
        if not 0 <= decoder_mask_ratio < 1:
            raise ValueError(f'model.decoder_mask_ratio={decoder_mask_ratio} '
                             'must be in [0, 1)')
        self.decoder_mask_ratio = decoder_mask_ratio
        self.decoder_mask_mode = decoder_mask_mode
        self._check_sizes()

    def _check_sizes(self) -> None:
        """Targets, head and encoder agree on frames and token size."""
        for name, target in self.head.targets.items():
            target.check_frames(name, self.backbone.num_frames)
        for key in ('patch_size', 'tubelet_size'):
            if getattr(self.head, key) != getattr(self.backbone, key):
                raise ValueError(
                    f'model.head.{key}={getattr(self.head, key)} differs from'
                    f' model.backbone.{key}={getattr(self.backbone, key)}')
        if set(self.neck.branches) != set(self.head.target_names):
            raise ValueError(
                f'model.neck.branches={list(self.neck.branches)} differ from '
                f'the names of model.targets {list(self.head.target_names)}')

    def _clip(self, inputs: Tensor) -> Tensor:
        """(B, views, C, T, H, W) -> (B * views, C, T, H, W)."""
        return inputs.reshape((-1, ) + inputs.shape[-4:])

    def grid(self, clip: Tensor) -> Tuple[int, int, int]:
        """Token grid (T', H', W') of a clip."""
        T, H, W = clip.shape[-3:]
        p, t = self.backbone.patch_size, self.backbone.tubelet_size
        if T % t or H % p or W % p:
            raise ValueError(
                f'clip of {T}x{H}x{W} (frames x height x width) is not '
                f'divisible by tubelet {t} x patch {p}x{p}')
        return T // t, H // p, W // p

    def unnormalize(self, clip: Tensor) -> Tensor:
        """Undo the preprocessor's normalisation, back to [0, 1] pixels."""
        pre = self.data_preprocessor
        if not getattr(pre, '_enable_normalize', False):
            return clip / 255.
        return (clip * pre.std + pre.mean) / 255.

    def extract_feat(self, inputs: Tensor, feat_map: bool = False) -> Tensor:
        """Clip features of the full (unmasked) encoder.

        Args:
            inputs (Tensor): Normalised clips (B, [views,] C, T, H, W).
            feat_map (bool): Return the token map instead of its mean.

        Returns:
            Tensor: the mean of the encoder's final-norm tokens (B, C) (an
            encoder built with ``use_mean_pooling`` applies its ``fc_norm``
            to that mean, as in mmaction2), or with ``feat_map`` the
            final-norm tokens as a map (B, C, T', H', W').
        """
        return encoder_features(self.backbone, self._clip(inputs), feat_map)

    def encode_decode(self,
                      clip: Tensor,
                      mask: Tensor,
                      target_mask: Optional[Tensor] = None
                      ) -> Dict[str, Tensor]:
        """Encode visible tokens and decode the ``target_mask`` ones (every
        masked token by default) per branch."""
        return self.neck(self.backbone(clip, mask), mask, target_mask)

    def draw_mask(self, clip: Tensor, raw: Tensor) -> Tensor:
        """Draw a mask for ``clip`` (content-aware generators see ``raw``)."""
        return self.mask_generator(
            clip.shape[0], self.grid(clip), clip.device, clip=raw)

    def loss(self, inputs: Tensor,
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """``loss_<name>`` of every target for one batch."""
        clip = self._clip(inputs)
        raw = self.unnormalize(clip)
        mask = self.draw_mask(clip, raw)
        target_mask = select_decoder_targets(mask, self.decoder_mask_ratio,
                                             self.decoder_mask_mode,
                                             self.grid(clip))
        feats = self.encode_decode(clip, mask, target_mask)
        return self.head.loss(feats, raw, target_mask)

    def parse_losses(self, losses: Dict[str, Tensor]
                     ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """mmengine's, plus the terms left in the message hub (not saved
        in checkpoints), so a non-finite loss is named in the error."""
        loss, log_vars = super().parse_losses(losses)
        MessageHub.get_current_instance().update_info(
            'loss_terms', {k: v.detach() for k, v in log_vars.items()},
            resumed=False)
        return loss, log_vars

    @torch.no_grad()
    def reconstruct(self,
                    inputs: Tensor,
                    mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Predictions and targets of the masked tokens, for pictures.

        Returns:
            dict[str, Tensor]: ``clip`` (un-normalised), ``mask`` and, per
            target, ``pred_<name>`` and ``target_<name>`` (B, N_mask, D).
        """
        clip = self._clip(inputs)
        raw = self.unnormalize(clip)
        if mask is None:
            mask = self.draw_mask(clip, raw)
        pairs = self.head.predict_and_target(
            self.encode_decode(clip, mask), raw, mask)
        out = dict(clip=raw, mask=mask)
        for name, (pred, target) in pairs.items():
            out[f'pred_{name}'] = pred
            out[f'target_{name}'] = target
        return out

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """``mode='loss'`` returns the loss dict, ``'tensor'`` the clip
        features of :meth:`extract_feat` (B, C)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(
            f"MotionMAE supports mode 'loss' and 'tensor', got '{mode}'")
