# Copyright (c) OpenMMLab. All rights reserved.
import pytest
import torch
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.logging import MessageHub


def _wrapper(max_consecutive=3):
    model = torch.nn.Linear(4, 1)
    optim = OPTIM_WRAPPERS.build(
        dict(
            type='NonFiniteSkipOptimWrapper',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            max_consecutive=max_consecutive))
    return model, optim


def _loss(model, scale=1.):
    return model(torch.ones(2, 4)).sum() * scale


def test_non_finite_loss_skips_the_step_and_is_counted():
    hub = MessageHub.get_instance('non_finite_test')
    hub.update_info('iter', 7)
    model, optim = _wrapper()
    before = model.weight.detach().clone()
    with pytest.warns(UserWarning, match='iteration 8'):
        optim.update_params(_loss(model, float('nan')))
    assert torch.equal(model.weight, before) and model.weight.grad is None
    assert optim.skipped_steps == 1
    assert hub.get_scalar('train/skipped_steps').current() == 1
    optim.update_params(_loss(model))  # a finite loss steps and resets
    assert not torch.equal(model.weight, before)
    assert optim.skipped_in_a_row == 0 and optim.skipped_steps == 1


def test_too_many_in_a_row_stop_with_iteration_and_checkpoint():
    hub = MessageHub.get_instance('non_finite_test2')
    hub.update_info('last_ckpt', '/runs/a/epoch_3.pth')
    model, optim = _wrapper(max_consecutive=2)
    hub.update_info('iter', 40)
    with pytest.warns(UserWarning):
        optim.update_params(_loss(model, float('inf')))
    hub.update_info('iter', 41)
    with pytest.raises(RuntimeError,
                       match=r'2 non-finite losses in a row, the last '
                       r'\(loss\) at iteration 42: training stopped before '
                       r'the step; last good checkpoint: /runs/a/epoch_3.pth'):
        optim.update_params(_loss(model, float('nan')))


def test_fp32_stops_at_the_first_and_names_the_loss():
    """Without mixed precision a non-finite loss is a diverged run."""
    hub = MessageHub.get_instance('non_finite_test3')
    model, optim = _wrapper(max_consecutive=None)
    assert optim.max_consecutive == 1
    before = model.weight.detach().clone()
    hub.update_info('iter', 4)
    hub.update_info('loss_terms', dict(loss=torch.tensor(float('nan')),
                                       loss_appearance=torch.tensor(0.5),
                                       loss_motion=torch.tensor(float('nan'))),
                    resumed=False)
    with pytest.raises(RuntimeError,
                       match=r'^a non-finite loss_motion at iteration 5: '):
        optim.update_params(_loss(model, float('nan')))
    assert torch.equal(model.weight, before)  # no step was taken
