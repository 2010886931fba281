# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.datasets.official_lists (and tools/data/build_file_list.py)
on tiny fake trees in each dataset's official layout."""
import json
from pathlib import Path

import pytest

from motionmae_mm.datasets import ListError, build_file_lists
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'data' / 'build_file_list.py'


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'')


def _read(path: Path) -> list:
    return path.read_text().splitlines()


def test_ssv2(tmp_path):
    labels = tmp_path / 'labels'
    labels.mkdir()
    (labels / 'something-something-v2-labels.json').write_text(
        json.dumps({
            'Holding something': '0',
            'Pushing something from left to right': '1',
            'Putting something next to something': '2'
        }))
    (labels / 'something-something-v2-train.json').write_text(
        json.dumps([
            dict(
                id='10',
                label='holding a cup',
                template='Holding [something]',
                placeholders=['a cup']),
            dict(
                id='11',
                label='pushing pen from left to right',
                template='Pushing [something] from left to right',
                placeholders=['pen']),
            dict(id='12', label='x', template='Holding [something]'),
        ]))
    (labels / 'something-something-v2-validation.json').write_text(
        json.dumps([
            dict(
                id='20',
                label='putting a next to b',
                template='Putting [something] next to [something]'),
        ]))
    for vid in ('10', '11', '20'):  # 12 is missing on disk
        _touch(tmp_path / 'videos' / f'{vid}.webm')

    (summary, ) = build_file_lists('ssv2', str(tmp_path))
    assert _read(tmp_path /
                 'ssv2_train_split_1.txt') == ['10.webm 0', '11.webm 1']
    assert _read(tmp_path / 'ssv2_val_split_1.txt') == ['20.webm 2']
    assert _read(tmp_path / 'ssv2_classes.txt') == [
        'Holding something', 'Pushing something from left to right',
        'Putting something next to something'
    ]
    assert summary['missing'] == dict(train=1, val=0)
    assert summary['data_prefix'] == str(tmp_path / 'videos')

    build_file_lists('ssv2', str(tmp_path), keep_missing=True, unlabeled=True)
    assert _read(tmp_path / 'ssv2_train_split_1_unlabeled.txt') == [
        '10.webm', '11.webm', '12.webm'
    ]

    (labels / 'something-something-v2-validation.json').unlink()
    with pytest.raises(
            ListError,
            match='validation annotation file not found: .*'
            'something-something-v2-validation.json'):
        build_file_lists('ssv2', str(tmp_path))


def test_k400_folders(tmp_path):
    for split, cls, name in [('train', 'air_drumming', 'a1.mp4'),
                             ('train', 'abseiling', 'b1.mp4'),
                             ('train', 'abseiling', 'b2.mkv'),
                             ('val', 'air_drumming', 'a9.mp4'),
                             ('val', 'abseiling', 'b9.mp4')]:
        _touch(tmp_path / split / cls / name)
    (tmp_path / 'train' / 'abseiling' / 'notes.txt').write_text('x')
    build_file_lists('k400', str(tmp_path), out_dir=str(tmp_path / 'lists'))
    assert _read(tmp_path / 'lists' / 'k400_train_split_1.txt') == [
        'train/abseiling/b1.mp4 0', 'train/abseiling/b2.mkv 0',
        'train/air_drumming/a1.mp4 1'
    ]
    assert _read(tmp_path / 'lists' / 'k400_val_split_1.txt') == [
        'val/abseiling/b9.mp4 0', 'val/air_drumming/a9.mp4 1'
    ]
    # an official class list (with spaces) fixes the label order
    classes = tmp_path / 'label_map.txt'
    classes.write_text('air drumming\nabseiling\n')
    build_file_lists(
        'k400', str(tmp_path), classes_file=str(classes), prefix='kin')
    assert _read(tmp_path / 'kin_val_split_1.txt') == [
        'val/abseiling/b9.mp4 1', 'val/air_drumming/a9.mp4 0'
    ]
    # a class folder with a space cannot go into a space-separated list
    _touch(tmp_path / 'train' / 'air_drumming' / 'a 2.mp4')
    with pytest.raises(ListError, match='whitespace'):
        build_file_lists('k400', str(tmp_path))


def test_k400_csv(tmp_path):
    ann = tmp_path / 'kinetics400'
    ann.mkdir()
    header = 'label,youtube_id,time_start,time_end,split,is_cc\n'
    (ann / 'train.csv').write_text(header + 'abseiling,aaa,0,10,train,0\n'
                                   '"air drumming",bbb,5,15,train,0\n'
                                   'abseiling,ccc,100,110,train,0\n')
    (ann / 'validate.csv').write_text(header +
                                      '"air drumming",ddd,1,11,val,0\n')
    _touch(tmp_path / 'train' / 'aaa_000000_000010.mp4')  # flat
    _touch(tmp_path / 'train' / 'air_drumming' / 'bbb_000005_000015.mkv')
    _touch(tmp_path / 'val' / 'ddd_000001_000011.mp4')  # ccc is missing
    (summary, ) = build_file_lists('k400', str(tmp_path))
    assert _read(tmp_path / 'k400_train_split_1.txt') == [
        'train/aaa_000000_000010.mp4 0',
        'train/air_drumming/bbb_000005_000015.mkv 1'
    ]
    assert _read(tmp_path /
                 'k400_val_split_1.txt') == ['val/ddd_000001_000011.mp4 1']
    assert _read(tmp_path /
                 'k400_classes.txt') == ['abseiling', 'air drumming']
    assert summary['missing'] == dict(train=1, val=0)
    (ann / 'validate.csv').unlink()
    with pytest.raises(ListError, match='CSV not found: .*validate.csv'):
        build_file_lists('k400', str(tmp_path))


