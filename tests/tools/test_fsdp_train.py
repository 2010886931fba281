# Copyright (c) OpenMMLab. All rights reserved.
"""FSDP2 with 2 real gloo processes: the same losses and gradient norms as
DDP through a preemption and ``--resume``, the same window dropped when one
rank's loss is non-finite, a sharded checkpoint resumed on 1 rank,
consolidation to a regular checkpoint, one-line errors.

Launches (the cost of these tests): DDP, FSDP2 preempted, FSDP2 resumed
(2 ranks each) and the 2 -> 1 resume (1 rank)."""
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from motionmae_mm.engine import PREEMPTED_EXIT_CODE
from motionmae_mm.utils import read_checkpoint
from motionmae_mm.utils.checkpoint import CheckpointError
from motionmae_mm.utils.sharded_checkpoint import check_keys, consolidate

from .probe_config import probe_config
from .test_dist_train import _env, _run
from .test_resume import _losses
from .test_train import DEMO, REPO, TINY
from ..tool_process import run_tool

pytestmark = pytest.mark.heavy

FSDP_DEMO = 'configs/demo/motionmae_vit-tiny_demo_fsdp.py'
FINETUNE_DEMO = 'configs/demo/finetune_vit-tiny_demo.py'
# fp32, 8 clips, 2 per rank: 2 iterations per epoch; gradients accumulate
# over both (one update per epoch) and are clipped to a small norm, so
# accumulation without communication and clipping of sharded gradients
# are both compared with DDP; the non-finite skip goes on past one
OPTIONS = [
    *TINY, 'train_dataloader.batch_size=2', 'optim_wrapper.dtype=float32',
    'optim_wrapper.accumulative_counts=2',
    'optim_wrapper.clip_grad.max_norm=0.05', 'optim_wrapper.max_consecutive=3'
]
#: Rank 1's loss is NaN in this iteration (0-based): the last of epoch 2,
#: which closes its accumulation window.
NON_FINITE_AT = 3


def _config(tmp_path: Path, data: Path, base: str, epochs: int,
            notice_at: Optional[int] = None) -> Path:
    """``base`` on the demo clips, with the weights probe, a non-finite
    loss on rank 1 in iteration ``NON_FINITE_AT`` and, with ``notice_at``,
    a SIGTERM to rank 1 after that iteration."""
    hooks = [
        dict(type='WeightsProbeHook'),
        dict(type='NonFiniteLossHook', iteration=NON_FINITE_AT, rank=1)
    ]
    if notice_at is not None:
        hooks.append(dict(type='SignalAtIterHook', iteration=notice_at,
                          rank=1))
    return probe_config(
        tmp_path / f'{Path(base).stem}_{epochs}_{notice_at}.py', REPO / base,
        data, hooks, epochs,
        'default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3))')


def _dist(cfg: Path, work: Path, procs: int, port: int, *extra: str,
          batch: int = 2, code: int = 0) -> subprocess.CompletedProcess:
    proc = _run([
        'bash', 'tools/dist_train.sh',
        str(cfg),
        str(procs), '--work-dir',
        str(work), *extra, '--cfg-options', *OPTIONS,
        f'train_dataloader.batch_size={batch}'
    ], dict(_env(), PORT=str(port)))
    assert proc.returncode == code, proc.stderr[-3000:]
    return proc


def _scalars(work: Path, key: str) -> dict:
    out = {}
    for log in sorted(work.glob('*/vis_data/scalars.json')):
        for line in log.read_text().splitlines():
            rec = json.loads(line)
            if key in rec:
                out[rec['step']] = rec[key]
    return out


def _assert_same(state: dict, other: dict) -> None:
    assert sorted(state) == sorted(other)
    for key, value in state.items():
        assert torch.equal(value, other[key]), key


