"""Shared test helpers: run the codemod in-process, and the CLI in-process or as a subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from seedmigrate.config import Config
from seedmigrate.engine import analyse_source
from seedmigrate.transforms import apply_edits

REPO = Path(__file__).resolve().parent.parent


def migrate(source: str, config: Config | None = None) -> str:
    """What ``seedmigrate apply`` writes for ``source``."""
    findings = analyse_source(source, config)
    return apply_edits(source, [e for f in findings if f.fixable for e in f.edits])


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
):
    """``python -m seedmigrate ARGS`` against this checkout (``env`` adds variables).

    Use it where the process boundary is what the test is about: imports, signals,
    bytes on a stdin pipe, the interpreter's exit, a ``-j`` worker pool (forking a test
    process that has loaded torch or TensorFlow can hang). Otherwise prefer
    :func:`run_cli_inprocess`, which saves starting an interpreter per call.
    """
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "seedmigrate", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def _patched_environ(env: dict[str, str] | None):
    saved = {name: os.environ.get(name) for name in env or {}}
    os.environ.update(env or {})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _cwd(path: Path | None):
    before = os.getcwd()
    if path is not None:
        os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _stream(errors: str) -> io.TextIOWrapper:
    """A stand-in for a piped stdout/stderr: UTF-8, not a TTY, ``.buffer`` writable."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, write_through=True)


def _read_back(stream: io.TextIOWrapper) -> str:
    """Decode what was written like ``subprocess.run(text=True)`` does (universal newlines)."""
    stream.flush()
    data = stream.buffer.getvalue()  # type: ignore[attr-defined]
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None).read()


def run_cli_inprocess(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``seedmigrate ARGS`` through ``seedmigrate.cli.main`` in this process.

    Returns what :func:`run_cli` returns (``returncode``, ``stdout``, ``stderr``), with
    the same conventions: stdout and stderr are pipes (not TTYs), decoded as text with
    universal newlines; an ``argparse`` exit is its exit status. ``cwd`` and ``env`` are
    restored afterwards. There is no stdin: a test that feeds stdin uses :func:`run_cli`.
    """
    from seedmigrate.cli import main

    out, err = _stream("strict"), _stream("backslashreplace")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # at end of input at once
    sys.stdout, sys.stderr = out, err
    try:
        with _patched_environ(env), _cwd(cwd):
            try:
                returncode = main(list(args))
            except SystemExit as exc:  # argparse: usage errors, --help, --version
                if exc.code is None or isinstance(exc.code, int):
                    returncode = exc.code or 0
                else:
                    err.write(f"{exc.code}\n")
                    returncode = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return subprocess.CompletedProcess(
        ["seedmigrate", *args], returncode, _read_back(out), _read_back(err)
    )
