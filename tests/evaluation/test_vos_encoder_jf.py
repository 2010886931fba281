# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.evaluation.vos.davis_jf: one encoder's DAVIS J&F."""
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from motionmae_mm.evaluation.vos import davis_jf, evaluate_results
from ..conftest import REPO, build_tiny_vit, tiny_vit_cfg
from .vos_helpers import trimmed_sample

VOS_CONFIG = str(REPO / 'configs/vos/davis2017_label_propagation.py')


def test_davis_jf_on_the_sample(davis_sample: Path, tmp_path: Path) -> None:
    davis = trimmed_sample(davis_sample, tmp_path / 'davis', 6)
    backbone = build_tiny_vit(img_size=16, embed_dims=16, depth=1)
    ckpt = tmp_path / 'enc.pth'
    torch.save(
        dict(state_dict={
            f'backbone.{k}': v
            for k, v in backbone.state_dict().items()
        }), ckpt)
    cfg = tiny_vit_cfg(
        img_size=16, embed_dims=16, depth=1, init_cfg=dict(type='Pretrained'))
    out = tmp_path / 'out'
    scores = davis_jf(VOS_CONFIG, cfg, str(ckpt), str(davis), str(out), 64)
    # the official global row of the written results, in percent
    row = evaluate_results(davis, out, progress=False).global_results()
    assert scores == {k: 100 * v for k, v in row.items()}
    assert scores['J&F-Mean'] == (scores['J-Mean'] + scores['F-Mean']) / 2
    # every frame segmented at the annotation size; frame 0 is the given one
    for seq in ('blackswan', 'car-shadow'):
        anns = sorted((davis / 'Annotations/480p' / seq).glob('*.png'))
        pngs = sorted((out / seq).glob('*.png'))
        assert [p.name for p in pngs] == [a.name for a in anns]
        with Image.open(pngs[0]) as first, Image.open(anns[0]) as given:
            assert first.size == given.size == (854, 480)
            np.testing.assert_array_equal(np.array(first), np.array(given))
    # deterministic: a second run writes the same scores
    again = davis_jf(VOS_CONFIG, cfg, str(ckpt), str(davis),
                     str(tmp_path / 'again'), 64)
    assert again == scores
