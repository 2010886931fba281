# Copyright (c) OpenMMLab. All rights reserved.
"""tools/eval_vos.py end to end: propagate + score, score-only, errors."""
import csv
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from mmaction.models import VisionTransformer
from mmengine.logging import HistoryBuffer
from PIL import Image
from ..conftest import tiny_vit_cfg, tiny_vit_kwargs
from .vos_helpers import trimmed_sample
from ..tool_process import load_tool, run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'eval_vos.py'
CONFIG = REPO / 'configs' / 'vos' / 'davis2017_label_propagation.py'
CRW_CONFIG = REPO / 'configs' / 'vos' / 'davis2017_label_propagation_crw.py'
TINY_OPTIONS = [
    'model.backbone.img_size=64', 'model.backbone.embed_dims=32',
    'model.backbone.depth=1', 'model.backbone.num_heads=2',
    'model.backbone.num_frames=4'
]
eval_vos = load_tool(TOOL)


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory) -> Path:
    """An mmengine-style pretraining checkpoint of a tiny encoder."""
    torch.manual_seed(0)
    enc = VisionTransformer(
        **tiny_vit_kwargs(img_size=64, patch_size=16, depth=1))
    state = {f'backbone.{k}': v for k, v in enc.state_dict().items()}
    state['neck.decoder_pos_embed'] = torch.zeros(1, 4, 8)
    state['head.proj.weight'] = torch.zeros(8, 8)
    buf = HistoryBuffer()
    buf.update(1.0)
    path = tmp_path_factory.mktemp('ckpt') / 'tiny.pth'
    torch.save(
        dict(
            state_dict=state,
            meta=dict(epoch=1, seed=0),
            message_hub=dict(log_scalars={'train/loss': buf})), path)
    return path


def _check_outputs(davis: Path, out: Path, result: dict) -> None:
    for seq in ('blackswan', 'car-shadow'):
        anns = sorted((davis / 'Annotations/480p' / seq).glob('*.png'))
        pngs = sorted((out / seq).glob('*.png'))
        assert [p.name for p in pngs] == [a.name for a in anns]
        for png in pngs[:3]:
            with Image.open(png) as image:
                assert image.mode == 'P' and image.size == (854, 480)
                assert image.getpalette()[3:6] == [128, 0, 0]
                assert set(np.unique(np.array(image))) <= {0, 1}
    rows = list(csv.reader(open(out / 'global_results-val.csv')))
    assert rows[0][0] == 'J&F-Mean' and len(rows[1]) == 7
    assert math.isfinite(float(rows[1][0]))
    assert float(rows[1][0]) == pytest.approx(result['J&F-Mean'], abs=1e-6)
    rows = list(csv.reader(open(out / 'per-sequence_results-val.csv')))
    assert [r[0] for r in rows[1:]] == ['blackswan_1', 'car-shadow_1']


def test_propagate_and_score_real_sample(davis_sample: Path, tmp_path: Path,
                                         tiny_checkpoint: Path) -> None:
    """DINO preset, tiny random encoder, 8 frames per sequence, 160 px."""
    davis = trimmed_sample(davis_sample, tmp_path / 'davis', 8)
    out = tmp_path / 'out'
    result = eval_vos.main([
        str(CONFIG),
        str(tiny_checkpoint), '--data-root',
        str(davis), '--out-dir',
        str(out), '--device', 'cpu', '--no-progress', '--cfg-options',
        *TINY_OPTIONS, 'frames.short_side=160', 'frames.size_divisor=32'
    ])
    _check_outputs(davis, out, result)
    # the returned row is the official scoring of the written PNGs
    from motionmae_mm.evaluation.vos import evaluate_results
    rescored = evaluate_results(davis, out, progress=False).global_results()
    assert {k: result[k] for k in rescored} == rescored
    assert result['J&F-Mean'] == pytest.approx(
        (result['J-Mean'] + result['F-Mean']) / 2, abs=1e-12)


def test_crw_preset_with_pairs(davis_sample: Path, tmp_path: Path,
                               tiny_checkpoint: Path) -> None:
    davis = trimmed_sample(davis_sample, tmp_path / 'davis', 6)
    out = tmp_path / 'out'
    result = eval_vos.main([
        str(CRW_CONFIG),
        str(tiny_checkpoint), '--data-root',
        str(davis), '--out-dir',
        str(out), '--no-progress', '--cfg-options', *TINY_OPTIONS,
        'frames.fixed_size=(96,176)', 'features.tubelet_mode=pair',
        'features.batch_size=4'
    ])
    _check_outputs(davis, out, result)


def test_score_only(davis_sample: Path, tmp_path: Path) -> None:
    results = tmp_path / 'osvos'
    shutil.copytree(davis_sample / 'reference_results' / 'osvos', results)
    row = eval_vos.main([
        '--score-only', '--data-root',
        str(davis_sample), '--results-dir',
        str(results), '--no-progress'
    ])
    assert row['J&F-Mean'] == pytest.approx(0.940731, abs=1e-6)
    lines = (results / 'global_results-val.csv').read_text().splitlines()
    assert lines[1].startswith('0.940731,0.935711,1.000000,0.055844,')


