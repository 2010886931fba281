# Copyright (c) OpenMMLab. All rights reserved.
"""Gradient accumulation through our wrappers and ``auto_scale_lr``."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper

from motionmae_mm.engine.optim_wrappers import cpu_supports_bf16
from ..conftest import tiny_model_cfg


def _data(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 6, generator=g), torch.randn(n, 3, generator=g)


def _train(type_, batch, counts, updates=3, **kw):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.GELU(), torch.nn.Linear(16, 3))
    wrapper = build_optim_wrapper(
        model,
        dict(
            type=type_,
            accumulative_counts=counts,
            optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.05),
            **kw))
    x, y = _data()
    for _ in range(updates):
        for i in range(0, len(x), batch):
            with wrapper.optim_context(model):
                out = model(x[i:i + batch])
            loss = torch.nn.functional.mse_loss(out.float(), y[i:i + batch])
            wrapper.update_params(loss)
    return model


@pytest.mark.parametrize('type_', ['NonFiniteSkipOptimWrapper',
                                   'OptimWrapper'])
def test_k_accumulated_batches_equal_one_k_times_larger_batch(type_):
    big = _train(type_, batch=8, counts=1)
    acc = _train(type_, batch=2, counts=4)
    for p, q in zip(big.parameters(), acc.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(
    torch.cuda.is_available() or not cpu_supports_bf16(),
    reason='tests the CPU bf16 path')
def test_accumulation_under_cpu_bf16():
    big = _train('NonFiniteSkipAmpOptimWrapper', batch=8, counts=1)
    acc = _train('NonFiniteSkipAmpOptimWrapper', batch=2, counts=4)
    fp32 = _train('NonFiniteSkipOptimWrapper', batch=8, counts=1)
    for p, q, r in zip(big.parameters(), acc.parameters(),
                       fp32.parameters()):
        # bf16 rounding of 4 small batches vs one large one
        torch.testing.assert_close(p, q, rtol=0, atol=2e-3)
        assert not torch.equal(p, r)  # autocast really ran


def test_a_skipped_micro_batch_keeps_windows_aligned():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    wrapper = build_optim_wrapper(
        model,
        dict(
            type='NonFiniteSkipOptimWrapper',
            max_consecutive=3,  # skip (fp32 would stop at the first)
            accumulative_counts=2,
            optimizer=dict(type='SGD', lr=0.1)))
    x = torch.ones(2, 4)
    w0 = model.weight.detach().clone()
    with pytest.warns(UserWarning, match='step skipped'):
        wrapper.update_params(model(x).sum() * float('nan'))
    assert torch.equal(model.weight, w0)
    wrapper.update_params(model(x).sum())  # closes the window: one step
    # the skipped micro-batch gave nothing; the finite one half a batch
    torch.testing.assert_close(model.weight, w0 - 0.1 * 2 * x[0] / 2)
    w1 = model.weight.detach().clone()
    with pytest.warns(UserWarning):
        wrapper.update_params(model(x).sum() * float('inf'))
    with pytest.warns(UserWarning):
        wrapper.update_params(model(x).sum() * float('nan'))
    assert torch.equal(model.weight, w1)  # an all-skipped window: no update
    assert model.weight.grad is None or not model.weight.grad.any()


def test_auto_scale_lr_counts_accumulated_batches(tmp_path):
    from mmengine.config import Config

    from motionmae_mm.apis import build_runner
    cfg = Config(
        dict(
            runner_type='MotionMAERunner',
            default_scope='mmaction',
            model=tiny_model_cfg(),
            work_dir=str(tmp_path),
            train_dataloader=dict(
                dataset=dict(type='VideoDataset', ann_file='unused.txt'),
                sampler=dict(type='DefaultSampler', shuffle=False),
                batch_size=4,
                num_workers=0),
            optim_wrapper=dict(
                type='NonFiniteSkipOptimWrapper',
                accumulative_counts=8,
                optimizer=dict(type='SGD', lr=0.1)),
            auto_scale_lr=dict(enable=True, base_batch_size=64),
            train_cfg=dict(by_epoch=True, max_epochs=1)))
    runner = build_runner(cfg)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.scale_lr(runner.optim_wrapper, runner.auto_scale_lr)
    # 4 clips x 8 accumulated batches per update = 32 of 64
    assert runner.optim_wrapper.param_groups[0]['lr'] == pytest.approx(0.05)
