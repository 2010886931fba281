# Copyright (c) OpenMMLab. All rights reserved.
"""A short real training run: the log holds what a user reads."""
import torch

from .test_train import run_train

NOISE = ('paramwise_options', 'torch.Size(', 'Name of parameter',
         'MultiScaleDeformableAttention', 'FileClient', 'HardDiskBackend')


def test_train_log_fits_on_a_screen_per_epoch(demo_data, tmp_path):
    proc = run_train(demo_data, tmp_path, epochs=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = next(tmp_path.glob('*/*.log')).read_text()
    for text in (log, proc.stdout + proc.stderr):
        assert not [n for n in NOISE if n in text]
    if not torch.cuda.is_available():
        assert 'Processes: 1 (CPU, no GPU)' in log and 'GPU number' not in log
    # after the set-up: per epoch 2 iteration lines, 'Exp name', a save;
    # the health hook's line after the first and the last iteration
    lines = [line for line in log.splitlines() if ' - mmengine - ' in line]
    start = next(i for i, line in enumerate(lines)
                 if 'Checkpoints will be saved' in line)
    run = lines[start + 1:]
    health = [line for line in run if ' health iter ' in line]
    assert [line.split(' health iter ')[1].split(':')[0]
            for line in health] == ['1', '4'], '\n'.join(run)
    run = [line for line in run if line not in health]
    assert len(run) == 8, '\n'.join(run)
    assert sum('Epoch(train)' in line for line in run) == 4
