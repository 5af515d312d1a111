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


# -- 1. an edit made while apply runs is never overwritten --------------------------------

_EDIT_WHILE_RUNNING = """
import os
import seedmigrate.pipeline as pipeline

_process_file = pipeline.process_file


def process_file(path, *args, **kwargs):
    result = _process_file(path, *args, **kwargs)
    # what a user (or an editor) does between the read and the write
    if path.name == "a_edited.py":
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("# edited while apply ran\\n")
    elif path.name == "b_deleted.py":
        os.unlink(path)
    elif path.name == "c_renamed.py":
        os.rename(path, path.with_name("c_moved.py"))
    return result


pipeline.process_file = process_file
"""


def test_apply_j_never_overwrites_an_edit_made_while_it_ran(tmp_path):
    for name in ("a_edited.py", "b_deleted.py", "c_renamed.py"):
        write(tmp_path, name, TRAIN)
    others = [write(tmp_path, f"d_train_{i}.py", TRAIN) for i in range(8)]
    result = run_hooked(_EDIT_WHILE_RUNNING, "apply", "-j", "2", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    out = result.stdout
    assert "a_edited.py:1:1: SEED000 changed on disk while seedmigrate ran; not rewritten" in out
    assert (
        "b_deleted.py:1:1: SEED000 deleted or renamed while seedmigrate ran; not recreated" in out
    )
    assert "c_renamed.py:1:1: SEED000 deleted or renamed while seedmigrate ran" in out
    assert (tmp_path / "a_edited.py").read_text() == TRAIN + "# edited while apply ran\n"
    assert not (tmp_path / "b_deleted.py").exists()
    assert not (tmp_path / "c_renamed.py").exists()
    assert (tmp_path / "c_moved.py").read_text() == TRAIN
    for path in others:
        assert MIGRATED_MARK in path.read_text()
    assert "8 files changed" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- 2. links, owner and read-only files ----------------------------------------------------


def test_apply_writes_through_a_symlink_and_keeps_the_link(tmp_path, cli):
    target = write(tmp_path, "real/train.py", TRAIN)
    link = tmp_path / "link.py"
    link.symlink_to("real/train.py")
    code, out, err = cli("apply", "link.py")
    assert code == 0, out + err
    assert link.is_symlink() and os.readlink(link) == "real/train.py"
    assert MIGRATED_MARK in target.read_text()
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_apply_on_a_tree_with_a_link_to_a_file_in_it_migrates_the_file_once(tmp_path):
    target = write(tmp_path, "real/train.py", TRAIN)
    (tmp_path / "link.py").symlink_to("real/train.py")
    for i in range(8):
        write(tmp_path, f"more/train_{i}.py", TRAIN)
    result = run_cli("apply", "-j", "2", ".", cwd=tmp_path, timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "link.py").is_symlink()
    assert MIGRATED_MARK in target.read_text()
    assert "9 files changed" in result.stderr


def test_apply_keeps_hard_links(tmp_path, cli):
    first = write(tmp_path, "a.py", TRAIN)
    second = tmp_path / "b.py"
    os.link(first, second)
    inode = first.stat().st_ino
    code, out, err = cli("apply", "a.py")
    assert code == 0, out + err
    assert first.stat().st_ino == second.stat().st_ino == inode
    assert first.stat().st_nlink == 2
    assert MIGRATED_MARK in second.read_text()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to chown")
def test_apply_keeps_owner_and_group(tmp_path, cli):
    path = write(tmp_path, "train.py", TRAIN)
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o640)
    code, out, err = cli("apply", "train.py")
    assert code == 0, out + err
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (65534, 65534, 0o640)
    assert MIGRATED_MARK in path.read_text()


