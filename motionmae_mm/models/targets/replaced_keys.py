# Copyright (c) OpenMMLab. All rights reserved.
"""Head keys that targets replaced, and the one error that names the new
key (docs/design.md, deprecation log)."""
from typing import Mapping

#: Old ``model.head`` key -> where its setting lives now.
REPLACED_HEAD_KEYS = {
    'appearance_weight': 'model.targets.appearance.loss.loss_weight',
    'motion_weight': ('model.targets.motion.loss.loss_weight (drop the '
                      'motion entry for VideoMAE)'),
    'norm_pix': 'model.targets.appearance.norm_pix',
    'motion_norm_pix': 'model.targets.motion.norm_pix',
    'normalize': 'model.targets.motion.norm_pix',
    'gap': 'model.targets.motion.gap',
    'signed': 'model.targets.motion.signed',
    'grayscale': 'model.targets.motion.grayscale',
    'loss': 'model.targets.<name>.loss',
}


def check_replaced_head_keys(head: Mapping) -> None:
    """Raise ``ValueError`` naming the new key of each replaced one that
    the ``model.head`` config ``head`` still sets."""
    found = [key for key in REPLACED_HEAD_KEYS if key in head]
    if found:
        raise ValueError('; '.join(
            f'model.head.{key} was replaced by {REPLACED_HEAD_KEYS[key]}'
            for key in found))
