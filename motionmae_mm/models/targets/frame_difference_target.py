# Copyright (c) OpenMMLab. All rights reserved.
from mmaction.registry import MODELS
from torch import Tensor

from .base_target import DEFAULT_LOSS, BaseTarget
from .frame_difference import frame_difference


@MODELS.register_module()
class FrameDifferenceTarget(BaseTarget):
    """MotionMAE's motion target: the frame difference ``u[t] - u[t-gap]``.

    Cut from :func:`frame_difference` of the un-normalised clip; per-patch
    normalised by default so its loss lives on the pixel target's scale
    (raw differences are small and the term nearly vanishes).

    Args:
        gap (int): Frame distance within the sampled clip. Defaults to 1.
        signed (bool): Signed difference; False = absolute. Defaults to True.
        grayscale (bool): Difference of BT.601 luma (1 channel). Defaults
            to False.
        norm_pix (bool): Per-patch normalise. Defaults to True.
        loss (dict): See :class:`BaseTarget`.
    """

    def __init__(self,
                 gap: int = 1,
                 signed: bool = True,
                 grayscale: bool = False,
                 norm_pix: bool = True,
                 loss: dict = DEFAULT_LOSS) -> None:
        super().__init__(norm_pix=norm_pix, loss=loss)
        if gap < 1:
            raise ValueError(f'FrameDifferenceTarget gap={gap} must be >= 1')
        self.gap = gap
        self.signed = signed
        self.grayscale = grayscale

    def source(self, clip: Tensor) -> Tensor:
        """:func:`frame_difference` of ``clip`` (B, C or 1, T, H, W)."""
        return frame_difference(clip, self.gap, self.signed, self.grayscale)

    def channels(self, in_channels: int) -> int:
        """1 with ``grayscale``, else the clip's channels."""
        return 1 if self.grayscale else in_channels

    def check_frames(self, name: str, num_frames: int) -> None:
        """The gap must leave at least one frame pair."""
        if self.gap >= num_frames:
            raise ValueError(
                f'model.targets.{name}.gap={self.gap} must be smaller than '
                f'model.backbone.num_frames={num_frames}')

    def display(self, video: Tensor) -> Tensor:
        """Zero change at mid-grey (signed) or black (absolute)."""
        return 0.5 + 0.5 * video if self.signed else video