def test_a_read_only_file_is_reported_not_forced(tmp_path, cli):
    path = write(tmp_path, "ro.py", TRAIN)
    os.chmod(path, 0o444)
    good = write(tmp_path, "ok.py", TRAIN)
    code, out, err = cli("apply", "ro.py", "ok.py")
    assert code == 2, out + err
    assert "ro.py:1:1: SEED000 read-only, not rewritten" in out
    assert path.read_text() == TRAIN and (path.stat().st_mode & 0o777) == 0o444
    assert MIGRATED_MARK in good.read_text()
    assert "1 file changed" in err


# -- 7. a write error costs one file, never the run -----------------------------------------


def test_a_read_only_folder_costs_its_files_only(unprivileged):
    workdir, run = unprivileged
    write(workdir, "frozen/train.py", TRAIN)
    write(workdir, "ok.py", TRAIN)
    write(workdir, "zz/train.py", TRAIN)
    _give_to_nobody(workdir)
    os.chmod(workdir / "frozen", 0o555)
    result = run("apply", ".")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "frozen/train.py:1:1: SEED000 cannot write: Permission denied" in result.stdout
    assert "internal error" not in result.stderr
    assert (workdir / "frozen/train.py").read_text() == TRAIN
    assert MIGRATED_MARK in (workdir / "ok.py").read_text()
    assert MIGRATED_MARK in (workdir / "zz/train.py").read_text()


def _notebook_json(*sources: str) -> str:
    import json

    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
         "outputs": [], "source": source}
        for i, source in enumerate(sources)
    ]  # fmt: skip
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


def test_a_notebook_that_cannot_be_written_back_costs_that_notebook_only(tmp_path, cli):
    nb = _notebook_json(
        "import random\n# %% cell_2\nrandom.seed(1)\n", "for epoch in range(3):\n    pass\n"
    )
    path = write(tmp_path, "a.ipynb", nb)
    good = write(tmp_path, "b.py", TRAIN)
    code, out, err = cli("apply", "a.ipynb", "b.py")
    assert code == 2, out + err
    assert "a.ipynb:1:1: SEED000" in out and "notebook left unchanged" in out
    assert "internal error" not in err
    assert path.read_text() == nb
    assert MIGRATED_MARK in good.read_text()


def test_a_runtime_name_the_file_encoding_cannot_hold_costs_that_file_only(tmp_path, cli):
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nruntime = "s\u00e9eder"\n')
    ascii_source = "# coding: ascii\n" + TRAIN
    path = write(tmp_path, "a.py", ascii_source)
    good = write(tmp_path, "b.py", TRAIN)
    for args in (["apply", "a.py", "b.py"], ["apply", "--diff", "a.py"]):
        code, out, err = cli(*args)
        assert code == 2, out + err
        assert "a.py:1:1: SEED000" in out + err and "ascii" in out + err
        assert "internal error" not in err
        assert path.read_text() == ascii_source
    assert "import s\u00e9eder.torch as seeder" in good.read_text()


# -- 16 (part). temporaries say what they are, and stale ones are cleaned up ---------------

_KILLED_BEFORE_RENAME = """
import os
import signal

_replace = os.replace


def replace(src, dst, *args, **kwargs):
    if str(dst).endswith("train.py"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _replace(src, dst, *args, **kwargs)


os.replace = replace
"""


def test_a_killed_apply_leaves_a_temporary_named_after_its_file_and_tool(tmp_path):
    write(tmp_path, "train.py", TRAIN)
    result = run_hooked(_KILLED_BEFORE_RENAME, "apply", "train.py", cwd=tmp_path)
    assert result.returncode == -9
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".train.py.seedmigrate-"), left
    assert (tmp_path / "train.py").read_text() == TRAIN