@pytest.fixture(scope='module')
def runs(demo_data, tmp_path_factory) -> dict:
    """DDP, 2 epochs on 2 ranks; FSDP2 with the same data, masks and
    options, preempted at the end of epoch 1 (rank 1 gets a SIGTERM in
    iteration 1, both stop at the end of the accumulation window) and
    resumed with ``--resume``."""
    tmp = tmp_path_factory.mktemp('fsdp')
    ddp, fsdp = tmp / 'ddp', tmp / 'fsdp'
    out = dict(tmp=tmp, ddp=ddp, fsdp=fsdp)
    _dist(_config(tmp, demo_data, DEMO, 2), ddp, 2, 29561)
    out['cut_log'] = _dist(
        _config(tmp, demo_data, FSDP_DEMO, 2, notice_at=1), fsdp, 2, 29562,
        code=PREEMPTED_EXIT_CODE)
    out['resume_log'] = _dist(
        _config(tmp, demo_data, FSDP_DEMO, 2), fsdp, 2, 29563, '--resume')
    return out


def test_fsdp_equals_ddp_through_a_preemption_and_resume(runs):
    fsdp = runs['fsdp']
    cut = runs['cut_log'].stdout + runs['cut_log'].stderr
    assert 'FSDP2 over 2 rank(s): 2 block shard units + root, fp32' in cut
    preempted = fsdp / 'preempted_iter_2.pth'
    assert f'stopped after iteration 2, saved {preempted}' in cut
    resumed = runs['resume_log'].stdout + runs['resume_log'].stderr
    assert 'resumed epoch: 1, iter: 2' in resumed
    assert not preempted.exists()  # replaced by epoch_2.pth
    # the resumed run started from the weights saved at the preemption
    _assert_same(read_checkpoint(fsdp / 'weights_before.pth'),
                 consolidate(str(fsdp / 'epoch_1.pth'))['state_dict'])
    # per-step losses and (clipped) gradient norms: DDP's, uninterrupted
    ddp, got = _losses(runs['ddp']), _losses(fsdp)
    assert sorted(ddp) == sorted(got) == [1, 2, 3, 4]
    worst = max(abs(ddp[i] - got[i]) for i in ddp)
    assert worst <= 1e-5, (ddp, got)
    assert ddp[3] != ddp[1]  # the update of epoch 1 changed the model
    norms = _scalars(runs['ddp'], 'grad_norm'), _scalars(fsdp, 'grad_norm')
    assert sorted(norms[0]) == sorted(norms[1]) and norms[0]
    for step, norm in norms[0].items():
        assert norm > 0.05  # clipped: the norm is above max_norm
        assert abs(norm - norms[1][step]) <= 1e-5 * norm


def test_a_non_finite_loss_closing_a_window_drops_it_on_every_rank(runs):
    """Rank 1's loss is NaN in the last iteration, which closes epoch 2's
    window: its first micro-batch's gradients were never reduced, so no
    rank steps. Stepping on them would give each DDP rank other weights."""
    ddp, fsdp = runs['ddp'], runs['fsdp']
    for work in (ddp, fsdp):
        assert _scalars(work, 'skipped_steps') == {NON_FINITE_AT + 1: 1}
    resumed = runs['resume_log'].stdout + runs['resume_log'].stderr
    assert f'at iteration {NON_FINITE_AT + 1}: step skipped' in resumed
    epoch_1 = read_checkpoint(ddp / 'epoch_1.pth')['state_dict']
    _assert_same(read_checkpoint(ddp / 'weights_after.pth'), epoch_1)
    _assert_same(read_checkpoint(ddp / 'weights_after_rank1.pth'), epoch_1)
    _assert_same(read_checkpoint(fsdp / 'weights_after.pth'),
                 consolidate(str(fsdp / 'epoch_1.pth'))['state_dict'])


