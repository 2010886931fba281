# Copyright (c) OpenMMLab. All rights reserved.
from .reconstruction_loss import MotionMAEReconstructionLoss

__all__ = ['MotionMAEReconstructionLoss']
