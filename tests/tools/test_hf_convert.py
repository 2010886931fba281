# Copyright (c) OpenMMLab. All rights reserved.
"""tools/convert/mmaction_to_hf.py and hf_to_mmaction.py from the shell."""
import json
import subprocess
from pathlib import Path

import pytest
import torch

from motionmae_mm.utils import read_checkpoint
from ..convert.helpers import make_pretrain
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
EXPORT = 'tools/convert/mmaction_to_hf.py'
IMPORT = 'tools/convert/hf_to_mmaction.py'

pytest.importorskip('transformers')


def _run(tool: str, *args) -> subprocess.CompletedProcess:
    return run_tool(tool, *args)


def _one_error_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), proc.stderr
    assert len(lines[0]) <= 300 and '\x1b' not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_export_then_import_from_the_shell(tmp_path):
    ckpt, model = make_pretrain(tmp_path)
    proc = _run(EXPORT, ckpt, tmp_path / 'hf')
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == ('VideoMAEForPreTraining: encoder 2 blocks x 64, patch '
                      f'2x8x8, 8 frames at 64 px; 55 tensors -> '
                      f'{tmp_path / "hf"}')
    assert ('note: the motion head (head.predictors.motion) has no Hugging '
            'Face counterpart: not exported') in out
    assert out[-1].startswith('verified: last_hidden_state max |diff| ')
    assert json.loads((tmp_path / 'hf' /
                       'config.json').read_text())['model_type'] == 'videomae'

    proc = _run(IMPORT, tmp_path / 'hf', tmp_path / 'back.pth')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('VideoMAEForPreTraining -> pretrain '
                                  'checkpoint: encoder 2 blocks x 64')
    state = read_checkpoint(tmp_path / 'back.pth')['state_dict']
    original = model.state_dict()
    assert all(torch.equal(v, original[k]) for k, v in state.items())


def test_bad_inputs_give_one_error_line(tmp_path):
    _one_error_line(
        _run(EXPORT, tmp_path / 'none.pth', tmp_path / 'hf'), 'none.pth',
        'no such file')
    official = tmp_path / 'official.pth'  # VideoMAE's own layout
    torch.save(dict(model={'encoder.norm.weight': torch.ones(2)}), official)
    _one_error_line(
        _run(EXPORT, official, tmp_path / 'hf'), 'official.pth',
        'videomae_to_mmaction.py')
    bert = tmp_path / 'bert'
    bert.mkdir()
    (bert / 'config.json').write_text('{"model_type": "bert"}')
    _one_error_line(
        _run(IMPORT, bert, tmp_path / 'o.pth'), "model_type 'bert'")
    assert not (tmp_path / 'o.pth').exists()
    proc = _run(IMPORT, bert, tmp_path / 'o.pth', '--traceback')
    assert proc.returncode != 0 and 'Traceback' in proc.stderr


def test_a_checkpoint_written_by_tools_train_exports(demo_data, tmp_path):
    from .test_train import run_train
    proc = run_train(demo_data, tmp_path / 'work')
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = _run(EXPORT, tmp_path / 'work' / 'epoch_1.pth', tmp_path / 'hf')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('VideoMAEForPreTraining: encoder 1 blocks '
                                  'x 32, patch 2x8x8, 8 frames at 64 px')
    diffs = proc.stdout.splitlines()[-1]
    assert diffs.startswith('verified: last_hidden_state max |diff| ')
