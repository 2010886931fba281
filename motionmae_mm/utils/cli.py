# Copyright (c) OpenMMLab. All rights reserved.
"""One ``error: ...`` line for a user's mistake, in every tool.

A misspelled config key, a missing file, an unregistered type, an
undecodable video or one of this package's input errors ends a tool with
one line (at most 300 characters, no terminal escape codes) that names the
file, key or fix, and exit code 1. Anything else is a bug and keeps its
traceback; ``--traceback`` shows it for user errors too. Usage::

    parser = add_traceback_flag(argparse.ArgumentParser())
    args = parser.parse_args()
    with user_errors(args.traceback) as ctx:
        ctx.cfg = Config.fromfile(args.config)  # lets messages name keys
        ...
"""
import argparse
import difflib
import gc
import inspect
import pickle
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional

MAX_CHARS = 300
HINT = ' (--traceback for details)'
_ANSI = re.compile(r'\x1b\[[0-9;?]*[ -/]*[@-~]')
_UNEXPECTED = re.compile(
    r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'")
_UNREGISTERED = re.compile(r'(\S+) is not in the (\S+) registry')
_WORKER = re.compile(r'Caught \w+ in DataLoader worker process')
# error types (by class name, any base) that always mean bad input
_INPUT_ERRORS = frozenset({
    'UserError', 'DavisFormatError', 'CheckpointError', 'VideoLoadError',
    'DECORDError', 'UnidentifiedImageError', 'CheckpointSaveError',
    'NonFiniteLossError'
})


class UserError(Exception):
    """A tool's own input check failed; the message is the whole story."""


def add_traceback_flag(
        parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--traceback`` (full traceback of input errors)."""
    parser.add_argument(
        '--traceback',
        action='store_true',
        help='show the full traceback of input errors, not one line')
    return parser


def one_line(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` on one line, without escape codes, cut to ``limit``."""
    text = ' '.join(_ANSI.sub('', text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _walk(node: Any, path: str = '') -> Iterator[tuple]:
    """(path, dict) for every dict in a config tree."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{path}[{i}]')


def _type_name(value: Any) -> str:
    return value if isinstance(value, str) else getattr(
        value, '__name__', str(value))


def find_key(cfg: Any, key: str, type_name: Optional[str] = None) -> tuple:
    """(dotted path of ``key``, its dict) in ``cfg``, preferring a dict
    whose ``type`` is ``type_name``; ('', None) when absent."""
    if cfg is None:
        return '', None
    tree = cfg._cfg_dict if hasattr(cfg, '_cfg_dict') else cfg
    found = [(p, d) for p, d in _walk(tree) if key in d]
    typed = [(p, d) for p, d in found
             if type_name and _type_name(d.get('type')) == type_name]
    path, node = (typed or found or [('', None)])[0]
    return (f'{path}.{key}' if path else key) if node is not None else '', \
        node


def _config_name(cfg: Any) -> str:
    return getattr(cfg, 'filename', None) or 'the config'


def _registry_class(name: str) -> Any:
    """The class registered as ``name`` in mmaction2's/mmengine's
    registries, or None."""
    from mmaction import registry as mmaction_registry
    from mmengine import registry as mmengine_registry
    from mmengine.registry import Registry
    for module in (mmaction_registry, mmengine_registry):
        for value in vars(module).values():
            if isinstance(value, Registry):
                try:
                    cls = value.get(name)
                except Exception:  # a registry whose import fails
                    cls = None
                if cls is not None:
                    return cls
    return None


def init_arguments(cls: Any) -> List[str]:
    """Keyword arguments ``cls(...)`` accepts, following ``**kwargs`` up
    the base classes."""
    names: List[str] = []
    for klass in getattr(cls, '__mro__', [cls]):
        init = vars(klass).get('__init__') if isinstance(klass, type) \
            else klass
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            break
        names += [
            p.name for p in params
            if p.name != 'self' and p.kind in (p.POSITIONAL_OR_KEYWORD,
                                               p.KEYWORD_ONLY)
        ]
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return list(dict.fromkeys(names))


def _did_you_mean(word: str, choices: List[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=2, cutoff=0.6)
    return (' (did you mean ' + ' or '.join(f"'{c}'" for c in close) +
            '?)') if close else ''


def _unexpected_keyword(match: 're.Match', cfg: Any) -> str:
    cls_name, key = match.groups()
    path, node = find_key(cfg, key, cls_name)
    cls = node.get('type') if node is not None else None
    if cls is not None and not inspect.isclass(cls):
        cls = _registry_class(_type_name(cls))
    cls = cls or _registry_class(cls_name)
    hint = _did_you_mean(key, init_arguments(cls)) if cls else ''
    name = cls.__name__ if cls else cls_name
    return (f"{path or key}: {name} has no argument '{key}'{hint}; "
            f'fix the key in {_config_name(cfg)} or --cfg-options')


def _unregistered(match: 're.Match', cfg: Any) -> str:
    name, registry_name = match.groups()
    scope, _, kind = registry_name.rpartition('::')
    hint = ''
    try:
        from mmaction import registry as mmaction_registry
        for value in vars(mmaction_registry).values():
            if getattr(value, 'name', None) == kind and \
                    getattr(value, 'scope', None) in (scope, 'mmaction'):
                hint = _did_you_mean(name, list(value.module_dict))
                break
    except ImportError:
        pass
    path = ''
    for p, d in _walk(getattr(cfg, '_cfg_dict', cfg) or {}):
        if _type_name(d.get('type')) == name:
            path = f'{p}.type' if p else 'type'
            break
    where = f"{path}='{name}'" if path else f"type '{name}'"
    return (f'{where} is not registered in {registry_name}{hint}: fix it '
            f'in {_config_name(cfg)}, or import its module with '
            'custom_imports')


def _message(err: BaseException) -> str:
    if isinstance(err, KeyError) and len(err.args) == 1 and \
            isinstance(err.args[0], str):
        text = err.args[0]
    elif isinstance(err, OSError) and err.filename and err.strerror:
        text = f'{err.filename}: {err.strerror}'
    else:
        text = str(err)
    if _WORKER.search(text):  # re-raised from a DataLoader worker
        last = [line for line in text.splitlines() if line.strip()][-1]
        text = re.sub(r'^[\w.]+: ', '', last.strip())
    return text or type(err).__name__


def is_user_error(err: BaseException) -> bool:
    """Whether ``err`` is bad input (one line) rather than a bug."""
    names = {k.__name__ for k in type(err).__mro__}
    if names & _INPUT_ERRORS:
        return True
    if isinstance(err, TypeError):
        return bool(_UNEXPECTED.search(str(err)))
    if isinstance(err, AttributeError):
        return 'ConfigDict' in str(err)
    return isinstance(err, (FileNotFoundError, NotADirectoryError,
                            IsADirectoryError, PermissionError, ValueError,
                            KeyError, SyntaxError, pickle.UnpicklingError))


def format_error(err: BaseException,
                 cfg: Any = None,
                 config: Optional[str] = None) -> str:
    """The ``error: ...`` line for a user error (``cfg`` names keys,
    ``config`` is the config file's path)."""
    text = _message(err)
    if isinstance(err, TypeError) and _UNEXPECTED.search(text):
        text = _unexpected_keyword(_UNEXPECTED.search(text), cfg)
    elif isinstance(err, KeyError) and _UNREGISTERED.search(text):
        text = _unregistered(_UNREGISTERED.search(text), cfg)
    elif isinstance(err, KeyError) and ' ' not in text:
        text = f"missing key '{text}'"
    elif isinstance(err, AttributeError):
        text = f'missing config key: {text}'
    elif isinstance(err, SyntaxError) and 'config file' not in text:
        where = config if err.filename in (None, '<unknown>') else \
            err.filename
        text = f'{where or "config"}:{err.lineno or "?"}: {err.msg}'
    hint = '' if isinstance(err, UserError) else HINT
    return 'error: ' + one_line(text, MAX_CHARS - 7 - len(hint)) + hint


def stop_loader_workers() -> None:
    """Shut down the data-loader worker processes still running.

    A worker that is still loading keeps printing (say, a warning per
    skipped video) after another worker's error reached this process; once
    stopped and joined, nothing it prints can come after the error line.
    """
    loaders = sys.modules.get('torch.utils.data.dataloader')
    if loaders is None:  # torch never loaded data: no workers
        return
    iterator = loaders._MultiProcessingDataLoaderIter
    for obj in gc.get_objects():
        # type(), not isinstance: that reads some objects' deprecated
        # __class__ properties, which warn
        if issubclass(type(obj), iterator):
            obj._shutdown_workers()  # joins (terminates a hung worker)


class ErrorContext:
    """What :func:`user_errors` knows while the tool runs."""

    cfg: Any = None
    config: Optional[str] = None


@contextmanager
def user_errors(show_traceback: bool = False,
                exit_code: int = 1,
                config: Optional[str] = None) -> Iterator[ErrorContext]:
    """Turn user errors raised inside into one ``error:`` line, the last
    line on stderr, and exit with ``exit_code``."""
    ctx = ErrorContext()
    ctx.config = config
    try:
        yield ctx
    except Exception as err:
        if show_traceback or not is_user_error(err):
            raise
        stop_loader_workers()  # the error line is the user's last line
        print(format_error(err, ctx.cfg, ctx.config), file=sys.stderr)
        raise SystemExit(exit_code)