def test_apply_removes_its_own_stale_temporaries_only(tmp_path, cli):
    import time

    write(tmp_path, "train.py", TRAIN)
    stale = write(tmp_path, ".train.py.seedmigrate-k3j9x_2a.tmp", "half a file")
    other_tool = write(tmp_path, ".train.py.abcd1234.tmp", "not ours")
    elsewhere = write(tmp_path, "untouched/.x.py.seedmigrate-k3j9x_2a.tmp", "not written here")
    future = write(tmp_path, ".other.py.seedmigrate-aaaaaaaa.tmp", "a concurrent run's")
    old = time.time() - 3600
    for path in (stale, other_tool, elsewhere):
        os.utime(path, (old, old))
    os.utime(future, (time.time() + 3600,) * 2)
    code, out, err = cli("apply", "train.py")
    assert code == 0, out + err
    assert not stale.exists()
    assert other_tool.exists() and elsewhere.exists() and future.exists()


# -- 3. the report never replaces an input --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "t.py", "-o", "t.py"],
        ["apply", "t.py", "-o", "t.py"],
        ["apply", "--diff", "t.py", "--output-file", "./t.py"],
        ["check", "src", "-o", "src/deep/u.py"],
        ["apply", ".", "-o", "src/deep/u.py"],
        ["apply", "t.py", "-o", "link.py"],
        ["check", "t.py", "-o", "hard.py"],
    ],
)
def test_o_naming_an_input_is_refused_before_any_work(tmp_path, cli, args):
    source = write(tmp_path, "t.py", TRAIN)
    inner = write(tmp_path, "src/deep/u.py", TRAIN)
    (tmp_path / "link.py").symlink_to("t.py")
    os.link(source, tmp_path / "hard.py")
    code, out, err = cli(*args)
    assert code == 2, out + err
    assert "is one of the inputs" in err
    assert source.read_text() == TRAIN and inner.read_text() == TRAIN


def test_o_next_to_the_inputs_is_fine(tmp_path, cli):
    write(tmp_path, "src/t.py", TRAIN)
    code, out, err = cli("check", "src", "-o", "src/report.txt")
    assert code == 1, out + err
    assert "SEED001" in (tmp_path / "src/report.txt").read_text()


# -- 5. a worker that dies costs its own file only -----------------------------------------

_WORKER_DIES = """
import os
import signal
import seedmigrate.pipeline as pipeline

os.environ.setdefault("HOOK_MAIN_PID", str(os.getpid()))
_process_file = pipeline.process_file


def process_file(path, *args, **kwargs):
    if os.getpid() != int(os.environ["HOOK_MAIN_PID"]):  # only in a worker
        if path.name == "boom_kill.py":
            os.kill(os.getpid(), signal.SIGKILL)
        if path.name == "boom_exit.py":
            os._exit(3)
    return _process_file(path, *args, **kwargs)


pipeline.process_file = process_file
"""


@pytest.mark.parametrize("command", ["check", "apply"])
def test_a_worker_that_dies_loses_only_its_own_file(tmp_path, command):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("-j is bounded by the cores: one core runs no worker processes")
    for name in ("boom_kill.py", "boom_exit.py"):
        write(tmp_path, name, TRAIN)
    others = [write(tmp_path, f"train_{i:02d}.py", TRAIN) for i in range(10)]
    result = run_hooked(_WORKER_DIES, command, "-j", "2", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "BrokenProcessPool" not in result.stderr and "internal error" not in result.stderr
    out = result.stdout
    assert (
        "boom_kill.py:1:1: SEED000 worker died while processing this file "
        "(killed by SIGKILL; out of memory?)" in out
    )
    assert "boom_exit.py:1:1: SEED000 worker died while processing this file (exit code 3)" in out
    if command == "check":
        for path in others:
            assert f"{path.name}:8:1: SEED001" in out
    else:
        for path in others:
            assert MIGRATED_MARK in path.read_text()
        assert (tmp_path / "boom_kill.py").read_text() == TRAIN
        assert "10 files changed" in result.stderr


# -- 10. bad settings and bad input: a clear message, exit 2 --------------------------------


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('tool = "x"\n', "`tool` must be a table"),
        ('[tool]\nseedmigrate = "x"\n', "[tool.seedmigrate] must be a table"),
        ('[tool.seedmigrate]\nruntime = "1abc"\n', "runtime '1abc' is not a module path"),
        ('[tool.seedmigrate]\nruntime = "class"\n', "runtime 'class' is not a module path"),
        ('[tool.seedmigrate]\nruntime = "a..b"\n', "runtime 'a..b' is not a module path"),
        ('[tool.seedmigrate]\nruntime = "pkg.None"\n', "runtime 'pkg.None' is not a module path"),
        ('[tool.seedmigrate]\nruntime = ""\n', "runtime '' is not a module path"),
    ],
)
def test_bad_settings_are_a_usage_error_before_any_work(tmp_path, cli, pyproject, message):
    write(tmp_path, "pyproject.toml", pyproject)
    path = write(tmp_path, "train.py", TRAIN)
    for command in ("check", "apply"):
        code, out, err = cli(command, "train.py")
        assert code == 2, out + err
        assert err.startswith("seedmigrate: error: ") and message in err, err
        assert "internal error" not in err
    assert path.read_text() == TRAIN


