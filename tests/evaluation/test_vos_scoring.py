# Copyright (c) OpenMMLab. All rights reserved.
"""DAVIS scorer: parity with the official evaluator, arithmetic, errors."""
import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from .vos_helpers import moving_squares, write_davis

from motionmae_mm.evaluation.vos import (DavisFormatError, boundary_map,
                                         evaluate_results, f_measure, jaccard,
                                         read_index_png, statistics,
                                         write_index_png, write_results_csv)
from motionmae_mm.evaluation.vos.metrics import decay_bins, disk_kernel

TOL = 1e-6


def _read_csv(path: Path, run: str) -> list:
    with open(path) as handle:
        return [row for row in csv.DictReader(handle) if row['run'] == run]


def _first_frame_copy(davis: Path, out: Path) -> Path:
    """Rebuild the reference ``first_frame_copy`` run."""
    for seq in ('blackswan', 'car-shadow'):
        anns = sorted((davis / 'Annotations' / '480p' / seq).glob('*.png'))
        (out / seq).mkdir(parents=True)
        for ann in anns:
            shutil.copy(anns[0], out / seq / ann.name)
    return out


def _check_against_reference(scores, davis: Path, run: str) -> None:
    ref = davis / 'reference_results'
    expected = _read_csv(ref / 'expected_global.csv', run)[0]
    got = scores.global_results()
    for key, value in got.items():
        assert value == pytest.approx(float(expected[key]), abs=TOL), key
    per_object = {
        (r['sequence'], int(r['object'])): r
        for r in _read_csv(ref / 'expected_per_object.csv', run)
    }
    assert len(per_object) == len(scores.objects)
    for obj in scores.objects:
        row = per_object[(obj.sequence, obj.object_id)]
        stats = dict(
            zip(('J-Mean', 'J-Recall', 'J-Decay'), obj.j_stats),
            **dict(zip(('F-Mean', 'F-Recall', 'F-Decay'), obj.f_stats)))
        for key, value in stats.items():
            assert value == pytest.approx(float(row[key]), abs=TOL), key
    frames = _read_csv(ref / 'expected_per_frame.csv', run)
    by_key = {(o.sequence, o.object_id): o for o in scores.objects}
    assert len(frames) == sum(len(o.frame_ids) for o in scores.objects)
    for row in frames:
        obj = by_key[(row['sequence'], int(row['object']))]
        t = obj.frame_ids.index(row['frame'])
        assert obj.j[t] == pytest.approx(float(row['J']), abs=TOL)
        assert obj.f[t] == pytest.approx(float(row['F']), abs=TOL)


def test_parity_osvos(davis_sample: Path) -> None:
    results = davis_sample / 'reference_results' / 'osvos'
    scores = evaluate_results(davis_sample, results, progress=False)
    _check_against_reference(scores, davis_sample, 'osvos')
    assert scores.global_results()['J&F-Mean'] == pytest.approx(
        0.940731, abs=TOL)


def test_parity_first_frame_copy(davis_sample: Path, tmp_path: Path) -> None:
    results = _first_frame_copy(davis_sample, tmp_path / 'ffc')
    scores = evaluate_results(davis_sample, results, progress=False)
    _check_against_reference(scores, davis_sample, 'first_frame_copy')


def test_ground_truth_scores_one(davis_sample: Path) -> None:
    scores = evaluate_results(
        davis_sample, davis_sample / 'Annotations' / '480p', progress=False)
    row = scores.global_results()
    for key in ('J&F-Mean', 'J-Mean', 'J-Recall', 'F-Mean', 'F-Recall'):
        assert row[key] == 1.0
    assert row['J-Decay'] == 0.0 and row['F-Decay'] == 0.0


def _split_halves(labels: np.ndarray) -> np.ndarray:
    """Object 1 on the left half stays 1, on the right half becomes 2."""
    out = labels.copy()
    half = labels.shape[-1] // 2
    right = out[..., half:]
    right[right == 1] = 2
    return out


