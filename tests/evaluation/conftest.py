# Copyright (c) OpenMMLab. All rights reserved.
"""Shared fixtures for the DAVIS VOS tests: the DAVIS sample location."""
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """``../shared`` next to the repo, or ``$MOTIONMAE_SHARED``."""
    env = os.environ.get('MOTIONMAE_SHARED')
    return Path(env) if env else REPO_ROOT / '..' / 'shared'


@pytest.fixture(scope='session')
def davis_sample() -> Path:
    """The real two-sequence DAVIS sample, or skip with the reason."""
    root = shared_dir() / 'data' / 'davis_sample'
    if not (root / 'ImageSets' / '2017' / 'val.txt').is_file():
        pytest.skip(f'DAVIS sample not found at {root.resolve()} '
                    '(set MOTIONMAE_SHARED to the shared folder)')
    return root
