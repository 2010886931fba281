# Copyright (c) OpenMMLab. All rights reserved.
"""inference_pipeline: a config's test pipeline, or one derived from its
training pipeline, shared by load_video_inputs and feature extraction."""
import copy
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from torch import nn

from motionmae_mm.apis import init_model, load_video_inputs
from motionmae_mm.apis.feature_extraction import feature_pipeline
from motionmae_mm.datasets.inference_pipeline import inference_pipeline
from ..conftest import REPO
from ..tools.test_visualize import tiny_setup

K400 = REPO / 'configs/finetune/motionmae_vitb_finetune_k400.py'
SSV2 = REPO / 'configs/finetune/motionmae_vitb_finetune_ssv2.py'
DIGITS = REPO / 'configs/demo/finetune_vit-tiny_digits-demo.py'


class _Model(nn.Module):
    """What inference_pipeline reads of a model: its config and encoder."""

    def __init__(self, cfg: Config, frames: int, size: int, patch: int):
        super().__init__()
        self.cfg = cfg
        self.backbone = nn.Module()
        self.backbone.num_frames = frames
        self.backbone.patch_size = patch
        self.backbone.grid_size = (size // patch, size // patch)


def _test_pipeline(cfg: Config) -> list:
    return copy.deepcopy(
        [dict(s) for s in cfg.test_dataloader.dataset.pipeline])


@pytest.mark.parametrize('crops, crop', [(1, 'CenterCrop'), (3, 'ThreeCrop')])
def test_finetune_config_keeps_its_steps_and_gets_the_clips(crops, crop):
    cfg = Config.fromfile(K400)
    expected = _test_pipeline(cfg)  # 5 clips x ThreeCrop 224 after short 224
    assert expected[1]['num_clips'] == 5
    expected[1]['num_clips'] = 2
    expected[4] = dict(type=crop, crop_size=224)
    got = inference_pipeline(
        _Model(cfg, 16, 224, 16), num_clips=2, crops=crops)
    assert got == expected
    assert got[3] == dict(type='Resize', scale=(-1, 224))
    # asked-for sampling replaces the config's, the rest stays
    got = inference_pipeline(
        _Model(cfg, 16, 224, 16), frame_interval=2, clip_len=8)
    assert got[1] == dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=2,
        num_clips=1,
        test_mode=True)
    # the config is not edited
    assert cfg.test_dataloader.dataset.pipeline[1]['num_clips'] == 5


def test_uniform_sampling_config_has_no_frame_interval():
    cfg = Config.fromfile(SSV2)
    got = inference_pipeline(_Model(cfg, 16, 224, 16), num_clips=3)
    assert got[1]['type'] == 'UniformSample' and got[1]['num_clips'] == 3
    assert got[4] == dict(type='CenterCrop', crop_size=224)
    with pytest.raises(ValueError, match='UniformSample has none'):
        inference_pipeline(_Model(cfg, 16, 224, 16), frame_interval=2)


def test_digits_demo_keeps_its_area_resize_and_three_crops_are_added():
    cfg = Config.fromfile(DIGITS)
    model = _Model(cfg, 4, 16, 4)
    one = inference_pipeline(model)
    assert one == _test_pipeline(cfg)  # no crop step: one whole-frame view
    assert one[3]['interpolation'] == 'area'
    three = inference_pipeline(model, crops=3)
    assert three[:4] == one[:4] and three[5:] == one[4:]
    assert three[4] == dict(type='ThreeCrop', crop_size=16)


def test_skipping_wrapper_is_unwrapped_so_errors_surface(tmp_path):
    cfg = Config.fromfile(DIGITS)
    # a test pipeline that skips unreadable videos, as training ones do
    skipping = cfg.train_dataloader.dataset.pipeline
    cfg.test_dataloader.dataset.pipeline = skipping
    cfg.val_dataloader.dataset.pipeline = skipping
    got = inference_pipeline(_Model(cfg, 4, 16, 4), num_clips=2)
    assert [s['type'] for s in got[:3]
            ] == ['DecordInit', 'SampleFrames', 'DecordDecode']
    assert got[1]['num_clips'] == 2 and got[1]['test_mode']
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'not a video' * 64)
    with pytest.raises(Exception) as err:
        Compose(got)(dict(filename=str(bad), start_index=0, modality='RGB'))
    assert 'skipping' not in str(err.value)


def _old_load_video_inputs(model: nn.Module, video: str) -> torch.Tensor:
    """load_video_inputs as it was before inference_pipeline, written out:
    training SampleFrames interval, encoder's clip length, square resize."""
    size = model.backbone.grid_size[0] * model.backbone.patch_size
    pipeline = Compose([
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=model.backbone.num_frames,
            frame_interval=4,
            num_clips=1,
            test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(size, size), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ])
    data = pipeline(dict(filename=video, start_index=0, modality='RGB'))
    return model.data_preprocessor(
        dict(inputs=[data['inputs']],
             data_samples=[data['data_samples']]))['inputs']


def _write_wide_video(path: Path, frames: int = 24) -> None:
    """Random 48 x 80 frames, so a square resize and a centre crop differ."""
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'mp4v'), 10., (80, 48))
    for _ in range(frames):
        writer.write(rng.integers(0, 256, (48, 80, 3), np.uint8))
    writer.release()


def test_pretraining_config_derives_what_load_video_inputs_used(
        demo_data, tmp_path):
    config, checkpoint, _ = tiny_setup(tmp_path)
    model = init_model(str(config), str(checkpoint))
    assert model.cfg.get('test_dataloader') is None  # pretraining
    wide = tmp_path / 'wide.mp4'
    _write_wide_video(wide)
    generated = sorted((demo_data).rglob('*.mp4'))[0]
    for video in (str(generated), str(wide)):
        torch.testing.assert_close(
            load_video_inputs(model, video),
            _old_load_video_inputs(model, video),
            rtol=0,
            atol=0)
    # feature extraction keeps mmaction2's short side + crop(s)
    size = model.backbone.grid_size[0] * model.backbone.patch_size
    for crops, crop in ((1, 'CenterCrop'), (3, 'ThreeCrop')):
        got = feature_pipeline(model, clips=2, crops=crops)
        assert got[1] == dict(
            type='SampleFrames',
            clip_len=model.backbone.num_frames,
            frame_interval=4,
            num_clips=2,
            test_mode=True)
        assert got[3:5] == [
            dict(type='Resize', scale=(-1, size)),
            dict(type=crop, crop_size=size)
        ]
    with pytest.raises(ValueError, match='whole_frame'):
        inference_pipeline(model, crops=3, whole_frame=True)
