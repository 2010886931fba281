# Copyright (c) OpenMMLab. All rights reserved.
"""Run a tool script in its own process without paying for the imports.

``python tools/x.py`` spends ~7 s of a 2-core machine importing torch,
mmengine and mmaction2 before the tool's first line; the suite starts over
a hundred of them. Here each run is a process forked from a server that
imported the package once (the standard library's ``forkserver``), then
given the tool's argv, working directory, environment and its own stdout /
stderr files. What a test checks is the real process: exit code, the last
line of stderr, signals, files left behind. What it does not see is output
printed while importing; tests/utils/test_quiet.py starts real interpreters
for that.

The server never runs torch kernels, so its children start with a fresh
OpenMP pool (a child forked after an OpenMP region hangs).
"""
import atexit
import importlib.util
import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from types import ModuleType
from typing import Optional, Sequence

from .conftest import REPO

#: Imported once by the server; every tool needs these.
PRELOAD = ['motionmae_mm', 'motionmae_mm.apis', 'mmaction.apis']

_CONTEXT = multiprocessing.get_context('forkserver')
_CONTEXT.set_forkserver_preload(PRELOAD)


def load_tool(tool: Path) -> ModuleType:
    """Import the tool script ``tool`` as a module in this process, for
    tests of its functions."""
    spec = importlib.util.spec_from_file_location(tool.stem, tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exit_code(exc: SystemExit) -> int:
    """The status ``python`` exits with for ``SystemExit(code)``."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _main(argv: Sequence[str], cwd: str, env: dict, stdout: str,
          stderr: str, new_session: bool) -> None:
    """The child: become ``python argv...`` and exit as it would."""
    if new_session:
        os.setsid()
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, 'w', buffering=1, closefd=False)
    sys.stderr = open(2, 'w', buffering=1, closefd=False)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # a fresh interpreter: no start method chosen, SIGINT raises
    multiprocessing.set_start_method(None, force=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    script = os.path.abspath(argv[0])
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(script))
    code = 0
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # what the interpreter prints for an uncaught one
        traceback.print_exc()
        code = 1
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class ToolProcess:
    """A started tool; the parts of :class:`subprocess.Popen` tests use."""

    def __init__(self, cmd: Sequence, cwd: Path, env: Optional[dict],
                 stdout: Optional[Path], stderr: Optional[Path],
                 new_session: bool) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix='tool-')
        self.stdout_path = Path(stdout or Path(self._tmp.name) / 'stdout')
        self.stderr_path = Path(stderr or Path(self._tmp.name) / 'stderr')
        self.args = [str(arg) for arg in cmd]
        self._process = _CONTEXT.Process(
            target=_main,
            args=(self.args, str(cwd), dict(os.environ if env is None else
                                            env), str(self.stdout_path),
                  str(self.stderr_path), new_session),
            daemon=False)
        self._process.start()
        self.pid = self._process.pid
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        if self.returncode is None and not self._process.is_alive():
            self._process.join()
            self.returncode = self._process.exitcode
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        self._process.join(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def output(self) -> subprocess.CompletedProcess:
        """The finished run, as :func:`subprocess.run` reports it."""
        def read(path: Path) -> str:
            return path.read_text(errors='replace') if path.exists() else ''

        done = subprocess.CompletedProcess(self.args, self.returncode,
                                           read(self.stdout_path),
                                           read(self.stderr_path))
        self._tmp.cleanup()
        return done


def start_tool(*cmd,
               cwd: Path = REPO,
               env: Optional[dict] = None,
               stdout: Optional[Path] = None,
               stderr: Optional[Path] = None,
               start_new_session: bool = False) -> ToolProcess:
    """Start ``python *cmd`` (``cmd[0]`` a script path relative to ``cwd``);
    output goes to the given files (temporary ones by default)."""
    return ToolProcess(cmd, cwd, env, stdout, stderr, start_new_session)


def run_tool(*cmd,
             cwd: Path = REPO,
             env: Optional[dict] = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    """``subprocess.run([python, *cmd], capture_output=True, text=True)``,
    started without the import cost; killed after ``timeout`` seconds."""
    proc = start_tool(*cmd, cwd=cwd, env=env)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    return proc.output()
