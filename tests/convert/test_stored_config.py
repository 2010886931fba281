# Copyright (c) OpenMMLab. All rights reserved.
"""A checkpoint's stored config is read as data, never executed."""
import pytest
from mmengine.config import Config

from motionmae_mm.convert.stored_config import (StoredConfigError, config_text,
                                                model_cfg_from_text)
from .helpers import PRETRAIN


def test_a_real_config_text_gives_its_model():
    cfg = Config.fromfile(str(PRETRAIN))
    model = model_cfg_from_text(cfg.pretty_text)
    assert model == cfg.model.to_dict()
    assert model['backbone']['embed_dims'] == 192
    assert model_cfg_from_text(config_text(model)) == model


@pytest.mark.parametrize('text, message', [
    ("model = __import__('os').system('touch {marker}')", 'Call'),
    ("model = dict(backbone=open('{marker}', 'w'))", 'Call'),
    ('model = dict(**extra)', r'\*\*'),
    ('x = 1', 'no top-level'),
    ('model = dict(', 'not Python'),
])
def test_code_in_a_stored_config_is_refused(tmp_path, text, message):
    marker = tmp_path / 'ran'
    with pytest.raises(StoredConfigError, match=message):
        model_cfg_from_text(text.format(marker=marker))
    assert not marker.exists()