def test_cli_errors(davis_sample: Path, tmp_path: Path) -> None:
    """Bad input ends with one line on stderr naming the file, exit 1."""
    results = tmp_path / 'res'
    shutil.copytree(davis_sample / 'reference_results' / 'osvos', results)
    bad = results / 'car-shadow' / '00005.png'
    with Image.open(bad) as image:
        image.convert('RGB').save(bad)
    proc = run_tool(TOOL, '--score-only', '--data-root', davis_sample,
                    '--results-dir', results, '--no-progress')
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and 'Traceback' not in proc.stderr
    assert str(bad) in last and "'RGB'" in last

    with pytest.raises(SystemExit):
        eval_vos.parse_args(['--data-root', 'x'])  # neither config nor -s


def test_bad_checkpoint_is_one_line(davis_sample: Path, tmp_path: Path,
                                    capsys) -> None:
    ckpt = tmp_path / 'wrong.pth'
    torch.save({'state_dict': {'backbone.norm.weight': torch.ones(3)}}, ckpt)
    with pytest.raises(SystemExit) as info:
        eval_vos.main([
            str(CONFIG),
            str(ckpt), '--data-root',
            str(davis_sample), '--out-dir',
            str(tmp_path / 'o'), '--no-progress', '--cfg-options',
            *TINY_OPTIONS
        ])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert '\n' not in err and 'wrong.pth' in err and 'missing' in err


def test_segmenter_multi_object_and_void(tmp_path: Path) -> None:
    """Two objects and a void region: ids 0..2 out, void never predicted."""
    from .vos_helpers import moving_squares, write_davis

    from motionmae_mm.evaluation.vos import evaluate_results, read_index_png
    from motionmae_mm.evaluation.vos.runner import DavisSegmenter
    labels = moving_squares(6, size=(64, 96))
    labels[:, 56:, :8] = 255  # void corner
    davis = write_davis(tmp_path / 'd', {'squares': labels})
    cfg = dict(
        model=dict(
            backbone=tiny_vit_cfg(
                type='VisionTransformer', depth=1, num_frames=2)),
        frames=dict(short_side=64, size_divisor=8),
        propagation=dict(radius=3))
    DavisSegmenter.from_config(cfg).run(davis, tmp_path / 'o', progress=False)
    outs = [
        read_index_png(tmp_path / 'o' / 'squares' / f'{t:05d}.png')
        for t in range(6)
    ]
    assert all(o.shape == (64, 96) for o in outs)
    assert set(np.unique(np.stack(outs))) <= {0, 1, 2}
    assert set(np.unique(outs[0])) == {0, 1, 2}
    scores = evaluate_results(davis, tmp_path / 'o', progress=False)
    assert [o.name for o in scores.objects] == ['squares_1', 'squares_2']
    assert math.isfinite(scores.global_results()['J&F-Mean'])


def test_safetensors_checkpoint_segments_like_pth(tmp_path: Path,
                                                  tiny_checkpoint: Path):
    """eval_vos reads the .safetensors twin: the same masks and scores."""
    from .vos_helpers import moving_squares, write_davis

    from motionmae_mm.utils import publish_checkpoint
    davis = write_davis(tmp_path / 'd', {'squares': moving_squares(5)})
    _, twin = publish_checkpoint(str(tiny_checkpoint), str(tmp_path / 'p'))
    results = []
    for name, ckpt in (('pth', tiny_checkpoint), ('st', twin)):
        results.append(eval_vos.main([
            str(CONFIG),
            str(ckpt), '--data-root',
            str(davis), '--out-dir',
            str(tmp_path / name), '--device', 'cpu', '--no-progress',
            '--cfg-options', *TINY_OPTIONS, 'frames.short_side=64',
            'frames.size_divisor=16'
        ]))
    assert results[0] == results[1]
    for t in range(1, 5):
        png = f'squares/{t:05d}.png'
        assert (tmp_path / 'pth' / png).read_bytes() == (tmp_path / 'st' /
                                                         png).read_bytes()
def test_encoder_is_model_backbone() -> None:
    from motionmae_mm.evaluation.vos.runner import encoder_cfg
    vit = dict(type='VisionTransformer', img_size=32)
    assert encoder_cfg(dict(model=dict(backbone=vit))) == vit
    with pytest.warns(DeprecationWarning, match='model=dict\\(backbone='):
        assert encoder_cfg(dict(model=vit)) == vit  # the old layout
    with pytest.raises(
            KeyError,
            match='model.img_size is not read; the '
            'encoder is model.backbone'):
        encoder_cfg(dict(model=dict(backbone=vit, img_size=64)))
