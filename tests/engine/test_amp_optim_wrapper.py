# Copyright (c) OpenMMLab. All rights reserved.
"""AMP optimizer wrappers on a machine without a GPU: CPU bf16 autocast."""
import pytest
import torch
from mmaction.registry import MODELS, OPTIM_WRAPPERS
from mmengine.optim import AmpOptimWrapper as MMEngineAmp
from mmengine.optim import build_optim_wrapper

from motionmae_mm.engine.optim_wrappers import cpu_supports_bf16
from ..conftest import tiny_model_cfg

pytestmark = [
    pytest.mark.skipif(torch.cuda.is_available(),
                       reason='tests the CPU path of the AMP wrappers'),
    pytest.mark.skipif(not cpu_supports_bf16(),
                       reason='this CPU has no native bf16 kernels')
]


def _model(seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(tiny_model_cfg())
    model.init_weights()
    return model


def _batches(steps, n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    clips = torch.randint(0, 256, (steps, n, 1, 3, 4, 32, 32), generator=g)
    return [dict(inputs=list(c.to(torch.uint8)), data_samples=None)
            for c in clips]


def _optim_cfg(type_, **kw):
    return dict(
        type=type_,
        optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.95)),
        **kw)


@pytest.mark.parametrize('type_', ['AmpOptimWrapper',
                                   'NonFiniteSkipAmpOptimWrapper'])
def test_registry_builds_cpu_bf16_wrapper(type_):
    model = torch.nn.Linear(8, 8)
    wrapper = OPTIM_WRAPPERS.build(
        dict(type=type_, dtype='bfloat16', loss_scale='dynamic',
             optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    assert isinstance(wrapper, MMEngineAmp)  # mmengine's isinstance checks
    assert wrapper.loss_scaler is None and wrapper.cast_dtype == torch.bfloat16
    with wrapper.optim_context(model):
        out = model(torch.randn(2, 8))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert model.weight.grad is None  # stepped and zeroed


def test_float32_dtype_means_no_autocast():
    model = torch.nn.Linear(8, 8)
    wrapper = build_optim_wrapper(
        model, _optim_cfg('AmpOptimWrapper', dtype='float32'))
    with wrapper.optim_context(model):
        assert model(torch.randn(2, 8)).dtype == torch.float32


def _train(optim_type, steps=8):
    model = _model()
    wrapper = build_optim_wrapper(model, _optim_cfg(optim_type))
    torch.manual_seed(1)  # same masks for both runs
    return [model.train_step(b, wrapper)['loss'].item()
            for b in _batches(steps)], model


def test_bf16_losses_follow_fp32_within_tolerance():
    fp32, _ = _train('NonFiniteSkipOptimWrapper')
    bf16, _ = _train('NonFiniteSkipAmpOptimWrapper')
    assert fp32 != bf16  # bf16 really ran
    # stated tolerance: 1e-4 relative per step over 8 AdamW steps
    # (measured: at most 1.1e-5 over 20 steps of this model)
    torch.testing.assert_close(
        torch.tensor(bf16), torch.tensor(fp32), rtol=1e-4, atol=0)
    # and both went down on these repeated-size random clips
    assert bf16[-1] < bf16[0] and fp32[-1] < fp32[0]


def test_master_weights_and_grads_stay_fp32():
    _, model = _train('AmpOptimWrapper', steps=2)
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_wrapper_state_round_trips_through_a_checkpoint(tmp_path):
    from motionmae_mm.utils.checkpoint import read_checkpoint
    model = _model()
    wrapper = build_optim_wrapper(model, _optim_cfg('AmpOptimWrapper'))
    batches = _batches(4)
    for b in batches[:2]:
        model.train_step(b, wrapper)
    path = str(tmp_path / 'amp.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    optimizer=wrapper.state_dict()), path)
    ckpt = read_checkpoint(path)

    resumed = _model(seed=5)
    resumed.load_state_dict(ckpt['state_dict'])
    resumed_wrapper = build_optim_wrapper(resumed,
                                          _optim_cfg('AmpOptimWrapper'))
    # a GPU run's scaler state is dropped on a CPU
    resumed_wrapper.load_state_dict(
        dict(ckpt['optimizer'], loss_scaler={'scale': 1024.}))
    rng = torch.get_rng_state()
    for b in batches[2:]:
        model.train_step(b, wrapper)
    torch.set_rng_state(rng)
    for b in batches[2:]:
        resumed.train_step(b, resumed_wrapper)
    for (name, p), q in zip(model.named_parameters(), resumed.parameters()):
        assert torch.equal(p, q), name
