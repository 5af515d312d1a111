"""``check -`` / ``apply -``: source on stdin, named by --stdin-filename; pre-commit hooks."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import REPO, run_cli

SCRIPT = textwrap.dedent(
    """\
    import random

    import torch

    random.seed(1)
    torch.manual_seed(1)
    for epoch in range(3):
        torch.rand(2)
    """
)


def test_check_stdin_names_the_file_in_messages(tmp_path):
    out = run_cli("check", "-", "--stdin-filename", "src/train.py", stdin=SCRIPT, cwd=tmp_path)
    assert out.returncode == 1
    assert "src/train.py:5:1: SEED001" in out.stdout
    out = run_cli("check", "-", stdin=SCRIPT, cwd=tmp_path)
    assert "-:5:1: SEED001" in out.stdout


def test_check_stdin_clean_source_passes(tmp_path):
    out = run_cli("check", "-", stdin="x = 1\n", cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout == ""


def test_stdin_filename_selects_config_and_per_file_ignores(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.seedmigrate.per-file-ignores]\n"legacy/*" = ["SEED001", "SEED005"]\n'
    )
    (tmp_path / "legacy").mkdir()
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    out = run_cli("check", "-", "--stdin-filename", "legacy/old.py", stdin=SCRIPT, cwd=tmp_path)
    assert "SEED001" not in out.stdout
    assert "SEED006" in out.stdout
    out = run_cli("check", "-", "--stdin-filename", "new/new.py", stdin=SCRIPT, cwd=tmp_path)
    assert "SEED001" in out.stdout


def test_apply_stdin_writes_the_migrated_source_to_stdout(tmp_path):
    out = run_cli("apply", "-", "--stdin-filename", "train.py", stdin=SCRIPT, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "import seeder_runtime.torch as seeder\n" in out.stdout
    assert "random.seed(1)" not in out.stdout
    assert "    seeder.reseed(1, epoch)\n" in out.stdout
    assert "1 file changed" in out.stderr
    compile(out.stdout, "train.py", "exec")
    # idempotent: the output fed back changes nothing
    again = run_cli("apply", "-", stdin=out.stdout, cwd=tmp_path)
    assert again.stdout == out.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written to disk


def test_apply_stdin_keeps_crlf_and_passes_unparseable_input_through(tmp_path):
    crlf = SCRIPT.replace("\n", "\r\n").encode()
    import subprocess
    import sys

    env = {"PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "seedmigrate", "apply", "-"],
        input=crlf,
        capture_output=True,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0
    assert b"import seeder_runtime.torch as seeder\r\n" in done.stdout
    assert b"\n" not in done.stdout.replace(b"\r\n", b"")
    broken = b"import torch\ntorch.manual_seed(0\n"
    done = subprocess.run(
        [sys.executable, "-m", "seedmigrate", "apply", "-", "--stdin-filename", "b.py"],
        input=broken,
        capture_output=True,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 2
    assert done.stdout == broken
    assert b"b.py:2:" in done.stderr and b"SEED000" in done.stderr


def test_apply_stdin_diff(tmp_path):
    out = run_cli("apply", "--diff", "-", "--stdin-filename", "t.py", stdin=SCRIPT, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.startswith("--- a/t.py\n+++ b/t.py\n")


def test_apply_stdin_reports_to_stderr_in_every_format(tmp_path):
    member = SCRIPT + "g = torch.Generator()\n"
    out = run_cli("apply", "-", "--output-format", "json", stdin=member, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("import torch\n")
    report = out.stderr[: out.stderr.rindex("]") + 1]
    assert [f["code"] for f in json.loads(report)] == ["SEED013"]
    out = run_cli("apply", "-", "--summary", "markdown", stdin=member, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "seeder.init(" in out.stdout
    assert "## Deterministic seeding migration" in out.stderr
    assert "`-:9` SEED013" in out.stderr


def test_apply_stdin_that_its_encoding_cannot_hold_is_passed_through(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.seedmigrate]\nruntime = "s\u00e9eder"\n')
    source = "# coding: ascii\n" + SCRIPT
    out = run_cli("apply", "-", "--stdin-filename", "a.py", stdin=source, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout == source
    assert "a.py:1:1: SEED000 fix not applied, file left unchanged:" in out.stderr
    assert "cannot be encoded as ascii" in out.stderr


@pytest.mark.parametrize("extra", [["x.py"], ["--interactive"]])
def test_stdin_usage_errors(tmp_path, extra):
    (tmp_path / "x.py").write_text("x = 1\n")
    out = run_cli("apply", "-", *extra, stdin=SCRIPT, cwd=tmp_path)
    assert out.returncode == 2
    assert "seedmigrate: error:" in out.stderr


def _hooks():
    yaml = pytest.importorskip("yaml")
    return {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").open())}


def test_pre_commit_hooks_are_declared():
    hooks = _hooks()
    assert set(hooks) == {"seedmigrate-check", "seedmigrate-apply"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert set(hook["types_or"]) == {"python", "jupyter"}
        assert hook["entry"].split()[0] == "seedmigrate"


def test_pre_commit_hooks_run_as_pre_commit_runs_them(tmp_path):
    """pre-commit runs ``entry`` with the staged file names appended."""
    hooks = _hooks()
    (tmp_path / "a.py").write_text(SCRIPT)
    (tmp_path / "b.py").write_text("x = 1\n")

    def hook(name):
        return run_cli(*hooks[name]["entry"].split()[1:], "a.py", "b.py", cwd=tmp_path)

    assert hook("seedmigrate-check").returncode == 1
    assert hook("seedmigrate-apply").returncode == 0
    assert "seeder.reseed(1, epoch)" in (tmp_path / "a.py").read_text()
    assert hook("seedmigrate-check").returncode == 0
