# Copyright (c) OpenMMLab. All rights reserved.
"""Checkpoint mistakes end in one exact ``error:`` line in every tool.

The tools run in a subprocess from the test's folder, so file names in the
messages are short and the lines exact.
"""
import os
from argparse import Namespace
from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config, DictAction

from ..conftest import REPO
from ..conftest import save_pretrain_checkpoint
from .test_test_tool import FINETUNE, _finetune_opts
from .test_visualize import tiny_setup
from ..tool_process import run_tool

CONVERTER = 'this is an official VideoMAE file: convert it with ' \
    'tools/convert/videomae_to_mmaction.py'
REFUSED = 'refused to load: it asks for posix.system, which is not plain ' \
    'data (checkpoints load with weights_only=True); re-save it as tensors ' \
    'only'
HINT = ' (--traceback for details)'


class _Payload:
    """Unpickling this would run a shell command."""

    def __reduce__(self):
        return (os.system, ('touch pwned', ))


def _run(cwd: Path, tool: str, *args) -> str:
    """Run ``tool``; return its last stderr line (exit 1, no traceback)."""
    proc = run_tool(REPO / tool, *args, cwd=cwd)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    assert '\x1b' not in proc.stderr  # no terminal escape codes
    last = proc.stderr.strip().splitlines()[-1]
    assert len(last) <= 300 + len(HINT), last
    return last


@pytest.fixture
def files(tmp_path) -> Path:
    """evil.pth (code), official.pth (VideoMAE layout + args), pre.pth."""
    torch.save({'state_dict': {}, 'meta': _Payload()}, tmp_path / 'evil.pth')
    torch.save(
        dict(
            model={'encoder.norm.weight': torch.ones(32)},
            args=Namespace(lr=1e-3)), tmp_path / 'official.pth')
    save_pretrain_checkpoint(tmp_path / 'pre.pth', depth=1)
    return tmp_path


def _ft_config(data: Path) -> list:
    return [REPO / FINETUNE, '--cfg-options', *_finetune_opts(data)]


def test_train_finetune_init_errors(files, demo_data):
    config, opts = _ft_config(demo_data)[0], _ft_config(demo_data)[1:]
    for name, message in (('evil.pth', REFUSED), ('official.pth', CONVERTER)):
        last = _run(files, 'tools/train.py', config, '--work-dir', 'work',
                    *opts, f'model.backbone.init_cfg.checkpoint={name}')
        assert last == f'error: {name}: {message}{HINT}'
    assert not (files / 'pwned').exists()


def test_test_tool_checkpoint_errors(files, demo_data):
    args = _ft_config(demo_data)
    assert _run(files, 'tools/test.py', args[0], 'evil.pth',
                *args[1:]) == f'error: evil.pth: {REFUSED}{HINT}'
    assert _run(files, 'tools/test.py', args[0], 'pre.pth', *args[1:]) == (
        'error: pre.pth: a pretraining checkpoint (backbone.*, head.*, '
        'neck.*), but Recognizer3D expects backbone.*, cls_head.* (missing '
        'cls_head.fc_cls.weight, cls_head.fc_cls.bias, '
        'backbone.fc_norm.weight, ...): fine-tune it first '
        f'(docs/finetune.md){HINT}')
    cfg = Config.fromfile(REPO / FINETUNE)
    parsed = Namespace()
    DictAction([], 'opts')(None, parsed, _finetune_opts(demo_data))
    cfg.merge_from_dict(parsed.opts)
    cfg.model.backbone.update(embed_dims=48, init_cfg=None)
    cfg.model.cls_head.in_channels = 48
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()},
               files / 'wide.pth')
    assert _run(files, 'tools/test.py', args[0], 'wide.pth', *args[1:]) == (
        "error: wide.pth does not fit Recognizer3D (policy 'exact'): 19 of "
        'another shape (checkpoint vs model: backbone.pos_embed '
        '(1, 256, 48) vs (1, 256, 32)); it was trained with another '
        f'architecture: use its config{HINT}')


def test_visualize_errors(tmp_path):
    config, checkpoint, video = tiny_setup(tmp_path)
    tool = 'tools/visualize_reconstruction.py'
    assert _run(tmp_path, tool, config, 'nope.pth', video, '--out',
                'x.png') == f'error: CHECKPOINT: no such file: nope.pth{HINT}'
    (tmp_path / 'bad.mp4').write_bytes(b'not a video' * 64)
    last = _run(tmp_path, tool, config, checkpoint, 'bad.mp4', '--out',
                'x.png')
    assert last.startswith('error: bad.mp4: cannot read this video (')
    assert last.endswith('; check it with tools/data/check_dataset.py'
                         f'{HINT}')
    recognizer = {'backbone.cls_token': torch.zeros(1, 1, 32)}
    recognizer.update({f'cls_head.fc_cls.{k}': torch.zeros(8) for k in 'ab'})
    torch.save({'state_dict': recognizer}, tmp_path / 'ft.pth')
    last = _run(tmp_path, tool, config, 'ft.pth', video, '--out', 'x.png')
    assert last == (
        'error: ft.pth (a fine-tuned recognizer checkpoint (backbone.*, '
        "cls_head.*)) does not fit MotionMAE (policy 'exact'): 39 missing "
        '(backbone.pos_embed); 3 unexpected (backbone.cls_token); is it for '
        f'another model or config?{HINT}')


def test_converter_errors(files):
    tool = 'tools/convert/videomae_to_mmaction.py'
    (files / 'notes.pth').write_text('a text file\n')
    assert _run(files, tool, 'notes.pth', 'out.pth') == (
        'error: notes.pth: not a checkpoint (neither a torch.save file nor '
        f'.safetensors){HINT}')
    assert _run(files, tool, 'pre.pth', 'out.pth') == (
        'error: pre.pth: this is already an mmaction2-format checkpoint, no '
        'conversion needed')
    assert not (files / 'out.pth').exists()