def test_sharded_checkpoint_consolidates_to_the_live_weights(runs, tmp_path):
    ckpt = runs['fsdp'] / 'epoch_2.pth'
    assert sorted(p.name for p in ckpt.iterdir()) == [
        '.metadata', '__0_0.distcp', '__1_0.distcp', 'extra.pth'
    ]
    assert not list(runs['fsdp'].glob('.*.tmp'))
    assert (runs['fsdp'] / 'last_checkpoint').read_text() == str(ckpt)
    live = read_checkpoint(runs['fsdp'] / 'weights_after.pth')
    full = consolidate(str(ckpt))
    _assert_same(full['state_dict'], live)
    assert (full['meta']['epoch'], full['meta']['iter']) == (2, 4)
    # the tool: a regular checkpoint, read by the project's loader
    out = tmp_path / 'consolidated.pth'
    proc = run_tool('tools/convert/consolidate_checkpoint.py', ckpt, out,
                    env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'from 2 rank(s), epoch 2, iter 4 -> {out}' in proc.stdout
    _assert_same(read_checkpoint(out)['state_dict'], live)
    # ... that a stock Recognizer3D of the fine-tune config loads
    cfg = Config.fromfile(REPO / FINETUNE_DEMO)
    cfg.model.backbone.update(embed_dims=32, depth=1, num_heads=2)
    cfg.model.backbone.init_cfg.checkpoint = str(out)
    cfg.model.cls_head.in_channels = 32
    model = MODELS.build(cfg.model)
    model.init_weights()
    for key, value in model.backbone.state_dict().items():
        if f'backbone.{key}' in live:
            assert torch.equal(value, live[f'backbone.{key}']), key
    with pytest.raises(CheckpointError, match='a sharded checkpoint'):
        read_checkpoint(ckpt)
    # ... and the Hugging Face export (reloaded and compared on a clip)
    pytest.importorskip('transformers')
    from motionmae_mm.convert.huggingface_export import export_to_hf
    exported = export_to_hf(str(out), str(tmp_path / 'hf'))
    assert exported.architecture == 'VideoMAEForPreTraining'


def test_resume_resharded_from_2_ranks_to_1_and_back_to_2(runs, demo_data):
    tmp, epoch_1 = runs['tmp'], runs['fsdp'] / 'epoch_1.pth'
    saved = consolidate(str(epoch_1))['state_dict']
    # 2 -> 1: one rank reads both ranks' slices (batch 4: 2 iterations)
    one = tmp / 'one'
    proc = _dist(_config(tmp, demo_data, FSDP_DEMO, 2), one, 1, 29564,
                 '--resume', str(epoch_1), batch=4)
    log = proc.stdout + proc.stderr
    assert f'resharded {epoch_1}: saved by 2 rank(s), loaded by 1' in log
    _assert_same(read_checkpoint(one / 'weights_before.pth'), saved)
    epoch_2 = one / 'epoch_2.pth'
    assert sorted(p.name for p in epoch_2.glob('*.distcp')) == [
        '__0_0.distcp'
    ]
    assert sorted(_losses(one)) == [3, 4]
    # 1 -> 2: each rank reads its slice of the one-rank shards, epoch 3
    two = tmp / 'two'
    proc = _dist(_config(tmp, demo_data, FSDP_DEMO, 3), two, 2, 29565,
                 '--resume', str(epoch_2))
    log = proc.stdout + proc.stderr
    assert f'resharded {epoch_2}: saved by 1 rank(s), loaded by 2' in log
    _assert_same(read_checkpoint(two / 'weights_before.pth'),
                 consolidate(str(epoch_2))['state_dict'])
    assert sorted(p.name for p in (two / 'epoch_3.pth').glob('*.distcp')) \
        == ['__0_0.distcp', '__1_0.distcp']
    assert sorted(_losses(two)) == [5, 6]


def test_an_incomplete_or_foreign_shard_set_is_one_error_line(runs,
                                                              tmp_path):
    broken = tmp_path / 'epoch_1.pth'
    shutil.copytree(runs['fsdp'] / 'epoch_1.pth', broken)
    (broken / '__1_0.distcp').unlink()
    proc = run_tool('tools/convert/consolidate_checkpoint.py', broken,
                    tmp_path / 'out.pth', env=_env(), timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: {broken}: incomplete sharded checkpoint: shard file(s) '
        'missing: __1_0.distcp (of 2) (--traceback for details)')
    assert not (tmp_path / 'out.pth').exists()
    # another model (2 encoder blocks): what resuming checks first
    cfg = Config.fromfile(REPO / FSDP_DEMO)
    cfg.model.backbone.update(embed_dims=32, depth=2, num_heads=2)
    cfg.model.neck.update(embed_dims=16, depth=1, num_heads=2)
    model = MODELS.build(cfg.model)
    good = runs['fsdp'] / 'epoch_1.pth'
    with pytest.raises(CheckpointError) as info:
        check_keys(str(good), {k: v.shape
                               for k, v in model.state_dict().items()},
                   'MotionMAE')
    assert re.match(
        rf'{re.escape(str(good))} does not fit MotionMAE: \d+ missing '
        r'\(backbone\.blocks\.1\.', str(info.value)), str(info.value)