def _ucf_tree(root: Path) -> None:
    lists = root / 'ucfTrainTestlist'
    lists.mkdir(parents=True)
    (lists / 'classInd.txt'
     ).write_text('1 ApplyEyeMakeup\r\n2 HandstandPushups\r\n3 YoYo\r\n')
    for n in (1, 2, 3):
        (lists / f'trainlist0{n}.txt').write_text(
            f'ApplyEyeMakeup/v_ApplyEyeMakeup_g0{n}_c01.avi 1\r\n'
            'HandstandPushups/v_HandStandPushups_g08_c01.avi 2\r\n'
            'YoYo/v_YoYo_g09_c01.avi 3\r\n')
        (lists / f'testlist0{n}.txt').write_text(
            'ApplyEyeMakeup/v_ApplyEyeMakeup_g05_c01.avi\r\n'
            'YoYo/v_YoYo_g04_c02.avi\r\n')
    for n in (1, 2, 3):
        _touch(root / 'UCF-101' / 'ApplyEyeMakeup' /
               f'v_ApplyEyeMakeup_g0{n}_c01.avi')
    for rel in ('HandstandPushups/v_HandStandPushups_g08_c01.avi',
                'YoYo/v_YoYo_g09_c01.avi',
                'ApplyEyeMakeup/v_ApplyEyeMakeup_g05_c01.avi',
                'YoYo/v_YoYo_g04_c02.avi'):
        _touch(root / 'UCF-101' / rel)


def test_ucf101(tmp_path):
    _ucf_tree(tmp_path)
    summaries = build_file_lists('ucf101', str(tmp_path), splits=[1, 3])
    assert [s['split'] for s in summaries] == [1, 3]
    assert _read(tmp_path / 'ucf101_train_split_1.txt') == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 0',
        'HandstandPushups/v_HandStandPushups_g08_c01.avi 1',
        'YoYo/v_YoYo_g09_c01.avi 2'
    ]
    assert _read(tmp_path / 'ucf101_train_split_3.txt')[0] == \
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g03_c01.avi 0'
    assert _read(tmp_path / 'ucf101_val_split_1.txt') == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g05_c01.avi 0',
        'YoYo/v_YoYo_g04_c02.avi 2'
    ]
    assert not (tmp_path / 'ucf101_train_split_2.txt').exists()
    assert summaries[0]['data_prefix'] == str(tmp_path / 'UCF-101')
    with pytest.raises(ListError, match='splits are 1, 2, 3'):
        build_file_lists('ucf101', str(tmp_path), splits=[4])
    (tmp_path / 'ucfTrainTestlist' / 'testlist02.txt').unlink()
    with pytest.raises(
            ListError, match='UCF101 split file not found: .*testlist02.txt'):
        build_file_lists('ucf101', str(tmp_path), splits=[2])


def test_hmdb51(tmp_path):
    splits = tmp_path / 'testTrainMulti_7030_splits'
    splits.mkdir()
    tree = {
        'wave': ['w1.avi 1', 'w2.avi 2', 'w3.avi 0'],
        'brush_hair': ['b1.avi 2', 'b2.avi 1'],
    }
    for cls, lines in tree.items():
        for n in (1, 2, 3):
            (splits /
             f'{cls}_test_split{n}.txt').write_text(' \n'.join(lines) + ' \n')
        for line in lines:
            _touch(tmp_path / 'videos' / cls / line.split()[0])
    build_file_lists('hmdb51', str(tmp_path), splits=[2])
    assert _read(tmp_path / 'hmdb51_train_split_2.txt') == [
        'brush_hair/b2.avi 0', 'wave/w1.avi 1'
    ]
    assert _read(tmp_path / 'hmdb51_val_split_2.txt') == [
        'brush_hair/b1.avi 0', 'wave/w2.avi 1'
    ]
    assert _read(tmp_path / 'hmdb51_classes.txt') == ['brush_hair', 'wave']
    with pytest.raises(ListError, match='wrong --video-dir'):
        build_file_lists('hmdb51', str(tmp_path), video_dir='elsewhere')


def test_cli(tmp_path):
    _ucf_tree(tmp_path)
    out = tmp_path / 'out'
    proc = run_tool(TOOL, 'ucf101', tmp_path, '--out-dir', out, '--unlabeled')
    assert proc.returncode == 0, proc.stderr
    assert 'ucf101 split 1: 3 classes, train 3, val 2' in proc.stdout
    assert _read(out / 'ucf101_val_split_1_unlabeled.txt') == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g05_c01.avi',
        'YoYo/v_YoYo_g04_c02.avi'
    ]
    proc = run_tool(TOOL, 'hmdb51', tmp_path / 'none')
    assert proc.returncode == 1
    assert proc.stderr.strip() == \
        f'error: hmdb51 root folder not found: {tmp_path / "none"}'
