# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.evaluation.summary and visualization.bar_chart."""
import numpy as np
import pytest
from PIL import Image

from motionmae_mm.evaluation import (aggregate, format_mean_std,
                                     markdown_table, mean_std, write_summary)
from motionmae_mm.visualization import bar_chart

COLUMNS = dict(
    probe_acc='probe (%)', finetune_acc='fine-tune (%)', loss_motion='loss')


def _runs():
    return [
        dict(
            variant='a',
            seed=s,
            probe_acc=50. + s,
            finetune_acc=40.,
            pretrain_s=10.) for s in range(3)
    ] + [dict(variant='b', seed=0, probe_acc=70., loss_motion=0.5)]


def test_format_mean_std():
    assert format_mean_std([50.]) == '50.0'
    assert format_mean_std([50., 60., 70.]) == '60.0 ± 10.0'
    assert format_mean_std([1.23456, 1.23456], 3) == '1.235 ± 0.000'
    assert format_mean_std([]) == '–'
    mean, std = mean_std([1., 2., 3., 4.])
    assert mean == 2.5 and std == pytest.approx(np.std([1, 2, 3, 4], ddof=1))


def test_aggregate_and_table():
    summary = aggregate(_runs(), ['a', 'b', 'missing'], list(COLUMNS))
    assert list(summary) == ['a', 'b']
    assert summary['a']['seeds'] == [0, 1, 2]
    assert summary['a']['probe_acc'] == dict(
        values=[50., 51., 52.], mean=51., std=1.)
    assert 'pretrain_s' not in summary['a']  # not asked for
    table = markdown_table(summary, dict(a='A'), COLUMNS, dict(loss_motion=3))
    assert table.split('\n') == [
        '| variant | seeds | probe (%) | fine-tune (%) | loss |',
        '|---|---:|---:|---:|---:|',
        '| A | 3 | 51.0 ± 1.0 | 40.0 ± 0.0 | – |',
        '| b | 1 | 70.0 | – | 0.500 |',
        '',
    ]


def test_write_summary_and_bar_chart(tmp_path):
    summary = aggregate(_runs(), ['a', 'b'], list(COLUMNS))
    md, png, table = write_summary(
        str(tmp_path), summary, dict(a='A', b='B'), COLUMNS,
        ['probe_acc', 'finetune_acc'], 'title', ['note one', 'note two'])
    assert md == str(tmp_path / 'results.md')
    assert (tmp_path / 'results.md').read_text() == (
        '# title\n\nnote one\n\nnote two\n\n' + table)
    with Image.open(png) as image:  # two panels side by side, 4.2 in each
        assert image.size == (int(4.2 * 2 * 110), int(4.2 * 110))
    one = tmp_path / 'one.png'
    bar_chart(summary, {}, dict(probe_acc='probe'), str(one), 'one panel')
    with Image.open(one) as image:
        assert image.size == (int(4.2 * 110), int(4.2 * 110))
        pixels = np.asarray(image.convert('RGB'))
    # bars drawn in tab10 colours: blue for 'a', orange for 'b'
    colours = {tuple(p) for p in pixels.reshape(-1, 3)}
    assert (31, 119, 180) in colours and (255, 127, 14) in colours
