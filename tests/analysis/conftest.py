# Copyright (c) OpenMMLab. All rights reserved.
"""Import the analysis tools (scripts, not a package) by path."""
from types import ModuleType

from .. import tool_process
from ..conftest import REPO


def load_tool(name: str) -> ModuleType:
    """Import ``tools/analysis/<name>.py`` as a module."""
    return tool_process.load_tool(REPO / 'tools' / 'analysis' / f'{name}.py')


def parse_line(line: str, prefix: str) -> dict:
    """``prefix: k=v k=v`` -> dict of strings."""
    assert line.startswith(prefix + ': '), line
    return dict(item.split('=', 1) for item in line[len(prefix) + 2:].split())
