# Copyright (c) OpenMMLab. All rights reserved.
"""tools/test.py under autocast (bf16 on a CPU) matches the fp32 test."""
import pickle

import pytest
import torch

from motionmae_mm.engine.optim_wrappers import cpu_supports_bf16
from .test_test_tool import FINETUNE, _finetune_opts, _run, finetuned  # noqa
from .test_test_tool import ft_data  # noqa: F401


@pytest.mark.skipif(
    torch.cuda.is_available() or not cpu_supports_bf16(),
    reason='tests the CPU bf16 test loop')
def test_test_loop_under_bf16_autocast(finetuned, ft_data):  # noqa: F811
    scores = {}
    for name, extra in (('fp32', []), ('bf16', ['test_cfg.fp16=True'])):
        dump = finetuned['work'] / f'preds_{name}.pkl'
        proc = _run('tools/test.py', FINETUNE, finetuned['checkpoint'],
                    '--work-dir', finetuned['work'] / f'test_{name}',
                    '--dump', dump, '--cfg-options',
                    *_finetune_opts(ft_data), *extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with open(dump, 'rb') as f:
            scores[name] = torch.stack(
                [p['pred_scores']['item'] for p in pickle.load(f)])
    assert scores['bf16'].dtype == torch.float32  # heads return fp32
    assert not torch.equal(scores['bf16'], scores['fp32'])  # bf16 ran
    # stated tolerance: class probabilities within 0.02
    torch.testing.assert_close(scores['bf16'], scores['fp32'], rtol=0,
                               atol=2e-2)