def test_multi_object_split(davis_sample: Path, tmp_path: Path) -> None:
    """car-shadow's object split into ids 1 and 2, in GT and prediction."""
    seq = 'car-shadow'
    src_ann = sorted((davis_sample / 'Annotations/480p' / seq).glob('*.png'))
    src_pred = davis_sample / 'reference_results/osvos' / seq
    root, res = tmp_path / 'davis', tmp_path / 'res'
    (root / 'JPEGImages/480p').mkdir(parents=True)
    (root / 'ImageSets/2017').mkdir(parents=True)
    (root / 'ImageSets/2017/val.txt').write_text(seq + '\n')
    (root / 'JPEGImages/480p' / seq).symlink_to(
        (davis_sample / 'JPEGImages/480p' / seq).resolve())
    gts, preds = [], []
    for ann in src_ann:
        gt = _split_halves(read_index_png(ann))
        pred = _split_halves(read_index_png(src_pred / ann.name))
        write_index_png(root / 'Annotations/480p' / seq / ann.name, gt)
        write_index_png(res / seq / ann.name, pred)
        gts.append(gt)
        preds.append(pred)
    gts, preds = np.stack(gts)[1:-1], np.stack(preds)[1:-1]
    scores = evaluate_results(root, res, progress=False)
    assert [o.name for o in scores.objects] == [f'{seq}_1', f'{seq}_2']
    for obj in scores.objects:
        k = obj.object_id
        # per-frame J recomputed by hand from the raw masks
        inter = ((gts == k) & (preds == k)).sum(axis=(1, 2))
        union = ((gts == k) | (preds == k)).sum(axis=(1, 2))
        np.testing.assert_allclose(obj.j, inter / union)
    row = scores.global_results()
    j_means = [o.j_stats[0] for o in scores.objects]
    f_means = [o.f_stats[0] for o in scores.objects]
    assert row['J-Mean'] == pytest.approx(np.mean(j_means))
    assert row['J&F-Mean'] == pytest.approx(
        (np.mean(j_means) + np.mean(f_means)) / 2)
    # the split object is not the single object: numbers differ from 1-obj
    single = evaluate_results(
        davis_sample,
        davis_sample / 'reference_results/osvos',
        sequences=[seq],
        progress=False)
    assert single.objects[0].j_stats[0] != pytest.approx(j_means[0])

    # a prediction that only knows object 1: object 2 scores J = 0
    for path in sorted((res / seq).glob('*.png')):
        lab = read_index_png(path)
        lab[lab == 2] = 0
        write_index_png(path, lab)
    partial = evaluate_results(root, res, progress=False)
    assert partial.objects[1].j_stats == (0.0, 0.0, 0.0)
    assert partial.objects[0].j_stats == scores.objects[0].j_stats


def test_hand_computed_two_objects(tmp_path: Path) -> None:
    """Two objects, three-frame sequence: one scored frame, known J."""
    gt = np.zeros((3, 20, 20), np.uint8)
    gt[:, 2:6, 2:6] = 1  # 16 px
    gt[:, 10:20, 10:20] = 2  # 100 px
    pred = gt.copy()
    pred[1, 2:6, 2:4] = 0  # object 1: 8 of 16
    pred[1, 10:20, 10:15] = 1  # object 2 keeps 50 px; object 1 gains 50
    write_davis(tmp_path / 'd', {'toy': gt})
    for t in range(3):
        write_index_png(tmp_path / 'r' / 'toy' / f'{t:05d}.png', pred[t])
    scores = evaluate_results(tmp_path / 'd', tmp_path / 'r', progress=False)
    j1, j2 = (o.j[0] for o in scores.objects)
    assert j1 == pytest.approx(8 / (16 + 50))
    assert j2 == pytest.approx(50 / 100)
    assert scores.global_results()['J-Mean'] == pytest.approx((j1 + j2) / 2)
    assert scores.global_results()['J-Recall'] == pytest.approx(0.0)


def test_metric_edge_cases() -> None:
    empty = np.zeros((8, 8), bool)
    full = np.ones((8, 8), bool)
    box = np.zeros((8, 8), bool)
    box[2:5, 2:5] = True
    assert jaccard(empty, empty) == 1.0
    assert jaccard(box, empty) == 0.0
    assert f_measure(empty, empty) == 1.0  # no boundary on either side
    assert f_measure(box, empty) == 0.0
    assert f_measure(empty, box) == 0.0
    assert f_measure(box, box) == 1.0
    assert f_measure(full, full) == 1.0
    # seg2bmap convention: pixels before a change, last row/col special
    bmap = boundary_map(box)
    assert bmap[1, 1] and bmap[4, 4] and not bmap[5, 5] and not bmap[2, 2]
    assert not boundary_map(full).any()
    assert disk_kernel(1).tolist() == [[0, 1, 0], [1, 1, 1], [0, 1, 0]]
    assert disk_kernel(8).sum() == 197


