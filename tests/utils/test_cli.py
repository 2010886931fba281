# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.utils.cli: what each class of user error turns into."""
import os
import pickle
import subprocess
import sys

import pytest
from mmengine.config import Config

from motionmae_mm.datasets.transforms import VideoLoadError
from motionmae_mm.utils import register_all_modules
from motionmae_mm.utils.cli import (HINT, UserError, format_error,
                                    init_arguments, is_user_error, user_errors)
from ..conftest import REPO


def _build_error(cfg: Config) -> Exception:
    from mmaction.registry import MODELS
    register_all_modules()
    with pytest.raises(Exception) as info:
        MODELS.build(cfg.model)
    return info.value


@pytest.fixture
def head_cfg() -> Config:
    return Config(
        dict(model=dict(type='FrameDifferenceTarget', gap=1, gapp=2)),
        cfg_text='-',
        filename='my_config.py')


def test_misspelled_key_names_path_class_and_close_match(head_cfg):
    err = _build_error(head_cfg)
    assert isinstance(err, TypeError) and is_user_error(err)
    assert format_error(err, head_cfg) == (
        "error: model.gapp: FrameDifferenceTarget has no argument 'gapp' "
        "(did you mean 'gap'?); fix the key in my_config.py or "
        '--cfg-options' + HINT)


def test_unregistered_type_suggests_registered_names():
    cfg = Config(
        dict(model=dict(type='MotionMAEHeadd')), cfg_text='-', filename='c.py')
    err = _build_error(cfg)
    assert format_error(err, cfg) == (
        "error: model.type='MotionMAEHeadd' is not registered in "
        "mmaction::model (did you mean 'MotionMAEHead' or 'MotionMAE'?): "
        'fix it in c.py, or import its module with custom_imports' + HINT)


def test_init_arguments_follow_kwargs_to_the_base_class():
    from mmaction.models import TimeSformerHead
    names = init_arguments(TimeSformerHead)
    assert names[:2] == ['num_classes', 'in_channels']
    assert 'loss_cls' in names  # from BaseHead, through **kwargs


@pytest.mark.parametrize('err, line', [
    (FileNotFoundError(2, 'No such file or directory', 'a/b.txt'),
     'error: a/b.txt: No such file or directory' + HINT),
    (KeyError('work_dir'), "error: missing key 'work_dir'" + HINT),
    (UserError('--smooth=0 must be at least 1'),
     'error: --smooth=0 must be at least 1'),
    (ValueError('\x1b[31mred\x1b[0m  text\non two lines'),
     'error: red text on two lines' + HINT),
    (UnicodeDecodeError('utf-8', b'\xff', 0, 1, 'invalid start byte'),
     "error: 'utf-8' codec can't decode byte 0xff in position 0: invalid "
     'start byte' + HINT),
    (pickle.UnpicklingError('x.pth: refused'), 'error: x.pth: refused' + HINT),
])
def test_known_errors_become_one_line(err, line):
    assert is_user_error(err)
    assert format_error(err) == line


def test_dataloader_worker_error_keeps_only_the_message():
    # what torch re-raises in the main process for an error in a worker
    text = ('Caught VideoLoadError in DataLoader worker process 0.\n'
            'Original Traceback (most recent call last):\n'
            '  File "x.py", line 1, in f\n    raise VideoLoadError(...)\n'
            'motionmae_mm.datasets.transforms.safe_load.VideoLoadError: '
            '50 videos in a row could not be loaded (last: v.mp4: gone)\n')
    assert format_error(VideoLoadError(text)) == (
        'error: 50 videos in a row could not be loaded (last: v.mp4: gone)' +
        HINT)


def test_long_messages_are_cut_to_300_characters():
    line = format_error(ValueError('k' * 1000))
    assert len(line) == 300 and line.endswith('...' + HINT)


def test_bugs_keep_their_traceback(capsys):
    assert not is_user_error(ZeroDivisionError())
    assert not is_user_error(TypeError('unsupported operand'))
    with pytest.raises(ZeroDivisionError):
        with user_errors():
            1 / 0
    with pytest.raises(ValueError):  # --traceback: the real exception
        with user_errors(show_traceback=True):
            raise ValueError('bad')
    with pytest.raises(SystemExit) as info:
        with user_errors(exit_code=2):
            raise UserError('bad input')
    assert info.value.code == 2
    assert capsys.readouterr().err == 'error: bad input\n'


# worker 0 fails on the first sample while worker 1 is still warning
CHATTY_LOADER = '''
import sys
import time

import torch
from motionmae_mm.utils.cli import UserError, user_errors


class Chatty(torch.utils.data.Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, index):
        if torch.utils.data.get_worker_info().id == 0:
            time.sleep(0.5)  # worker 1 is warning by now
            raise UserError('bad input')
        for _ in range(100):  # 2 s of warnings, in any run
            print('warning: skipping a video', file=sys.stderr, flush=True)
            time.sleep(0.02)
        return index


with user_errors():
    for _ in torch.utils.data.DataLoader(
            Chatty(), batch_size=None, num_workers=2):
        pass
'''


def test_error_line_comes_after_everything_loader_workers_print():
    proc = subprocess.run([sys.executable, '-c', CHATTY_LOADER],
                          cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=str(REPO)),
                          capture_output=True,
                          text=True,
                          timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'warning: skipping a video' in lines  # the race was on
    assert lines[-1] == 'error: bad input'
    assert lines.count('error: bad input') == 1
