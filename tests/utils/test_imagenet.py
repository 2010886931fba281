# Copyright (c) OpenMMLab. All rights reserved.
"""The configs' literal ImageNet mean/std are the package's constant."""
import pytest
from mmaction.registry import MODELS
from mmengine.config import Config

from motionmae_mm.convert.huggingface_config import data_preprocessor_cfg
from motionmae_mm.utils import IMAGENET_MEAN, IMAGENET_STD
from ..conftest import REPO, tiny_model_cfg


def test_values_are_imagenet_on_the_0_255_scale():
    assert IMAGENET_MEAN == (123.675, 116.28, 103.53)
    assert IMAGENET_STD == (58.395, 57.12, 57.375)


@pytest.mark.parametrize(
    'name',
    ['models/motionmae_vit-base-p16.py', 'models/vit-base-p16_recognizer.py'])
def test_model_configs_normalise_with_the_constant(name):
    cfg = Config.fromfile(REPO / 'configs/_base_' / name)
    assert tuple(cfg.model.data_preprocessor.mean) == IMAGENET_MEAN
    assert tuple(cfg.model.data_preprocessor.std) == IMAGENET_STD


@pytest.mark.parametrize('name', ['k400_finetune.py', 'sthv2_finetune.py'])
def test_dataset_configs_erase_with_the_constant(name):
    cfg = Config.fromfile(REPO / 'configs/_base_/datasets' / name)
    assert tuple(cfg.mean_rgb) == IMAGENET_MEAN
    assert tuple(cfg.std_rgb) == IMAGENET_STD


def test_package_defaults_use_the_constant():
    model = MODELS.build(tiny_model_cfg())  # no data_preprocessor given
    preprocessor = model.data_preprocessor
    assert preprocessor.mean.flatten().tolist() == pytest.approx(IMAGENET_MEAN)
    assert preprocessor.std.flatten().tolist() == pytest.approx(IMAGENET_STD)
    hf = data_preprocessor_cfg()
    assert (hf['mean'], hf['std']) == (list(IMAGENET_MEAN), list(IMAGENET_STD))
