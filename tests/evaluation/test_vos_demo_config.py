# Copyright (c) OpenMMLab. All rights reserved.
"""configs/vos/davis2017_label_propagation_demo.py fits the demo encoder."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from motionmae_mm.evaluation.vos.runner import DavisSegmenter
from motionmae_mm.utils import register_all_modules
from motionmae_mm.utils import read_checkpoint

REPO = Path(__file__).resolve().parents[2]
VOS = REPO / 'configs' / 'vos'


@pytest.fixture(scope='module')
def demo_checkpoint(tmp_path_factory) -> Path:
    """A checkpoint of the `make demo` model (random weights)."""
    from mmaction.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs/demo/motionmae_vit-tiny_demo.py')
    model = MODELS.build(cfg.model)
    path = tmp_path_factory.mktemp('demo') / 'epoch_8.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=8)), path)
    return path


def test_demo_vos_config_loads_the_demo_checkpoint(demo_checkpoint):
    cfg = Config.fromfile(VOS / 'davis2017_label_propagation_demo.py')
    segmenter = DavisSegmenter.from_config(cfg, demo_checkpoint)
    encoder = segmenter.extractor.encoder
    state = read_checkpoint(demo_checkpoint)['state_dict']
    assert torch.equal(encoder.patch_embed.projection.weight,
                       state['backbone.patch_embed.projection.weight'])
    assert segmenter.short_side == 240


def test_base_vos_config_refuses_the_demo_checkpoint(demo_checkpoint):
    cfg = Config.fromfile(VOS / 'davis2017_label_propagation.py')
    with pytest.raises(ValueError, match='does not fit MotionMAEVisionTransformer'):
        DavisSegmenter.from_config(cfg, demo_checkpoint)
