# Copyright (c) OpenMMLab. All rights reserved.
"""Evaluation tools beyond mmengine metrics (DAVIS VOS)."""
