# Copyright (c) OpenMMLab. All rights reserved.
"""Clip features of an mmaction2 ``VisionTransformer``: one definition."""
from torch import Tensor, nn


def encoder_features(backbone: nn.Module,
                     clips: Tensor,
                     feat_map: bool = False) -> Tensor:
    """The mean of the encoder's final-norm tokens, or their map.

    Runs the backbone's own full (unmasked) forward with ``return_feat_map``
    switched on for the call, so any mmaction2 ``VisionTransformer`` (ours
    or stock, pretrained or fine-tuned) gives the same definition.

    Args:
        backbone (nn.Module): An mmaction2 ``VisionTransformer``.
        clips (Tensor): Normalised clips (B, C, T, H, W).
        feat_map (bool): Return the token map instead of the mean.

    Returns:
        Tensor: (B, C): the mean of the final-norm tokens, with ``fc_norm``
        applied after it for an encoder built with ``use_mean_pooling`` (as
        mmaction2 pools); or with ``feat_map`` the tokens as a map
        (B, C, T', H', W').
    """
    previous = backbone.return_feat_map
    backbone.return_feat_map = True
    try:
        tokens = backbone(clips)
    finally:
        backbone.return_feat_map = previous
    if feat_map:
        return tokens
    pooled = tokens.mean((2, 3, 4))
    fc_norm = getattr(backbone, 'fc_norm', None)
    return fc_norm(pooled) if fc_norm is not None else pooled
