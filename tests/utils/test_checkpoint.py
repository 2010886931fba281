# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.utils.checkpoint: the one reading path and its messages."""
import pickle
from argparse import Namespace
from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm import compat
from motionmae_mm.utils import (CheckpointError, CheckpointNotFoundError,
                                OfficialVideoMAEError, UnsafeCheckpointError,
                                load_model_weights, read_checkpoint,
                                state_dict_of)
from ..conftest import REPO
from ..conftest import recognizer_cfg, save_pretrain_checkpoint


def test_torch_load_only_inside_the_loading_module():
    """Package, tools and tests read checkpoints through one module."""
    allowed = REPO / 'motionmae_mm' / 'utils' / 'checkpoint.py'
    found = [
        str(path.relative_to(REPO))
        for folder in ('motionmae_mm', 'tools', 'tests')
        for path in (REPO / folder).rglob('*.py')
        if path != allowed and path != Path(__file__)
        and 'torch.load' in path.read_text()
    ]
    assert found == []


def test_one_error_type_old_names_still_work():
    assert compat.UnsafeCheckpointError is UnsafeCheckpointError
    assert compat.load_from_local.__module__ == 'motionmae_mm.utils.checkpoint'
    for cls in (CheckpointNotFoundError, UnsafeCheckpointError,
                OfficialVideoMAEError):
        assert issubclass(cls, CheckpointError)
    assert issubclass(CheckpointError, ValueError)  # tools print one line
    assert issubclass(UnsafeCheckpointError, pickle.UnpicklingError)
    assert issubclass(CheckpointNotFoundError, FileNotFoundError)


def test_not_a_checkpoint_messages(tmp_path):
    text = tmp_path / 'notes.pth'
    text.write_text('hello\n')
    with pytest.raises(CheckpointError) as err:
        read_checkpoint(text)
    assert str(err.value) == (f'{text}: not a checkpoint (neither a '
                              'torch.save file nor .safetensors)')
    whole = tmp_path / 'whole.pth'
    torch.save({'state_dict': {'w': torch.ones(3)}}, whole)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(whole.read_bytes()[:200])
    with pytest.raises(CheckpointError,
                       match=rf'^{cut}: corrupt or truncated checkpoint \('):
        read_checkpoint(cut)
    with pytest.raises(CheckpointNotFoundError) as err:
        read_checkpoint(tmp_path / 'no.pth', what='CHECKPOINT')
    assert str(err.value) == f'CHECKPOINT: no such file: {tmp_path}/no.pth'


def test_code_is_refused_in_one_line(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': Namespace(x=1)}, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        read_checkpoint(path)
    assert str(err.value) == (
        f'{path}: refused to load: it asks for argparse.Namespace, which '
        'is not plain data (checkpoints load with weights_only=True); '
        're-save it as tensors only')


def test_official_videomae_file_points_to_the_converter(tmp_path):
    expected = (': this is an official VideoMAE file: convert it with '
                'tools/convert/videomae_to_mmaction.py')
    with_args = tmp_path / 'official.pth'
    torch.save({'model': {'encoder.x': torch.ones(1)}, 'args': Namespace()},
               with_args)
    with pytest.raises(OfficialVideoMAEError) as err:
        read_checkpoint(with_args)
    assert str(err.value) == f'{with_args}{expected}'
    plain = tmp_path / 'plain.pth'
    torch.save({'module': {'head.weight': torch.ones(1)}}, plain)
    with pytest.raises(OfficialVideoMAEError) as err:
        state_dict_of(read_checkpoint(plain), str(plain))
    assert str(err.value) == f'{plain}{expected}'
    # the converter may read the run's Namespace
    ckpt = read_checkpoint(with_args, allow_videomae_args=True)
    assert isinstance(ckpt['args'], Namespace)


def test_strict_load_summarises_a_pretraining_checkpoint(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short name: three keys fit in 300
    save_pretrain_checkpoint(tmp_path / 'epoch_1.pth')
    model = MODELS.build(recognizer_cfg(None))
    with pytest.raises(CheckpointError) as err:
        load_model_weights(model, 'epoch_1.pth')
    assert str(err.value) == (
        'epoch_1.pth: a pretraining checkpoint (backbone.*, head.*, '
        'neck.*), but Recognizer3D expects backbone.*, cls_head.* (missing '
        'cls_head.fc_cls.weight, cls_head.fc_cls.bias, '
        'backbone.fc_norm.weight, ...): fine-tune it first '
        '(docs/finetune.md)')
    long_name = tmp_path / ('x' * 30) / 'epoch_1.pth'  # fewer keys, <= 300
    long_name.parent.mkdir()
    save_pretrain_checkpoint(long_name)
    with pytest.raises(CheckpointError) as err:
        load_model_weights(model, long_name)
    assert len(str(err.value)) <= 300 and 'cls_head.fc_cls.weight' in str(
        err.value)


def test_strict_load_summarises_shapes_and_loads_exactly(tmp_path):
    torch.manual_seed(0)
    wide = MODELS.build(recognizer_cfg(None, embed_dims=48, num_heads=2))
    path = tmp_path / 'wide.pth'
    torch.save({'state_dict': wide.state_dict()}, path)
    model = MODELS.build(recognizer_cfg(None))
    with pytest.raises(CheckpointError) as err:
        load_model_weights(model, path)
    message = str(err.value)
    assert len(message) <= 300 and '\n' not in message
    assert message == (
        f"{path} does not fit Recognizer3D (policy 'exact'): 32 of another "
        'shape (checkpoint vs model: backbone.pos_embed (1, 32, 48) '
        'vs (1, 32, 32)); it was trained with another architecture: use its '
        'config')
    load_model_weights(wide, path)  # the right model loads it
    fresh = MODELS.build(recognizer_cfg(None, embed_dims=48, num_heads=2))
    load_model_weights(fresh, path)
    for key, value in wide.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
