# Copyright (c) OpenMMLab. All rights reserved.
"""Read the model config that mmengine stores in a checkpoint, as data.

mmengine writes the run's whole config into ``meta['cfg']`` as Python text
(``Config.pretty_text``). Parsing it with ``Config.fromstring`` would run
that text, i.e. run code that came with a checkpoint. Checkpoints are data
here, so the ``model = dict(...)`` assignment is evaluated from its syntax
tree, accepting only literals, ``dict(...)`` calls and containers.
"""
import ast
from typing import Any

from mmengine.config import Config

from .errors import ConversionError


class StoredConfigError(ConversionError):
    """A stored config whose ``model`` is missing or is not plain data."""


def _literal(node: ast.AST) -> Any:
    """Value of a plain-data expression (no names, no calls but dict)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_literal(n) for n in node.elts]
        return {
            ast.List: list,
            ast.Tuple: tuple,
            ast.Set: set
        }[type(node)](
            items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise StoredConfigError('"**" inside a dict literal')
        return {
            _literal(k): _literal(v)
            for k, v in zip(node.keys, node.values)
        }
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == 'dict' and not node.args:
        if any(kw.arg is None for kw in node.keywords):
            raise StoredConfigError('"**" inside dict(...)')
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op,
                                                    (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float)):
            return -value if isinstance(node.op, ast.USub) else value
    raise StoredConfigError(
        f'line {getattr(node, "lineno", "?")}: {type(node).__name__} is not '
        'plain data')


def model_cfg_from_text(text: str) -> dict:
    """The ``model`` dict of a stored config text, without executing it.

    Raises:
        StoredConfigError: if the text does not parse, has no top-level
            ``model = ...`` or the value is not plain data.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise StoredConfigError(f'not Python config text ({err.msg}, line '
                                f'{err.lineno})') from None
    for stmt in reversed(tree.body):  # the last assignment wins
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == 'model'
                for t in stmt.targets):
            model = _literal(stmt.value)
            if not isinstance(model, dict):
                raise StoredConfigError('"model" is not a dict')
            return model
    raise StoredConfigError('no top-level "model = dict(...)"')


def config_text(model: dict) -> str:
    """Config text for ``meta['cfg']`` that our tools and mmengine read."""
    return Config(
        dict(
            default_scope='mmaction',
            custom_imports=dict(
                imports=['motionmae_mm'], allow_failed_imports=False),
            model=model)).pretty_text
