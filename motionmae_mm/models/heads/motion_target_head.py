# Copyright (c) OpenMMLab. All rights reserved.
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..targets import frame_difference, patch_norm, select_patches


@MODELS.register_module()
class MotionMAEHead(BaseModule):
    """Predicts appearance and motion of masked tokens and scores them.

    * appearance target: the masked tokens' pixels of the un-normalised clip,
      per-patch normalised (VideoMAE's ``normlize_target``);
    * motion target: the same tokens of the frame difference
      ``u[t] - u[t - gap]`` (see :func:`frame_difference`), per-patch
      normalised by default so both losses live on the same scale.

    Each target has its own linear predictor on the decoder output; a target
    whose loss weight is 0 is dropped entirely (weights and compute), which
    is how the VideoMAE baseline (``motion_weight=0``) is written.

    Args:
        in_dims (int): Decoder width. Defaults to 384.
        patch_size (int): Spatial patch size. Defaults to 16.
        tubelet_size (int): Frames per token. Defaults to 2.
        in_channels (int): Clip channels. Defaults to 3.
        norm_pix (bool): Per-patch normalise the appearance target.
            Defaults to True.
        appearance_weight (float): Weight of the appearance MSE. Defaults
            to 1.
        motion_weight (float): Weight of the motion MSE. Defaults to 1.
        gap (int): Frame gap of the difference. Defaults to 1.
        signed (bool): Signed difference; False = absolute. Defaults to True.
        grayscale (bool): Luma difference (1 channel). Defaults to False.
        normalize (bool): Per-patch normalise the motion target. Defaults to
            True.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_dims: int = 384,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 in_channels: int = 3,
                 norm_pix: bool = True,
                 appearance_weight: float = 1.,
                 motion_weight: float = 1.,
                 gap: int = 1,
                 signed: bool = True,
                 grayscale: bool = False,
                 normalize: bool = True,
                 init_cfg: Optional[Union[dict, list]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02,
                     bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        if appearance_weight < 0 or motion_weight < 0 or not (
                appearance_weight or motion_weight):
            raise ValueError(
                'model.head.appearance_weight / motion_weight must be >= 0 '
                f'and not both 0, got {appearance_weight} / {motion_weight}')
        if gap < 1:
            raise ValueError(f'model.head.gap={gap} must be >= 1')
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.in_channels = in_channels
        self.norm_pix = norm_pix
        self.gap = gap
        self.signed = signed
        self.grayscale = grayscale
        self.normalize = normalize
        self.weights = {
            name: w
            for name, w in (('appearance', appearance_weight),
                            ('motion', motion_weight)) if w > 0
        }
        pixels = tubelet_size * patch_size * patch_size
        self.predictors = nn.ModuleDict({
            name: nn.Linear(in_dims, pixels * self.target_channels(name))
            for name in self.weights
        })

    @property
    def target_names(self) -> Tuple[str, ...]:
        """Targets this head predicts, in loss order."""
        return tuple(self.weights)

    def target_channels(self, name: str) -> int:
        """Channels of one target (motion may be grayscale)."""
        if name == 'motion' and self.grayscale:
            return 1
        return self.in_channels

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
            if name == 'appearance':
                src, norm = clip, self.norm_pix
            else:
                src = frame_difference(clip, self.gap, self.signed,
                                       self.grayscale)
                norm = self.normalize
            tokens = select_patches(src, mask, self.tubelet_size,
                                    self.patch_size)
            if norm:
                tokens = patch_norm(tokens, src.shape[1])
            out[name] = tokens
        return out

    def forward(self, feats: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Predict every target from its decoder branch's masked tokens."""
        return {
            name: self.predictors[name](feats[name])
            for name in self.target_names
        }

    def loss(self, feats: Dict[str, Tensor], clip: Tensor,
             mask: Tensor) -> Dict[str, Tensor]:
        """Weighted MSE per target over masked tokens only.

        Returns:
            dict[str, Tensor]: ``loss_appearance`` / ``loss_motion``, each
            already multiplied by its weight (mmengine sums ``loss*`` keys).
        """
        preds = self(feats)
        targets = self.targets(clip, mask)
        return {
            f'loss_{name}': w * F.mse_loss(preds[name].float(), targets[name])
            for name, w in self.weights.items()
        }
