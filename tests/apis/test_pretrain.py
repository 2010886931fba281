# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.apis.pretrain: what tools/demo.py and the benchmark run."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from motionmae_mm.apis import configure_pretrain, draw_reconstruction, pretrain
from ..conftest import REPO, check_reconstruction_grid

DEMO = REPO / 'configs/demo/motionmae_vit-tiny_demo.py'


def _tiny_demo_cfg(data_root, work_dir) -> Config:
    cfg = configure_pretrain(
        Config.fromfile(DEMO), str(data_root), str(work_dir))
    cfg.merge_from_dict({
        'custom_hooks': [],
        'model.backbone.embed_dims': 32,
        'model.backbone.depth': 1,
        'model.backbone.num_heads': 2,
        'model.neck.embed_dims': 16,
        'model.neck.depth': 1,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'default_hooks.logger.interval': 1,
    })
    return cfg


def test_configure_pretrain(tmp_path):
    cfg = configure_pretrain(Config.fromfile(DEMO), '/data/x', str(tmp_path))
    assert cfg.work_dir == str(tmp_path) and cfg.launcher == 'none'
    assert cfg.train_dataloader.dataset.ann_file == '/data/x/pretrain.txt'
    assert cfg.train_dataloader.dataset.data_prefix == dict(video='/data/x')


def test_pretrain_and_draw(demo_data, tmp_path):
    cfg = _tiny_demo_cfg(demo_data, tmp_path / 'work')
    out = pretrain(cfg)  # 8 clips, batch 4: 2 iterations
    with open(tmp_path / 'work' / 'last_checkpoint') as f:
        assert out['checkpoint'] == osp.abspath(f.read().strip())
    assert out['checkpoint'].endswith('epoch_1.pth')
    assert list(out['losses']) == ['loss', 'loss_appearance', 'loss_motion']
    assert out['seconds'] > 0
    # the mean of the last 10 (here: both) iterations, as mmengine logs it
    scalars = next((tmp_path / 'work').rglob('scalars.json'))
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    last = [row for row in rows if 'loss' in row][-1]  # not epoch scalars
    assert last['iter'] == 2
    for key, value in out['losses'].items():
        assert value == pytest.approx(last[key], abs=1e-4), key
    assert out['losses']['loss'] == pytest.approx(
        out['losses']['loss_appearance'] + out['losses']['loss_motion'])
    with pytest.raises(KeyError):
        pretrain(
            _tiny_demo_cfg(demo_data, tmp_path / 'w2'), loss_keys=['nope'])

    picture = str(tmp_path / 'recon.png')
    video = str(demo_data / 'val/right/right_0000.mp4')
    assert draw_reconstruction(cfg, out['checkpoint'], video,
                               picture) == picture
    first = cv2.imread(picture)[..., ::-1]
    # demo model: 8 frames of 64 px, 8-px patches, tubelet 2, 0.5 masked
    check_reconstruction_grid(first, 8, 64, 8, 2, masked_per_slot=32)
    draw_reconstruction(cfg, out['checkpoint'], video, picture)
    np.testing.assert_array_equal(cv2.imread(picture)[..., ::-1], first)