def test_good_runtime_module_paths_are_accepted(tmp_path, cli):
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nruntime = "my_pkg._seeding"\n')
    path = write(tmp_path, "train.py", TRAIN)
    code, out, err = cli("apply", "train.py")
    assert code == 0, out + err
    assert "import my_pkg._seeding.torch as seeder" in path.read_text()


@pytest.mark.parametrize("command", ["check", "apply"])
def test_a_closed_stdin_is_a_usage_error(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "seedmigrate", command, "-"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 2, result.stderr
    assert "seedmigrate: error: cannot read stdin" in result.stderr
    assert "internal error" not in result.stderr


DEEP = (
    "import torch\ntorch.manual_seed(0)\nfor epoch in range(2):\n    y = "
    + "f(" * 140
    + ")" * 140
    + "\n"
)


def test_a_file_too_deeply_nested_to_rewrite_is_seed000_for_that_file(tmp_path, cli):
    deep = write(tmp_path, "deep.py", DEEP)
    good = write(tmp_path, "ok.py", TRAIN)
    code, out, err = cli("apply", "deep.py", "ok.py")
    assert code == 2, out + err
    assert "deep.py:1:1: SEED000 fix not applied, file left unchanged: too deeply nested" in out
    assert "internal error" not in out + err
    assert deep.read_text() == DEEP and MIGRATED_MARK in good.read_text()
    code, out, err = cli("check", "--output-format", "sarif", "deep.py", "ok.py")
    assert code == 1, err
    assert "internal error" not in err


# -- 11. unknown rule codes are rejected, with a hint --------------------------------------


@pytest.mark.parametrize(
    ("args", "pyproject", "where"),
    [
        (["--select", "SEED999"], "", "--select"),
        (["--ignore", "SEED001,SEED999"], "", "--ignore"),
        ([], '[tool.seedmigrate]\nselect = ["SEED999"]\n', "[tool.seedmigrate] select"),
        ([], '[tool.seedmigrate]\nignore = ["SEED999"]\n', "[tool.seedmigrate] ignore"),
        (
            [],
            '[tool.seedmigrate.per-file-ignores]\n"tests/*" = ["SEED999"]\n',
            "[tool.seedmigrate.per-file-ignores] 'tests/*'",
        ),
    ],
)
def test_unknown_rule_codes_are_a_usage_error_with_a_hint(tmp_path, cli, args, pyproject, where):
    if pyproject:
        write(tmp_path, "pyproject.toml", pyproject)
    write(tmp_path, "train.py", TRAIN)
    for command in ("check", "apply"):
        code, out, err = cli(command, *args, "train.py")
        assert code == 2, out + err
        assert f"unknown rule code 'SEED999' in {where}; did you mean SEED009?" in err, err
        assert "All checks passed" not in err
    assert (tmp_path / "train.py").read_text() == TRAIN


def test_a_lowercase_code_in_the_config_gets_the_right_hint(tmp_path, cli):
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nignore = ["seed001"]\n')
    write(tmp_path, "train.py", TRAIN)
    code, out, err = cli("check", "train.py")
    assert code == 2 and "did you mean SEED001?" in err, err


@pytest.mark.parametrize("prefix", ["SEED0", "SEED01", "SEED001", "seed00"])
def test_code_prefixes_that_match_rules_stay_valid(tmp_path, cli, prefix):
    write(tmp_path, "train.py", TRAIN)
    for args in (["--select", prefix], ["--ignore", prefix]):
        code, out, err = cli("check", *args, "train.py")
        assert code in (0, 1) and "unknown" not in err, err


# -- 14. -j is bounded by the files and the cores; below 0 is a usage error ---------------

_LOG_WORKER_PIDS = """
import os
import seedmigrate.pipeline as pipeline

_process_file = pipeline.process_file


def process_file(path, *args, **kwargs):
    with open(os.environ["PID_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\\n")
    return _process_file(path, *args, **kwargs)


pipeline.process_file = process_file
"""


def test_jobs_are_bounded_by_the_cores(tmp_path, monkeypatch):
    for i in range(12):
        write(tmp_path, f"train_{i:02d}.py", TRAIN)
    log = tmp_path.parent / f"{tmp_path.name}-pids.txt"
    monkeypatch.setenv("PID_LOG", str(log))
    result = run_hooked(_LOG_WORKER_PIDS, "check", "-j", "10000", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    pids = set(log.read_text().split())
    assert 1 <= len(pids) <= len(os.sched_getaffinity(0)), pids


@pytest.mark.parametrize("value", ["-3", "-1", "x"])
def test_negative_jobs_are_a_usage_error(tmp_path, value):
    write(tmp_path, "train.py", TRAIN)
    result = run_cli("check", "-j", value, "train.py", cwd=tmp_path, timeout=TIMEOUT)
    assert result.returncode == 2
    assert "-j/--jobs" in result.stderr


# -- 15. default excludes: documented, replaceable, extendable -----------------------------


def _tree(tmp_path: Path) -> None:
    for folder in ("src", "env", "build", "dist", "legacy", "pkg/env", ".venv"):
        write(tmp_path, f"{folder}/train.py", TRAIN)


def _checked(cli, *args: str) -> set[str]:
    import json

    code, out, err = cli("check", "--output-format", "json", *args)
    assert code in (0, 1), err
    return {str(Path(row["path"]).parent) for row in json.loads(out)}


def test_default_excludes_skip_env_build_dist_at_any_depth(tmp_path, cli):
    _tree(tmp_path)
    assert _checked(cli, ".") == {"src", "legacy"}


def test_config_exclude_replaces_the_defaults(tmp_path, cli):
    _tree(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nexclude = ["legacy", ".venv"]\n')
    assert _checked(cli, ".") == {"src", "env", "build", "dist", "pkg/env"}


def test_config_extend_exclude_adds_to_the_defaults(tmp_path, cli):
    _tree(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nextend-exclude = ["legacy"]\n')
    assert _checked(cli, ".") == {"src"}


def test_cli_exclude_replaces_and_extend_exclude_adds(tmp_path, cli):
    _tree(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.seedmigrate]\nextend-exclude = ["src"]\n')
    assert _checked(cli, ".", "--extend-exclude", "legacy") == set()
    assert _checked(cli, ".", "--exclude", "legacy", "--exclude", ".venv") == {
        "env",
        "build",
        "dist",
        "pkg/env",
    }


def test_a_virtual_environment_is_never_walked_into(tmp_path, cli):
    _tree(tmp_path)
    write(tmp_path, "myvenv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "myvenv/lib/site/train.py", TRAIN)
    write(tmp_path, "pyproject.toml", "[tool.seedmigrate]\nexclude = []\n")
    assert "myvenv/lib/site" not in _checked(cli, ".")
    assert _checked(cli, "myvenv") == {"myvenv/lib/site"}  # named: walked


# -- 16. diffs that git and patch accept; bytes apply does not mean to change survive -------

ODD = "\f \v \x1c \x1d \x1e \x85 \u2028 \u2029"  # str.splitlines() breaks lines at each

ODD_SOURCE = (
    "import argparse\n"
    f"# context: {ODD}\n"
    "\n"
    "import torch\n"
    "\n"
    "parser = argparse.ArgumentParser()\n"
    f"parser.add_argument('--seed', type=int, default=1)  # {ODD}\n"
    "args = parser.parse_args()\n"
    f"torch.manual_seed(args.seed)  # changed line: {ODD}\n"
    f"for epoch in range(2):  # {ODD}\n"
    f"    print('{ODD}')\n"
)


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_apply_diff_is_a_patch_git_and_patch_accept(tmp_path, cli, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    path = tmp_path / "train.py"
    path.write_bytes(ODD_SOURCE.encode("utf-8"))
    code, patch, err = cli("apply", "--diff", "train.py")
    assert code == 1, err
    (tmp_path / "seeding.patch").write_bytes(patch.encode("utf-8"))
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "train.py").write_bytes(ODD_SOURCE.encode("utf-8"))
    command = (
        ["git", "apply", "--unsafe-paths", "../seeding.patch"]
        if tool == "git"
        else ["patch", "-p1", "--batch", "-i", "../seeding.patch"]
    )
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    code, out, err = cli("apply", "train.py")
    assert code == 0, err
    assert (copy / "train.py").read_bytes() == path.read_bytes()
    assert ODD in path.read_text(encoding="utf-8")


def test_apply_keeps_form_feeds_on_lines_it_does_not_change(tmp_path, cli):
    source = (
        "import random\n"
        "x = 1\n"
        "\fdef helper():\n"
        "    return 1\n"
        "\f\n"
        "\fclass Model:\n"
        "    size = 2\n"
        "random.seed(1)\n"
        "for epoch in range(3):\n"
        "    pass\n"
    )
    path = write(tmp_path, "train.py", source)
    code, out, err = cli("apply", "train.py")
    assert code == 0, err
    text = path.read_text()
    assert "seeder.init(master_seed=1)" in text
    assert "\fdef helper():\n" in text and "\f\n\fclass Model:\n" in text


@pytest.mark.parametrize(
    ("bom", "newline", "indent"),
    [(True, "\n", 1), (False, "\r\n", 1), (False, "\n", "\t"), (True, "\r\n", "\t")],
)
def test_apply_keeps_a_notebooks_bom_newlines_and_indentation(tmp_path, cli, bom, newline, indent):
    import json

    notebook = json.loads(
        _notebook_json("import random\nrandom.seed(1)\n", "for epoch in range(3):\n    pass\n")
    )
    text = json.dumps(notebook, indent=indent) + "\n"
    raw = ("\ufeff" if bom else "") + text.replace("\n", newline)
    path = write(tmp_path, "train.ipynb", raw.encode("utf-8"))
    code, out, err = cli("apply", "train.ipynb")
    assert code == 0, out + err
    new = path.read_bytes().decode("utf-8")
    assert new != raw and "seeder.init(master_seed=1)" in new
    assert new.startswith("\ufeff") == bom
    if newline == "\r\n":
        assert "\n" not in new.replace("\r\n", "")
    else:
        assert "\r" not in new
    body = new.lstrip("\ufeff")
    assert body.split(newline)[1].startswith('\t"' if indent == "\t" else ' "')
    assert body == (json.dumps(json.loads(body), indent=indent) + "\n").replace("\n", newline)


def test_the_default_excludes_are_documented():
    from seedmigrate.files import DEFAULT_EXCLUDES

    for doc in ("README.md", "docs/user-guide.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        missing = [name for name in DEFAULT_EXCLUDES if f"`{name}`" not in text]
        assert not missing, (doc, missing)
