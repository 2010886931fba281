# Copyright (c) OpenMMLab. All rights reserved.
"""Each class of user mistake ends a tool with one exact ``error:`` line."""
import re
import subprocess

import pytest
import torch

from ..conftest import REPO
from ..tool_process import run_tool

DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'
HINT = ' (--traceback for details)'
TINY = [
    'model.backbone.embed_dims=32', 'model.backbone.depth=1',
    'model.backbone.num_heads=2', 'model.neck.embed_dims=16',
    'model.neck.depth=1'
]


def _run(*cmd) -> subprocess.CompletedProcess:
    return run_tool(*cmd)


def _last_line(proc: subprocess.CompletedProcess) -> str:
    """The error line; the run must fail without a traceback."""
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert len(last) <= 300 and '\x1b' not in last
    return last


def test_misspelled_key_in_train_and_test(tmp_path):
    opts = ['--cfg-options', 'model.targets.motion.gapp=2']
    expected = ("error: model.targets.motion.gapp: FrameDifferenceTarget has "
                "no argument 'gapp' (did you mean 'gap'?); fix the key in "
                f'{DEMO} or --cfg-options' + HINT)
    train = _run('tools/train.py', DEMO, '--work-dir', tmp_path, *opts)
    assert _last_line(train) == expected
    ckpt = tmp_path / 'any.pth'
    torch.save({'state_dict': {}}, ckpt)
    test = _run('tools/test.py', DEMO, ckpt, '--work-dir', tmp_path, *opts)
    assert _last_line(test) == expected
    # --traceback: the real exception, as before
    proc = _run('tools/train.py', DEMO, '--work-dir', tmp_path, *opts,
                '--traceback')
    assert proc.returncode != 0 and 'Traceback' in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith('TypeError: ')


def test_replaced_head_key_names_the_new_key(tmp_path):
    proc = _run('tools/train.py', DEMO, '--work-dir', tmp_path,
                '--cfg-options', 'model.head.motion_weight=0.0')
    assert _last_line(proc) == (
        'error: model.head.motion_weight was replaced by '
        'model.targets.motion.loss.loss_weight (drop the motion entry for '
        'VideoMAE)' + HINT)


def test_unregistered_type(tmp_path):
    proc = _run('tools/train.py', DEMO, '--work-dir', tmp_path,
                '--cfg-options', 'model.neck.type=MotionMAEDecoderr')
    assert _last_line(proc) == (
        "error: model.neck.type='MotionMAEDecoderr' is not registered in "
        "mmaction::model (did you mean 'MotionMAEDecoder' or "
        f"'MotionMAEHead'?): fix it in {DEMO}, or import its module with "
        'custom_imports' + HINT)


def test_missing_and_broken_config_files(tmp_path):
    proc = _run('tools/train.py', tmp_path / 'nope.py')
    assert _last_line(proc) == (
        f'error: {tmp_path}/nope.py: No such file or directory' + HINT)
    broken = tmp_path / 'broken.py'
    broken.write_text("_base_ = ['x.py']\nmodel = dict(\n")
    proc = _run('tools/train.py', broken)
    assert _last_line(proc) == (f"error: {broken}:2: '(' was never closed" +
                                HINT)


def test_fifty_missing_videos_in_a_row_end_in_one_line(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('gone.mp4 0\n' * 60)
    proc = _run('tools/train.py', DEMO, '--work-dir', tmp_path / 'work',
                '--cfg-options', f'train_dataloader.dataset.ann_file={ann}',
                f'train_dataloader.dataset.data_prefix.video={tmp_path}',
                'train_dataloader.num_workers=2', *TINY)
    # the workers are stopped before the error line is printed: it is the
    # last line whatever the other worker still warns (test_cli.py forces it)
    assert _last_line(proc) == (
        'error: 50 videos in a row could not be loaded (last: '
        f'{tmp_path}/gone.mp4: no such file); check data_prefix and the '
        'annotation file, or run tools/data/check_dataset.py' + HINT)
    # the skipped videos are in the run's log file too, not only on stderr
    log = next((tmp_path / 'work').glob('*/*.log')).read_text()
    assert f'WARNING - skipping unreadable video {tmp_path}/gone.mp4' in log


def test_visualize_names_an_undecodable_video(tmp_path):
    from motionmae_mm.apis import init_model
    config = tmp_path / 'tiny.py'
    config.write_text(
        f"_base_ = ['{REPO / DEMO}']\n"
        'model = dict(backbone=dict(embed_dims=32, depth=1, num_heads=2), '
        'neck=dict(embed_dims=16, depth=1))\n')
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': init_model(str(config)).state_dict()}, ckpt)
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'this is not a video')
    proc = _run('tools/visualize_reconstruction.py', config, ckpt, bad,
                '--out', tmp_path / 'r.png')
    assert re.fullmatch(
        rf'error: {re.escape(str(bad))}: cannot read this video \(.+\); '
        r'check it with tools/data/check_dataset\.py' + re.escape(HINT),
        _last_line(proc))
    proc = _run('tools/visualize_reconstruction.py', config, ckpt,
                tmp_path / 'none.mp4', '--out', tmp_path / 'r.png')
    assert _last_line(
        proc) == f'error: VIDEO: no such file: {tmp_path}/none.mp4'


@pytest.mark.parametrize('tool, args, line', [
    ('tools/analysis/plot_curves.py', ['{tmp}/none', '--out', '{tmp}/c.png'],
     'error: no such work dir or log: {tmp}/none'),
    ('tools/data/build_demo_dataset.py', [
        '--out-dir', '{tmp}/d', '--patterns', 'left', 'left'
    ], "error: --patterns repeats a name: ['left', 'left']"),
    ('tools/demo_finetune.py', ['--checkpoint', '{tmp}/none.pth'],
     'error: --checkpoint {tmp}/none.pth does not exist'),
    ('tools/analysis/arrow_of_time.py', [
        'configs/demo/motionmae_vit-tiny_demo.py', '{tmp}/x.pth', '--videos',
        '{tmp}/none.mp4'
    ], 'error: --videos: no such file or folder: {tmp}/none.mp4'),
])
def test_tool_input_checks(tmp_path, tool, args, line):
    proc = _run(tool, *[a.format(tmp=tmp_path) for a in args])
    assert _last_line(proc) == line.format(tmp=tmp_path)


def test_arrow_of_time_needs_its_videos():
    """No default data outside the checkout: --videos is required."""
    proc = _run('tools/analysis/arrow_of_time.py',
                'configs/demo/motionmae_vit-tiny_demo.py', 'x.pth')
    assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1] == (
        'arrow_of_time.py: error: the following arguments are required: '
        '--videos')


def test_help_shows_required_modes_and_every_option():
    vos = _run('tools/eval_vos.py', '--help')
    assert '(--out-dir OUT_DIR | --score-only)' in ' '.join(vos.stdout.split())
    proc = _run('tools/eval_vos.py', 'c.py', 'x.pth', '--data-root', 'd')
    assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1] == (
        'eval_vos.py: error: one of the arguments --out-dir --score-only is '
        'required')
    vis = _run('tools/visualize_reconstruction.py', '--help')
    assert '--device DEVICE  cpu, cuda or cuda:N (default cpu)' in vis.stdout
