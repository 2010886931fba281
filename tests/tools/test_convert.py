# Copyright (c) OpenMMLab. All rights reserved.
"""tools/convert/videomae_to_mmaction.py on fake official VideoMAE files."""
import datetime
import re
import subprocess
from argparse import Namespace
from pathlib import Path

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.runner import load_checkpoint

from motionmae_mm.utils import read_checkpoint
from ..conftest import recognizer_cfg, tiny_vit_cfg
from ..tool_process import run_tool

REPO = Path(__file__).resolve().parents[2]
TOOL = 'tools/convert/videomae_to_mmaction.py'


def _official_encoder(seed: int = 0) -> dict:
    """A tiny mmaction2 ViT renamed to VideoMAE's official key names."""
    torch.manual_seed(seed)
    vit = MODELS.build(tiny_vit_cfg(type='VisionTransformer'))
    official = {}
    for key, value in vit.state_dict().items():
        if key == 'pos_embed':  # VideoMAE keeps the table out of state
            continue
        key = key.replace('patch_embed.projection.', 'patch_embed.proj.')
        key = re.sub(r'mlp\.layers\.0\.0\.', 'mlp.fc1.', key)
        key = re.sub(r'mlp\.layers\.1\.', 'mlp.fc2.', key)
        official[key] = value + torch.randn_like(value) * 0.1
    return official


def _run(*args: str) -> subprocess.CompletedProcess:
    return run_tool(TOOL, *args, timeout=120)


def test_pretrain_file_converts_and_loads_exactly(tmp_path):
    encoder = _official_encoder()
    state = {f'encoder.{k}': v for k, v in encoder.items()}
    state.update({
        'decoder.blocks.0.norm1.weight': torch.ones(16),
        'encoder_to_decoder.weight': torch.ones(16, 32),
        'mask_token': torch.zeros(1, 1, 16)
    })
    src, dst = tmp_path / 'checkpoint-799.pth', tmp_path / 'converted.pth'
    torch.save(dict(model=state, epoch=799, args=Namespace(lr=1.5e-4)), src)
    proc = _run(src, dst)
    assert proc.returncode == 0, proc.stderr
    assert 'pretrain VideoMAE encoder: 2 blocks x 32' in proc.stdout
    out = read_checkpoint(dst)
    assert out['meta']['kind'] == 'pretrain'
    sd = out['state_dict']
    assert 'backbone.norm.weight' in sd  # kept for VOS
    assert not any(k.startswith(('decoder', 'encoder_to', 'mask')) for k in sd)
    assert all(k.startswith('backbone.') for k in sd)

    model = MODELS.build(recognizer_cfg(str(dst)))
    model.init_weights()
    own = model.backbone.state_dict()
    assert torch.equal(own['patch_embed.projection.weight'],
                       encoder['patch_embed.proj.weight'])
    assert torch.equal(own['blocks.1.mlp.layers.0.0.weight'],
                       encoder['blocks.1.mlp.fc1.weight'])
    assert torch.equal(own['blocks.0.attn.qkv.weight'],
                       encoder['blocks.0.attn.qkv.weight'])
    loaded = {k[len('backbone.'):] for k in sd} & set(own)
    assert len(loaded) == len(sd) - 2  # everything but the final norm


def test_finetuned_file_converts_with_head(tmp_path):
    encoder = _official_encoder(seed=1)
    encoder.pop('norm.weight'), encoder.pop('norm.bias')
    encoder['fc_norm.weight'] = torch.rand(32)
    encoder['fc_norm.bias'] = torch.rand(32)
    encoder['head.weight'] = torch.randn(5, 32)
    encoder['head.bias'] = torch.randn(5)
    src, dst = tmp_path / 'ft.pth', tmp_path / 'ft_mm.pth'
    torch.save(dict(module=encoder), src)
    assert _run(src, dst).returncode == 0
    out = read_checkpoint(dst)
    assert out['meta']['kind'] == 'finetune'
    assert out['meta']['num_classes'] == 5
    cfg = recognizer_cfg(None)
    cfg['backbone'].pop('init_cfg')
    model = MODELS.build(cfg)
    load_checkpoint(model, str(dst), strict=False)
    assert torch.equal(model.cls_head.fc_cls.weight, encoder['head.weight'])
    assert torch.equal(model.backbone.fc_norm.bias, encoder['fc_norm.bias'])


@pytest.mark.parametrize('state, message', [
    ({
        'encoder.blocks.0.attn.qkv.bias': torch.zeros(96)
    }, 'fused q/k/v'),
    ({
        'encoder.blocks.0.weird': torch.zeros(2)
    }, 'unknown encoder key'),
    ({
        'encoder.norm.weight': torch.ones(2)
    }, r'\(C, 3, t, p, p\)'),
])
def test_bad_files_give_one_line_errors(tmp_path, state, message):
    src = tmp_path / 'bad.pth'
    torch.save(dict(model=state), src)
    proc = _run(src, tmp_path / 'out.pth')
    assert proc.returncode == 1
    assert re.search(message, proc.stderr)
    assert proc.stderr.count('\n') == 1 and 'bad.pth' in proc.stderr
    assert not (tmp_path / 'out.pth').exists()


def test_missing_input_and_code_in_file(tmp_path):
    proc = _run(tmp_path / 'none.pth', tmp_path / 'out.pth')
    assert proc.returncode == 1 and 'no such file' in proc.stderr

    src = tmp_path / 'code.pth'  # any class outside the allow-list
    torch.save(dict(model={}, extra=datetime.date(2020, 1, 1)), src)
    proc = _run(src, tmp_path / 'out.pth')
    assert proc.returncode == 1 and 'weights_only=True' in proc.stderr
