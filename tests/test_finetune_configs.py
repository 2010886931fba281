# Copyright (c) OpenMMLab. All rights reserved.
"""Every fine-tune / linear-probe config builds, trains a step, predicts."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.optim import build_optim_wrapper

from motionmae_mm.apis import adapt_cfg_to_machine

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
FINETUNE = sorted((CONFIGS / 'finetune').glob('*.py')) + sorted(
    p for p in (CONFIGS / 'demo').glob('*.py')
    if p.name.startswith(('finetune', 'linear-probe')))


def _name(path: Path) -> str:
    return str(path.relative_to(CONFIGS))


def _tiny(cfg: Config) -> Config:
    """CPU-test sizes; the recipe (optimizer, head, blending) is kept."""
    cfg.model.backbone.update(
        img_size=32, embed_dims=32, depth=2, num_heads=2, num_frames=4)
    if 32 % cfg.model.backbone.patch_size:  # the /14 encoders
        cfg.model.backbone.patch_size = 16
    cfg.model.backbone.init_cfg = None
    cfg.model.cls_head.in_channels = 32
    if 'num_layers' in cfg.optim_wrapper.get('paramwise_cfg', {}):
        cfg.optim_wrapper.paramwise_cfg.num_layers = 2
    return adapt_cfg_to_machine(cfg)


def _samples(labels) -> list:
    return [ActionDataSample().set_gt_labels(int(y)) for y in labels]


def test_all_recipes_present():
    names = {_name(p) for p in FINETUNE}
    for data in ('ssv2', 'k400', 'ucf101', 'hmdb51'):
        assert f'finetune/motionmae_vitb_finetune_{data}.py' in names
    assert 'finetune/motionmae_vitb_linear_ssv2.py' in names
    assert {
        'demo/finetune_vit-tiny_demo.py', 'demo/linear-probe_vit-tiny_demo.py'
    } <= names


@pytest.mark.parametrize('path', FINETUNE, ids=_name)
def test_config_trains_one_step_and_predicts_views(path):
    cfg = Config.fromfile(path)
    init = cfg.model.backbone.init_cfg
    if isinstance(init, dict):  # the contract of DESIGN.md section 8
        assert init == dict(
            type='Pretrained', checkpoint=None, prefix='backbone.')
    num_classes = cfg.model.cls_head.num_classes
    blending = cfg.model.data_preprocessor.get('blending')
    if blending is not None:
        assert {a.num_classes for a in blending.augments} == {num_classes}
    cfg = _tiny(cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    clips = torch.randint(0, 256, (4, 1, 3, 4, 32, 32), dtype=torch.uint8)
    batch = dict(inputs=list(clips), data_samples=_samples([0, 1, 2, 1]))
    frozen = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    log = model.train_step(batch, optim)
    assert torch.isfinite(log['loss'])
    changed = any(not torch.equal(v,
                                  model.backbone.state_dict()[k])
                  for k, v in frozen.items())
    linear = 'linear' in path.name
    assert changed != linear  # a linear probe never moves the encoder
    # multi-view test: 2 clips x 3 crops per video, averaged
    views = torch.randint(0, 256, (2, 6, 3, 4, 32, 32), dtype=torch.uint8)
    out = model.test_step(
        dict(inputs=list(views), data_samples=_samples([0, 1])))
    assert len(out) == 2 and out[0].pred_scores.item.shape == (num_classes, )


def _write_clip(path: Path, frames: int = 40, size=(96, 128)) -> None:
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'mp4v'), 25, size[::-1])
    rng = np.random.default_rng(0)
    for _ in range(frames):
        writer.write(rng.integers(0, 256, (*size, 3), dtype=np.uint8))
    writer.release()


@pytest.mark.parametrize(
    'path', [p for p in FINETUNE if 'vitb' in p.name], ids=_name)
def test_pipelines_produce_configured_views(path, tmp_path):
    video = tmp_path / 'clip.mp4'
    _write_clip(video)
    cfg = Config.fromfile(path)
    frames = cfg.model.backbone.num_frames
    for key, views in (('train', 1), ('val', 1), ('test', None)):
        pipeline = Compose(cfg[f'{key}_dataloader'].dataset.pipeline)
        out = pipeline(
            dict(filename=str(video), label=1, start_index=0, modality='RGB'))
        n, c, t, h, w = out['inputs'].shape
        assert (c, t, h, w) == (3, frames, 224, 224)
        assert out['inputs'].dtype == torch.uint8
        if views is None:  # 2 x 3 for SSv2, 5 x 3 for the others
            views = 6 if 'ssv2' in path.name else 15
        assert n == views, key
