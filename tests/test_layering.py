# Copyright (c) OpenMMLab. All rights reserved.
"""The package's subpackages import one way: each only from lower layers.

Every ``import`` in every module counts, those inside functions too (a
lazy import is still an upward dependency). A new subpackage must be given
a layer here and in docs/design.md.
"""
import ast
import os.path as osp
from pathlib import Path
from typing import Iterator, Tuple

ROOT = Path(__file__).resolve().parents[1] / 'motionmae_mm'
#: Lowest first; a module may import from its own or lower layers only.
LAYERS = {
    'version': 0,
    'utils': 0,
    'compat': 1,
    'models': 1,
    'datasets': 1,
    'visualization': 2,
    'convert': 2,
    'evaluation': 3,
    'engine': 4,
    'apis': 5,
    'analysis': 6,
}


def _subpackage(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imported(path: Path) -> Iterator[Tuple[str, int]]:
    """(subpackage, line) of every package import in ``path``."""
    package = ['motionmae_mm', *path.relative_to(ROOT).parts[:-1]]
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                names = [base + (node.module or '').split('.')]
            elif node.module:
                names = [node.module.split('.')]
        elif isinstance(node, ast.Import):
            names = [alias.name.split('.') for alias in node.names]
        for name in names:
            name = [part for part in name if part]
            if len(name) > 1 and name[0] == 'motionmae_mm':
                yield name[1], node.lineno


MODULES = sorted(p for p in ROOT.rglob('*.py') if p.name != '__init__.py'
                 or p.parent != ROOT)


def test_every_subpackage_has_a_layer():
    found = {_subpackage(p) for p in MODULES}
    assert found <= set(LAYERS), f'no layer for {sorted(found - set(LAYERS))}'


def test_imports_go_down():
    upward = [
        f'{osp.relpath(path, ROOT.parent)}:{line} imports {target}'
        for path in MODULES for target, line in _imported(path)
        if target != _subpackage(path)
        and LAYERS[target] >= LAYERS[_subpackage(path)]
    ]
    assert not upward, '\n'.join(upward)
