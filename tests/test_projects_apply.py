"""Migrating a repository, not a file (issue 11): fixture *projects* under
``tests/projects_apply/<case>/input/`` are migrated by one ``seedmigrate apply .`` and
compared, file by file, with ``expected/`` (``--regen-projects`` rewrites them); a
second ``apply`` changes nothing; and two of them are run (slow): seeded runs repeat
bit for bit, unseeded runs differ."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

from seedmigrate.cli import main

PROJECTS = Path(__file__).parent / "projects_apply"
CASES = sorted(p.name for p in PROJECTS.iterdir() if (p / "input").is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".seedmigrate_cache" not in p.parts and "__pycache__" not in p.parts
    }


def _apply(folder: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "1")
    code = main(["apply", "-j", "1", "."])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("case", CASES)
def test_project_is_migrated_in_one_apply(case, tmp_path, monkeypatch, capsys, request):
    work = tmp_path / case
    shutil.copytree(PROJECTS / case / "input", work)
    code, report = _apply(work, monkeypatch, capsys)
    expected = PROJECTS / case / "expected"
    if request.config.getoption("--regen-projects"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(work, expected, ignore=shutil.ignore_patterns(".seedmigrate_cache"))
        (PROJECTS / case / "apply.report").write_text(report)
    # apply.exit: the expected status when not 0 (1: a fix was withheld, SEED022)
    status = PROJECTS / case / "apply.exit"
    expected_code = int(status.read_text()) if status.exists() else 0
    assert code == expected_code, report
    assert report == (PROJECTS / case / "apply.report").read_text()
    assert _files(work) == _files(expected)
    again, _ = _apply(work, monkeypatch, capsys)
    assert again == expected_code
    assert _files(work) == _files(expected), "a second apply changed the project again"


def test_check_names_the_helper_file_and_line(tmp_path, monkeypatch, capsys):
    work = tmp_path / "p"
    shutil.copytree(PROJECTS / "helper_only_seeds" / "input", work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "1")
    assert main(["check", "train.py"]) == 1
    out = capsys.readouterr().out
    assert (
        "SEED002 `utils.fix_random_seeds(...)` only seeds global RNGs "
        "(cuda, numpy, random, torch; utils.py:8: fix_random_seeds)" in out
    )
    assert "SEED019" not in out


def test_seed019_stays_for_helpers_outside_the_project(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "lib.py").write_text("def unrelated():\n    return 1\n")
    (tmp_path / "train.py").write_text(
        "from timm.utils import random_seed\nimport torch\n\n"
        "random_seed(3, 0)\nfor epoch in range(2):\n    torch.rand(1)\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDMIGRATE_NO_CACHE", "1")
    main(["check", "train.py"])
    out = capsys.readouterr().out
    assert "SEED019 `random_seed(...)` looks like a seeding helper defined in timm.utils" in out


def _run(folder: Path, script: str, *args: str, env: dict | None = None) -> str:
    full = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), str(folder)]),
        "SEEDER_QUIET": "1",
        **(env or {}),
    }
    result = subprocess.run(
        [sys.executable, script, *args],
        cwd=folder,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "script"),
    [
        ("helper_only_seeds", "train.py"),
        ("remote_parser", "train.py"),
        ("mixed_helper", "train.py"),
        ("process_target_in_library", "train.py"),
    ],
)
def test_migrated_project_repeats_with_a_seed_and_varies_without(case, script, tmp_path):
    work = tmp_path / case
    shutil.copytree(PROJECTS / case / "expected", work)
    seeded = _run(work, script, "--seed", "11")
    assert seeded == _run(work, script, "--seed", "11")
    assert seeded != _run(work, script, "--seed", "12")
    assert _run(work, script) != _run(work, script)
    assert not filecmp.dircmp(PROJECTS / case / "expected", work).diff_files
