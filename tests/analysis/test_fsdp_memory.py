# Copyright (c) OpenMMLab. All rights reserved.
"""The FSDP2 memory table: counts on the meta device equal real ones, and
sharding divides the state as FSDP2 pads it."""
import json

import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from .conftest import load_tool

memory = load_tool('fsdp_memory')


def test_state_bytes_follow_the_padding_of_fsdp2():
    shapes = [torch.Size([10, 4]), torch.Size([3])]  # 40 + 3 values
    assert memory.state_bytes(shapes, 8, sharded=False) == 43 * 16
    assert memory.state_bytes(shapes, 1, sharded=True) == 43 * 16
    # ceil(10 / 4) = 3 rows of 4, ceil(3 / 4) = 1 value
    assert memory.state_bytes(shapes, 4, sharded=True) == 13 * 16


def test_meta_count_equals_the_built_model_and_table_is_cached(
        tmp_path, capsys):
    config = memory.CONFIGS['ViT-B/16']
    shapes = memory.parameter_shapes(config)
    model = MODELS.build(Config.fromfile(memory.REPO / config).model)
    real = [p.shape for p in model.parameters() if p.requires_grad]
    assert shapes == real
    out = tmp_path / 'memory.json'
    memory.CONFIGS = {'ViT-B/16': config}
    assert memory.main(['--ranks', '1', '8', '--out', str(out)]) == 0
    rows = json.loads(out.read_text())['results']['ViT-B/16']
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