def test_statistics_bins() -> None:
    # 48 frames: quarters [0..12], [12..24], [24..35], [35..47]
    assert decay_bins(48).tolist() == [0, 12, 24, 35, 47]
    values = np.zeros(48)
    values[:13] = 1.0
    mean, recall, decay = statistics(values)
    assert mean == pytest.approx(13 / 48)
    assert recall == pytest.approx(13 / 48)
    assert decay == pytest.approx(1.0)
    values = np.linspace(0, 1, 10)
    ids = decay_bins(10)
    expect = values[ids[0]:ids[1] + 1].mean() - values[ids[3]:ids[4] +
                                                       1].mean()
    assert statistics(values)[2] == pytest.approx(expect)
    assert statistics(np.array([0.5, 0.6]))[1] == 0.5  # strictly > 0.5


def test_csv_layout(davis_sample: Path, tmp_path: Path) -> None:
    scores = evaluate_results(
        davis_sample, davis_sample / 'reference_results/osvos', progress=False)
    (tmp_path / 'global_results-val.csv').write_text('stale\n')
    g, s = write_results_csv(scores, tmp_path)
    rows = list(csv.reader(open(g)))
    assert rows[0] == [
        'J&F-Mean', 'J-Mean', 'J-Recall', 'J-Decay', 'F-Mean', 'F-Recall',
        'F-Decay'
    ]
    assert rows[1][0] == '0.940731'
    assert all(len(v.split('.')[1]) >= 6 for v in rows[1])
    rows = list(csv.reader(open(s)))
    assert rows[0] == ['Sequence', 'J-Mean', 'F-Mean']
    assert rows[1] == ['blackswan_1', '0.943020', '0.974096']
    assert rows[2] == ['car-shadow_1', '0.928402', '0.917407']


# ---------------------------------------------------------------- errors
@pytest.fixture
def toy(tmp_path: Path):
    labels = moving_squares(4)
    root = write_davis(tmp_path / 'd', {'toy': labels})
    res = tmp_path / 'r'
    for t, lab in enumerate(labels):
        write_index_png(res / 'toy' / f'{t:05d}.png', lab)
    return root, res, labels


def _one_line_error(func, *needles) -> str:
    with pytest.raises(DavisFormatError) as info:
        func()
    msg = str(info.value)
    assert '\n' not in msg
    for needle in needles:
        assert needle in msg, msg
    return msg


def test_error_missing_sequence(toy) -> None:
    root, res, _ = toy
    (root / 'ImageSets/2017/val.txt').write_text('toy\nghost\n')
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    'ghost', 'not found')


def test_error_count_mismatch(toy) -> None:
    root, res, _ = toy
    (root / 'Annotations/480p/toy/00003.png').unlink()
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    'Annotations/480p/toy', '3 annotations for 4 frames')


def test_error_id_not_in_first_frame(toy) -> None:
    root, res, labels = toy
    bad = labels[2].copy()
    bad[0:3, 0:3] = 7
    write_index_png(root / 'Annotations/480p/toy/00002.png', bad)
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    '00002.png', '[7]', 'not in the first frame')


def test_error_rgb_result(toy) -> None:
    root, res, labels = toy
    rgb = np.stack([labels[1] * 100] * 3, axis=-1).astype(np.uint8)
    Image.fromarray(rgb).save(res / 'toy' / '00001.png')
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    'r/toy/00001.png', "'RGB'")


def test_error_result_id_too_high_and_missing(toy) -> None:
    root, res, labels = toy
    bad = labels[1].copy()
    bad[0, 0] = 3
    write_index_png(res / 'toy' / '00001.png', bad)
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    '00001.png', 'id 3')
    (res / 'toy' / '00001.png').unlink()
    _one_line_error(lambda: evaluate_results(root, res, progress=False),
                    '00001.png', 'not found')


def test_l_mode_results_are_valid(toy) -> None:
    root, res, labels = toy
    for t, lab in enumerate(labels):
        Image.fromarray(lab).save(res / 'toy' / f'{t:05d}.png')
    scores = evaluate_results(root, res, progress=False)
    assert scores.global_results()['J&F-Mean'] == 1.0
