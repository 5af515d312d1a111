"""Nothing lost, nothing hangs: the CLI's reading, writing and error paths (issue 10).

Behaviour that needs a real process (FIFOs, killed workers, dropped privileges) runs the
CLI as a subprocess, always with a timeout; the rest calls ``seedmigrate.cli.main``
in-process for speed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from helpers import REPO, run_cli

from seedmigrate.cli import main

TRAIN = (
    "import argparse\n\nimport torch\n\nparser = argparse.ArgumentParser()\n"
    "parser.add_argument('--seed', type=int, default=1)\nargs = parser.parse_args()\n"
    "torch.manual_seed(args.seed)\nfor epoch in range(2):\n    print(torch.rand(1))\n"
)
MIGRATED_MARK = "seeder.init(master_seed=args.seed)"
TIMEOUT = 60  # no test may hang: every subprocess gets this


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``cli(*args)`` runs ``seedmigrate ARGS`` in-process in ``tmp_path``:
    (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "1")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_hooked(hook: str, *args: str, cwd: Path, timeout: float = TIMEOUT):
    """The CLI as a subprocess with ``hook`` (Python source) run at start-up in the main
    process and in every worker (a ``sitecustomize`` module, so any start method sees it)."""
    hooks = cwd.parent / f"{cwd.name}-hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(hook), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)])}
    env["SEEDMIGRATE_NO_CACHE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "seedmigrate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- running without privileges (tests run as root here) ---------------------------------

_AS_NOBODY = r"""
import contextlib, io, os, sys
from seedmigrate.cli import main

warm = sys.argv[1]
# Load everything the CLI imports lazily while the interpreter's files are still
# readable: after setuid the stdlib under /root may not be.
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for argv in (["check", "-j", "1", warm], ["apply", "--diff", "-j", "1", warm],
                 ["apply", "-j", "1", warm], ["check", "--select", "SEED99", warm]):
        main(argv)
import difflib, stat, tempfile, errno  # noqa: E401,F401
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
os.chdir(sys.argv[2])
sys.exit(main(sys.argv[3:]))
"""


@pytest.fixture
def unprivileged():
    """``(workdir, run)``: a folder an unprivileged user owns, and ``run(*args)`` that runs
    the CLI there as that user (as ``nobody`` via setuid when the tests run as root)."""
    if os.geteuid() != 0:
        workdir = Path(tempfile.mkdtemp(prefix="seedmigrate-unpriv-"))

        def run(*args: str):
            return run_cli(*args, cwd=workdir, env={"SEEDMIGRATE_NO_CACHE": "1"}, timeout=TIMEOUT)

        yield workdir, run
        _force_rmtree(workdir)
        return
    base = Path(tempfile.mkdtemp(prefix="seedmigrate-unpriv-"))
    os.chmod(base, 0o755)
    workdir = base / "work"
    warm = base / "warm"
    workdir.mkdir()
    warm.mkdir()
    write(warm, "train.py", TRAIN)
    os.chown(workdir, 65534, 65534)

    def run(*args: str):
        return subprocess.run(
            [sys.executable, "-c", _AS_NOBODY, str(warm), str(workdir), *args],
            env={**os.environ, "PYTHONPATH": str(REPO), "SEEDMIGRATE_NO_CACHE": "1"},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    yield workdir, run
    _force_rmtree(base)


def _force_rmtree(path: Path) -> None:
    for folder, dirnames, _ in os.walk(path):
        for name in dirnames:
            os.chmod(os.path.join(folder, name), 0o755)
    shutil.rmtree(path, ignore_errors=True)


def _give_to_nobody(root: Path) -> None:
    if os.geteuid() != 0:
        return
    for folder, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.chown(os.path.join(folder, name), 65534, 65534, follow_symlinks=False)


# -- 4. only regular files are read --------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["apply"], ["apply", "--diff"]])
def test_a_fifo_named_on_the_command_line_is_reported_not_read(tmp_path, command):
    os.mkfifo(tmp_path / "x.py")
    write(tmp_path, "train.py", TRAIN)
    result = run_cli(*command, "x.py", "train.py", cwd=tmp_path, timeout=TIMEOUT)
    assert result.returncode == 2, result.stderr
    assert "x.py:1:1: SEED000 not a regular file (FIFO), not read" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["check"], ["apply"]])
def test_a_fifo_found_by_walking_is_skipped(tmp_path, command):
    os.mkfifo(tmp_path / "x.py")
    write(tmp_path, "train.py", TRAIN)
    result = run_cli(*command, ".", cwd=tmp_path, timeout=TIMEOUT)
    assert result.returncode == (1 if command == ["check"] else 0), result.stderr
    assert "x.py" not in result.stdout + result.stderr


def test_a_cached_file_replaced_by_a_fifo_does_not_hang_check(tmp_path):
    path = write(tmp_path, "train.py", TRAIN)
    assert run_cli("check", "train.py", cwd=tmp_path, timeout=TIMEOUT).returncode == 1
    path.unlink()
    os.mkfifo(path)
    result = run_cli("check", "train.py", cwd=tmp_path, timeout=TIMEOUT)
    assert result.returncode == 2
    assert "train.py:1:1: SEED000 not a regular file (FIFO), not read" in result.stdout


# -- 8. paths without permission -----------------------------------------------------------


def test_a_file_in_a_folder_without_search_permission_is_seed000(unprivileged):
    workdir, run = unprivileged
    write(workdir, "locked/t.py", TRAIN)
    write(workdir, "ok.py", TRAIN)
    _give_to_nobody(workdir)
    os.chmod(workdir / "locked", 0o666)  # listable, not searchable
    for args in (["check", "locked/t.py", "ok.py"], ["check", "."], ["apply", "."]):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "internal error" not in result.stderr
        assert "locked/t.py:1:1: SEED000" in result.stdout, (args, result.stdout)
        assert "Permission denied" in result.stdout
    assert MIGRATED_MARK in (workdir / "ok.py").read_text()


def test_an_unreadable_folder_is_seed000_not_skipped_silently(unprivileged):
    workdir, run = unprivileged
    write(workdir, "sub/t.py", TRAIN)
    write(workdir, "ok.py", "x = 1\n")
    _give_to_nobody(workdir)
    os.chmod(workdir / "sub", 0o000)
    for args in (["check", "."], ["check", "sub"], ["apply", "."]):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "sub:1:1: SEED000 cannot read folder: Permission denied" in result.stdout, (
            args,
            result.stdout,
            result.stderr,
        )
