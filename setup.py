# Copyright (c) OpenMMLab. All rights reserved.
from setuptools import find_packages, setup


def parse_requirements(path: str) -> list:
    """Read a requirements file, skipping comments and blank lines."""
    with open(path) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


version = {}
with open('motionmae_mm/version.py') as f:
    exec(f.read(), version)

setup(
    name='motionmae_mm',
    version=version['__version__'],
    description='MotionMAE: motion-aware masked autoencoders for video, '
    'as an mmaction2 plugin',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    install_requires=parse_requirements('requirements/runtime.txt'),
    extras_require=dict(tests=parse_requirements('requirements/tests.txt')),
    license='Apache License 2.0',
)
