# Copyright (c) OpenMMLab. All rights reserved.
"""Each checkpoint policy accepts what it should and names what it refuses.

Fine-tuning (``Pretrained`` init) and VOS load through the same policy, and
a fine-tuned checkpoint never feeds the frozen linear-probe encoder.
"""
import pytest
import torch
from mmaction.registry import MODELS

from motionmae_mm.evaluation.vos.feature_extractor import load_encoder_weights
from motionmae_mm.utils import CheckpointError, load_state, read_checkpoint
from ..conftest import build_tiny_vit, recognizer_cfg, save_pretrain_checkpoint

NORM = ['norm.weight', 'norm.bias']
FC_NORM = ['fc_norm.weight', 'fc_norm.bias']
UNTRAINED = ('a frozen encoder would use an untrained norm (a fine-tuned '
             'checkpoint has fc_norm.*): use the pretraining checkpoint')


def _distinct(module: torch.nn.Module) -> dict:
    """``module``'s state with every tensor changed (none equals init)."""
    return {k: v + 0.5 for k, v in module.state_dict().items()}


def test_exact_loads_every_tensor_and_names_each_problem():
    src, model = build_tiny_vit(0), build_tiny_vit(1)
    state = _distinct(src)
    assert load_state(model, state, 'exact', 'a.pth') == []
    for key, value in state.items():
        assert torch.equal(model.state_dict()[key], value), key
    cases = [
        ({
            k: v
            for k, v in state.items() if k != 'pos_embed'
        }, 'blocks.*, norm.*, patch_embed.*', '1 missing (pos_embed)'),
        ({
            k: v
            for k, v in state.items() if k not in NORM
        }, 'blocks.*, patch_embed.*, pos_embed.*',
         '2 missing (norm.weight, norm.bias)'),
        (dict(state, extra=torch.ones(1)), 'blocks.*, extra.*, norm.*, '
         'patch_embed.*', '1 unexpected (extra)'),
    ]
    for broken, tops, problem in cases:
        with pytest.raises(CheckpointError) as err:
            load_state(model, broken, 'exact', 'a.pth')
        assert str(err.value) == (
            f'a.pth (an encoder ({tops})) does not fit '
            f"MotionMAEVisionTransformer (policy 'exact'): {problem}; is it "
            'for another model or config?')
    with pytest.raises(CheckpointError) as err:
        load_state(model, dict(state, **{'norm.bias': torch.ones(3)}), 'exact',
                   'a.pth')
    assert str(err.value) == (
        "a.pth does not fit MotionMAEVisionTransformer (policy 'exact'): 1 "
        'of another shape (checkpoint vs model: norm.bias (3,) vs (32,)); '
        'it was trained with another architecture: use its config')


def test_encoder_takes_a_pretraining_encoder_into_mean_pooling():
    """Missing fc_norm (trained by the fine-tune), extra norm, and a fixed
    pos_embed of another grid are skipped; every other tensor loads."""
    src = build_tiny_vit(0)
    model = build_tiny_vit(1, use_mean_pooling=True, num_frames=8)
    own_pos = model.pos_embed.clone()
    fresh_fc = {k: v.clone() for k, v in model.fc_norm.state_dict().items()}
    state = _distinct(src)
    skipped = load_state(model, state, 'encoder', 'p.pth')
    assert sorted(skipped) == sorted(FC_NORM + NORM + ['pos_embed'])
    assert torch.equal(model.pos_embed, own_pos)  # recomputed table kept
    for key, value in fresh_fc.items():
        assert torch.equal(model.fc_norm.state_dict()[key], value)
    for key, value in state.items():
        if key not in skipped:
            assert torch.equal(model.state_dict()[key], value), key


def test_encoder_refuses_what_fine_tuning_does_not_expect():
    state = _distinct(build_tiny_vit(0))
    learnable = build_tiny_vit(1, use_learnable_pos_emb=True)
    with pytest.raises(CheckpointError) as err:
        load_state(learnable, {
            k: v
            for k, v in state.items() if k != 'pos_embed'
        }, 'encoder', 'p.pth')
    assert str(err.value) == (
        'p.pth (an encoder (blocks.*, norm.*, patch_embed.*)) does not fit '
        "MotionMAEVisionTransformer (policy 'encoder'): 1 missing "
        '(pos_embed); is it for another model or config?')
    deeper = build_tiny_vit(1, depth=3)
    with pytest.raises(
            CheckpointError,
            match=r"\(policy 'encoder'\): 13 "
            r'missing \(blocks\.2\.norm1\.weight, '
            r'blocks\.2\.norm1\.bias, blocks\.2\.attn\.q_bias\); '):
        load_state(deeper, state, 'encoder', 'p.pth')
    with pytest.raises(
            ValueError,
            match="unknown checkpoint policy 'lax'; "
            'known: encoder, exact'):
        load_state(deeper, state, 'lax')


@pytest.fixture
def finetuned(tmp_path, monkeypatch) -> str:
    """``ft.pth``, a fine-tuned recognizer (fc_norm, no final norm) from
    ``pre.pth``, both in the current directory (short names: every key
    fits the one-line message)."""
    monkeypatch.chdir(tmp_path)
    save_pretrain_checkpoint('pre.pth')
    model = MODELS.build(recognizer_cfg('pre.pth'))
    model.init_weights()
    torch.save(dict(state_dict=_distinct(model)), 'ft.pth')
    return 'ft.pth'


def test_finetuned_checkpoint_never_feeds_the_linear_probe(finetuned):
    path = finetuned
    probe = MODELS.build(
        recognizer_cfg(path, 'MotionMAEFrozenVisionTransformer'))
    with pytest.raises(CheckpointError) as err:
        probe.init_weights()
    assert str(err.value) == (
        f"{path} (prefix 'backbone.') does not fit "
        "MotionMAEFrozenVisionTransformer (policy 'encoder'): 2 missing and "
        f'frozen (norm.weight, norm.bias); {UNTRAINED}')
    # the pretraining checkpoint is what the probe takes, norm included
    probe = MODELS.build(
        recognizer_cfg('pre.pth', 'MotionMAEFrozenVisionTransformer'))
    probe.init_weights()
    state = read_checkpoint('pre.pth')['state_dict']
    for key in NORM:
        assert torch.equal(probe.backbone.state_dict()[key],
                           state[f'backbone.{key}'])


def test_vos_tolerates_what_fine_tuning_does(finetuned):
    """The same files pass and fail both paths, with the same keys."""
    state = read_checkpoint('pre.pth')['state_dict']
    vos = build_tiny_vit(1)
    load_encoder_weights(vos, 'pre.pth')
    assert not any(p.requires_grad for p in vos.parameters())
    for key, value in vos.state_dict().items():
        assert torch.equal(value, state[f'backbone.{key}']), key
    with pytest.raises(CheckpointError) as err:
        load_encoder_weights(build_tiny_vit(1), finetuned)
    assert str(err.value) == (
        f"{finetuned} does not fit MotionMAEVisionTransformer (policy "
        f"'encoder'): 2 missing and frozen (norm.weight, norm.bias); "
        f'{UNTRAINED}')
