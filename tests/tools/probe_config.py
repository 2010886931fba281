# Copyright (c) OpenMMLab. All rights reserved.
"""A config file for the run tests: a base config on given clips, with the
test hooks of this folder importable and per-iteration losses logged."""
from pathlib import Path


def probe_config(path: Path, base: Path, data: Path, hooks: list,
                 epochs: int, extra: str = '') -> Path:
    """Write ``base`` trained ``epochs`` on ``data/pretrain.txt`` with
    ``hooks`` (``SignalAtIterHook``, ``WeightsProbeHook``,
    ``RankProbeHook``) to ``path``; ``extra`` is appended as written."""
    path.write_text(f"""
_base_ = ['{base}']
custom_imports = dict(
    imports=['motionmae_mm', 'tests.tools.fsdp_probe',
             'tests.tools.rank_probe', 'tests.tools.signal_probe'],
    allow_failed_imports=False)
custom_hooks = {hooks!r}
train_dataloader = dict(
    dataset=dict(ann_file='{data}/pretrain.txt',
                 data_prefix=dict(video='{data}')))
train_cfg = dict(max_epochs={epochs})
log_processor = dict(window_size=1)  # per-iteration losses in the log
{extra}""")
    return path
