# Copyright (c) OpenMMLab. All rights reserved.
import warnings
from typing import Dict, Optional, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..targets import frame_difference, patch_norm, select_patches


@MODELS.register_module()
class MotionMAEHead(BaseModule):
    """Predicts appearance and motion of masked tokens and scores them.

    * appearance target: the masked tokens' pixels of the un-normalised clip,
      per-patch normalised (``norm_pix``; VideoMAE's ``normlize_target``);
    * motion target: the same tokens of the frame difference
      ``u[t] - u[t - gap]`` (see :func:`frame_difference`), per-patch
      normalised by default (``motion_norm_pix``) so both losses live on the
      same scale.

    Each target has its own linear predictor on the decoder output; a target
    whose loss weight is 0 is dropped entirely (weights and compute), which
    is how the VideoMAE baseline (``motion_weight=0``) is written.

    Args:
        in_dims (int): Decoder width; ``MotionMAE`` sets it from its
            decoder. Defaults to 384.
        patch_size (int): Spatial patch size. Defaults to 16.
        tubelet_size (int): Frames per token. Defaults to 2.
        in_channels (int): Clip channels. Defaults to 3.
        norm_pix (bool): Per-patch normalise the appearance target.
            Defaults to True.
        motion_norm_pix (bool): Per-patch normalise the motion target.
            Defaults to True.
        appearance_weight (float): Weight of the appearance MSE. Defaults
            to 1.
        motion_weight (float): Weight of the motion MSE. Defaults to 1.
        gap (int): Frame gap of the difference. Defaults to 1.
        signed (bool): Signed difference; False = absolute. Defaults to True.
        grayscale (bool): Luma difference (1 channel). Defaults to False.
        loss (dict): Loss between predicted and target tokens. Defaults to
            ``dict(type='MotionMAEReconstructionLoss')`` (MSE).
        normalize (bool, optional): Deprecated name of ``motion_norm_pix``.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_dims: int = 384,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 in_channels: int = 3,
                 norm_pix: bool = True,
                 motion_norm_pix: bool = True,
                 appearance_weight: float = 1.,
                 motion_weight: float = 1.,
                 gap: int = 1,
                 signed: bool = True,
                 grayscale: bool = False,
                 loss: dict = dict(type='MotionMAEReconstructionLoss'),
                 normalize: Optional[bool] = None,
                 init_cfg: Optional[Union[dict, list]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02,
                     bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        if gap < 1:
            raise ValueError(f'model.head.gap={gap} must be >= 1')
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.in_channels = in_channels
        self.norm_pix = norm_pix
        self.gap = gap
        self.signed = signed
        self.grayscale = grayscale
        if normalize is not None:
            warnings.warn(
                'model.head.normalize is deprecated: use '
                'model.head.motion_norm_pix')
            motion_norm_pix = normalize
        self.motion_norm_pix = motion_norm_pix
        names = self.enabled_targets(appearance_weight, motion_weight)
        weights = dict(appearance=appearance_weight, motion=motion_weight)
        self.weights = {name: weights[name] for name in names}
        self.loss_module = MODELS.build(loss)
        pixels = tubelet_size * patch_size * patch_size
        self.predictors = nn.ModuleDict({
            name: nn.Linear(in_dims, pixels * self.target_channels(name))
            for name in self.weights
        })

    @staticmethod
    def enabled_targets(appearance_weight: float = 1.,
                        motion_weight: float = 1.) -> Tuple[str, ...]:
        """Targets a head with these loss weights predicts (weight > 0).

        Lets the model size its decoder branches before the head is built.
        """
        if not (appearance_weight >= 0 and motion_weight >= 0) or not (
                appearance_weight or motion_weight):  # NaN fails >= 0
            raise ValueError(
                'model.head.appearance_weight / motion_weight must be >= 0 '
                f'and not both 0, got {appearance_weight} / {motion_weight}')
        return tuple(name for name, w in (('appearance', appearance_weight),
                                          ('motion', motion_weight)) if w > 0)

    @property
    def target_names(self) -> Tuple[str, ...]:
        """Targets this head predicts, in loss order."""
        return tuple(self.weights)

    def target_channels(self, name: str) -> int:
        """Channels of one target (motion may be grayscale)."""
        if name == 'motion' and self.grayscale:
            return 1
        return self.in_channels

    def target_source(self, name: str, clip: Tensor) -> Tensor:
        """The un-normalised video target ``name`` is cut from.

        Args:
            name (str): ``'appearance'`` or ``'motion'``.
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).

        Returns:
            Tensor: ``clip`` itself, or its frame difference (B, C', T, H, W).
        """
        if name == 'appearance':
            return clip
        return frame_difference(clip, self.gap, self.signed, self.grayscale)

    def is_patch_normalised(self, name: str) -> bool:
        """Whether target ``name`` is per-patch normalised."""
        return self.norm_pix if name == 'appearance' else self.motion_norm_pix

    @torch.no_grad()
    def targets(self, clip: Tensor, mask: Tensor) -> Dict[str, Tensor]:
        """Targets of the masked tokens, in one vectorised pass.

        Only the masked tokens' pixels are gathered (no unfolding of the
        whole clip); equal to ``patchify3d(src)[mask]`` per target.

        Args:
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).
            mask (Tensor): (B, N) bool, True = masked.

        Returns:
            dict[str, Tensor]: per target, (B, N_mask, D).
        """
        out = {}
        for name in self.target_names:
            src = self.target_source(name, clip)
            tokens = select_patches(src, mask, self.tubelet_size,
                                    self.patch_size)
            if self.is_patch_normalised(name):
                tokens = patch_norm(tokens, src.shape[1])
            out[name] = tokens
        return out

    def forward(self, feats: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Predict every target from its decoder branch's masked tokens."""
        return {
            name: self.predictors[name](feats[name])
            for name in self.target_names
        }

    def predict_and_target(self, feats: Dict[str, Tensor], clip: Tensor,
                           mask: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Per target, (prediction, target) of the tokens in ``mask``."""
        preds = self(feats)
        targets = self.targets(clip, mask)
        return {name: (preds[name], targets[name]) for name in preds}

    def loss(self, feats: Dict[str, Tensor], clip: Tensor,
             mask: Tensor) -> Dict[str, Tensor]:
        """Weighted MSE per target over masked tokens only.

        Args:
            feats (dict[str, Tensor]): Decoded tokens per target branch,
                (B, N_mask, in_dims), in ascending token order.
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).
            mask (Tensor): (B, N) bool, True = a token scored here.

        Returns:
            dict[str, Tensor]: ``loss_appearance`` / ``loss_motion``, each
            already multiplied by its weight (mmengine sums ``loss*`` keys).
        """
        pairs = self.predict_and_target(feats, clip, mask)
        return {
            f'loss_{name}': self.weights[name] * self.loss_module(*pairs[name])
            for name in self.target_names
        }
