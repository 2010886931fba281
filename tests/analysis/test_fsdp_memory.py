# Copyright (c) OpenMMLab. All rights reserved.
"""The FSDP2 memory tables: counts on the meta device equal real ones,
sharding divides the state as FSDP2 pads it, and a measured run on 2 gloo
ranks holds what the count says."""
import json

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from motionmae_mm.analysis.state_memory import parameter_shapes, state_bytes
from motionmae_mm.analysis.step_memory import measure_step_memory
from .conftest import load_tool

pytestmark = pytest.mark.heavy

memory = load_tool('fsdp_memory')
DEMO = str(memory.REPO / 'configs/demo/motionmae_vit-tiny_demo.py')


def test_state_bytes_follow_the_padding_of_fsdp2():
    shapes = [torch.Size([10, 4]), torch.Size([3])]  # 40 + 3 values
    assert state_bytes(shapes, 8, sharded=False) == 43 * 16
    assert state_bytes(shapes, 1, sharded=True) == 43 * 16
    # ceil(10 / 4) = 3 rows of 4, ceil(3 / 4) = 1 value
    assert state_bytes(shapes, 4, sharded=True) == 13 * 16


def test_meta_count_equals_the_built_model_and_table_is_cached(
        tmp_path, capsys):
    config = str(memory.REPO / memory.CONFIGS['ViT-B/16'])
    shapes = parameter_shapes(config)
    model = MODELS.build(Config.fromfile(config).model)
    real = [p.shape for p in model.parameters() if p.requires_grad]
    assert shapes == real
    out = tmp_path / 'memory.json'
    memory.CONFIGS = {'ViT-B/16': memory.CONFIGS['ViT-B/16']}
    assert memory.main(['--ranks', '1', '8', '--out', str(out)]) == 0
    rows = json.loads(out.read_text())['counted']['results']['ViT-B/16']
    assert rows['params'] == sum(s.numel() for s in real)
    assert rows['ddp']['1'] == rows['ddp']['8'] == rows['fsdp']['1'] == \
        rows['params'] * 16 / 2**30
    assert rows['ddp']['1'] / 8 <= rows['fsdp']['8'] < \
        rows['ddp']['1'] / 8 * 1.01
    printed = capsys.readouterr().out
    assert '| ViT-B/16 |' in printed
    out.write_text(out.read_text().replace(str(rows['params']), '7'))
    memory.main(['--ranks', '1', '8', '--out', str(out)])  # from the cache
    assert '| ViT-B/16 | 0 M |' in capsys.readouterr().out


@pytest.fixture(scope='module')
def measured(tmp_path_factory):
    """The demo config's steps on 2 gloo ranks, DDP and FSDP2."""
    root = tmp_path_factory.mktemp('measured')
    return {
        name: measure_step_memory(DEMO, str(root / name), strategy, ranks=2,
                                  warmup=1, iters=1)
        for name, strategy in memory.STRATEGIES.items()
        if name in ('DDP', 'FSDP2')
    }


def test_measured_state_is_what_each_strategy_keeps(measured):
    numel = sum(s.numel() for s in parameter_shapes(DEMO))
    ddp, fsdp = measured['DDP'], measured['FSDP2']
    gib = numel * 4 / 2**30  # fp32
    assert ddp['params'] == pytest.approx(gib)
    assert ddp['grads'] == pytest.approx(gib)
    # two AdamW moments per parameter, plus a step count per tensor
    assert 2 * gib <= ddp['optimizer'] < 2 * gib * 1.01
    # each rank holds its dim-0 shard (the larger one, where rows are odd)
    assert gib / 2 <= fsdp['params'] < gib / 2 * 1.05
    assert fsdp['grads'] == pytest.approx(fsdp['params'])
    assert 0.5 <= fsdp['state'] / ddp['state'] < 0.53
    for run in measured.values():
        assert run['peak'] > run['state']  # the process holds more than that
        assert run['seconds'] > 0


def test_measured_runs_are_tabled_against_ddp(measured):
    runs = {f'tiny|{name}|2|1|CPU': dict(run, model='tiny', strategy=name,
                                           ranks=2, batch_size=1, device='CPU')
            for name, run in measured.items()}
    table = memory.measured_table(runs).splitlines()
    ratio = measured['FSDP2']['state'] / measured['DDP']['state']
    assert table[2].startswith('| tiny | DDP | 2 | 1 | CPU |')
    assert f'| {ratio:.2f} |' in table[3]
