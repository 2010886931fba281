# Copyright (c) OpenMMLab. All rights reserved.
"""motionmae_mm.utils.quiet: known noise is at debug level, not gone."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.optim import DefaultOptimWrapperConstructor

import motionmae_mm  # noqa: F401  (installs the filters)
from motionmae_mm.utils.quiet import init_info_at_debug

pytestmark = pytest.mark.heavy

REPO = Path(__file__).resolve().parents[2]
NOISE = ('MultiScaleDeformableAttention', '"FileClient" will be deprecated',
         'HardDiskBackend')


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, '-c', code],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def test_import_and_file_client_warnings_are_filtered():
    code = ('from mmengine.fileio import FileClient; import mmaction.models;'
            "FileClient('disk')")
    noisy = _python(code)
    assert all(n in noisy for n in NOISE)  # what users saw before
    assert not any(n in _python('import motionmae_mm;' + code) for n in NOISE)


class Tiny(BaseModule):

    def __init__(self) -> None:
        super().__init__(init_cfg=dict(type='Constant', layer='Linear', val=1))
        self.fc = nn.Linear(2, 3)
        self.norm = nn.LayerNorm(3)


@pytest.mark.parametrize('level', ['INFO', 'DEBUG'])
def test_optimizer_and_init_dumps_go_to_debug(tmp_path, level):
    log = tmp_path / 'run.log'
    logger = MMLogger.get_instance(
        f'quiet_{level}', log_file=str(log), log_level=level)
    model = Tiny()
    DefaultOptimWrapperConstructor(
        dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.1, weight_decay=0.1)),
        dict(norm_decay_mult=0.))(
            model)
    with init_info_at_debug(model):
        model.init_weights()
    logger.info('set param backbone.blocks.0.norm1.weight as id 1')
    logger.info('GPU number: 2')
    logger.info('a line users read')
    for handler in logger.handlers:
        handler.flush()
    text = log.read_text()
    assert 'a line users read' in text
    noisy = ('paramwise_options -- norm.weight:weight_decay=0.0',
             'init fc.weight (3, 2): ConstantInit: val=1',
             'set param backbone.blocks.0.norm1.weight as id 1')
    if level == 'INFO':
        assert not any(n in text for n in noisy)
        assert 'Name of parameter' not in text
        assert 'Processes: 2 (CPU, no GPU)' in text or \
            'GPU number: 2' in text and __import__('torch').cuda.is_available()
    else:
        assert all(n in text for n in noisy), text


def test_init_model_without_checkpoint_prints_no_parameter_dump():
    code = ('from motionmae_mm.apis import init_model;'
            "init_model('configs/demo/motionmae_vit-tiny_demo.py');"
            "print('built')")
    out = _python(code)
    assert out.strip().splitlines()[-1] == 'built'
    assert 'torch.Size(' not in out and 'Initialized by' not in out
    assert all(n not in out for n in NOISE)
