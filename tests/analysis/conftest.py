# Copyright (c) OpenMMLab. All rights reserved.
"""Import the analysis tools (scripts, not a package) by path."""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[2] / 'tools' / 'analysis'


def load_tool(name: str) -> ModuleType:
    """Import ``tools/analysis/<name>.py`` as a module."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location(name, TOOLS / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_line(line: str, prefix: str) -> dict:
    """``prefix: k=v k=v`` -> dict of strings."""
    assert line.startswith(prefix + ': '), line
    return dict(item.split('=', 1) for item in line[len(prefix) + 2:].split())
