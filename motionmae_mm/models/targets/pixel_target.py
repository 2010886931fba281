# Copyright (c) OpenMMLab. All rights reserved.
from mmaction.registry import MODELS
from torch import Tensor

from .base_target import BaseTarget


@MODELS.register_module()
class PixelTarget(BaseTarget):
    """The un-normalised clip itself: VideoMAE's pixel (appearance) target.

    With ``norm_pix`` (default) each token is per-patch normalised, as
    VideoMAE's ``normlize_target``. See :class:`BaseTarget` for the
    arguments.
    """

    is_input_space = True
    #: The name a converted VideoMAE checkpoint gives this target.
    default_name = 'appearance'

    def source(self, clip: Tensor) -> Tensor:
        """The clip, unchanged."""
        return clip
