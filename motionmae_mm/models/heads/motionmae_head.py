# Copyright (c) OpenMMLab. All rights reserved.
from typing import Dict, Mapping, Optional, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..targets import BaseTarget


@MODELS.register_module()
class MotionMAEHead(BaseModule):
    """Predicts every named target at the masked tokens and scores it.

    One linear predictor per target name (``predictors.<name>``, output
    ``tubelet * patch * patch * channels`` of that target) on the decoder
    branch of the same name; each target cuts its own tokens from the
    un-normalised clip and weighs its own loss, logged as ``loss_<name>``.
    The ``MotionMAE`` model passes ``model.targets`` here.

    Args:
        targets (dict): Target name -> target config (e.g.
            ``dict(type='PixelTarget')``) or built :class:`BaseTarget`.
        in_dims (int): Decoder width; ``MotionMAE`` sets it from its
            decoder. Defaults to 384.
        patch_size (int): Spatial patch size. Defaults to 16.
        tubelet_size (int): Frames per token. Defaults to 2.
        in_channels (int): Clip channels. Defaults to 3.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 targets: Mapping[str, Union[dict, BaseTarget]],
                 in_dims: int = 384,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 in_channels: int = 3,
                 init_cfg: Optional[Union[dict, list]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02,
                     bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        if not targets:
            raise ValueError('model.targets must name at least one target, '
                             "e.g. dict(pixels=dict(type='PixelTarget'))")
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.in_channels = in_channels
        self.targets = nn.ModuleDict({
            name: target if isinstance(target, nn.Module) else
            MODELS.build(target)
            for name, target in targets.items()
        })
        for name, target in self.targets.items():
            if not isinstance(target, BaseTarget):
                raise TypeError(f'model.targets.{name}: '
                                f'{type(target).__name__} is not a target '
                                '(a BaseTarget subclass)')
        pixels = tubelet_size * patch_size * patch_size
        self.predictors = nn.ModuleDict({
            name: nn.Linear(in_dims, pixels * target.channels(in_channels))
            for name, target in self.targets.items()
        })

    @property
    def target_names(self) -> Tuple[str, ...]:
        """Targets this head predicts, in loss order."""
        return tuple(self.targets)

    @torch.no_grad()
    def compute_targets(self, clip: Tensor,
                        mask: Tensor) -> Dict[str, Tensor]:
        """Per target, its tokens at ``mask`` (B, N_mask, D).

        Args:
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).
            mask (Tensor): (B, N) bool, True = masked.
        """
        return {
            name: target(clip, mask, self.tubelet_size, self.patch_size)
            for name, target in self.targets.items()
        }

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
        targets = self.compute_targets(clip, mask)
        return {name: (preds[name], targets[name]) for name in preds}

    def loss(self, feats: Dict[str, Tensor], clip: Tensor,
             mask: Tensor) -> Dict[str, Tensor]:
        """Each target's weighted loss over masked tokens only.

        Args:
            feats (dict[str, Tensor]): Decoded tokens per target branch,
                (B, N_mask, in_dims), in ascending token order.
            clip (Tensor): Un-normalised clip in [0, 1], (B, C, T, H, W).
            mask (Tensor): (B, N) bool, True = a token scored here.

        Returns:
            dict[str, Tensor]: ``loss_<name>`` per target, already weighted
            (mmengine sums ``loss*`` keys).
        """
        pairs = self.predict_and_target(feats, clip, mask)
        return {
            f'loss_{name}': self.targets[name].loss(*pairs[name])
            for name in self.target_names
        }
