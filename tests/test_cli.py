"""The CLI contract: exit codes, output formats, bad input, writes, config, suppression."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from helpers import run_cli, run_cli_inprocess

TRAIN = (
    "import argparse\n\nimport torch\n\nparser = argparse.ArgumentParser()\n"
    "parser.add_argument('--seed', type=int, default=1)\nargs = parser.parse_args()\n"
    "torch.manual_seed(args.seed)\nfor epoch in range(2):\n    print(torch.rand(1))\n"
)
MIGRATED_MARK = "seeder.init(master_seed=args.seed)"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_check_exit_codes(tmp_path):
    write(tmp_path, "clean.py", "x = 1\n")
    assert run_cli_inprocess("check", "clean.py", cwd=tmp_path).returncode == 0
    write(tmp_path, "train.py", TRAIN)
    result = run_cli_inprocess("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "train.py:8:1: SEED001" in result.stdout
    assert "[*]" in result.stdout
    assert "fixable with `seedmigrate apply`" in result.stderr
    assert run_cli_inprocess("check", ".", "--exit-zero", cwd=tmp_path).returncode == 0


WITHHELD = (
    "import torch\n\ndef load():\n    return 3\n\ndef main(cond):\n    if cond:\n"
    "        seed = load()\n        torch.manual_seed(seed)\n    for epoch in range(2):\n"
    "        torch.rand(1)\n\nmain(True)\n"
)


def test_a_withheld_fix_exits_1_for_a_file_and_for_stdin_alike(tmp_path):
    """``apply`` that withholds a fix (SEED022) did not do all it was asked: exit 1."""
    path = write(tmp_path, "t.py", WITHHELD)
    result = run_cli_inprocess("apply", "t.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SEED022" in result.stdout
    assert path.read_text() == WITHHELD
    assert run_cli_inprocess("apply", "--exit-zero", "t.py", cwd=tmp_path).returncode == 0
    piped = run_cli("apply", "-", "--stdin-filename", "t.py", stdin=WITHHELD, cwd=tmp_path)
    assert piped.returncode == 1, piped.stderr
    assert piped.stdout == WITHHELD
    assert "t.py:" in piped.stderr and "SEED022" in piped.stderr


def test_check_json_has_the_contract_fields(tmp_path):
    write(tmp_path, "train.py", TRAIN)
    result = run_cli_inprocess("check", "train.py", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert {r["code"] for r in rows} >= {"SEED001", "SEED004", "SEED005", "SEED006"}
    for row in rows:
        assert {"path", "line", "column", "code", "message", "fixable"} <= set(row)
        assert isinstance(row["fixable"], bool)
        assert row["path"] == "train.py"


def test_apply_diff_writes_nothing_and_exits_1(tmp_path):
    path = write(tmp_path, "train.py", TRAIN)
    result = run_cli_inprocess("apply", "--diff", "train.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert "+    seeder.reseed(1, epoch)" in result.stdout
    assert "-torch.manual_seed(args.seed)" in result.stdout
    assert path.read_text() == TRAIN
    assert "1 file would be changed" in result.stderr


def test_apply_rewrites_keeps_mode_and_is_idempotent(tmp_path):
    path = write(tmp_path, "train.py", TRAIN)
    os.chmod(path, 0o750)
    result = run_cli_inprocess("apply", "train.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert MIGRATED_MARK in text and "torch.manual_seed" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    again = run_cli_inprocess("apply", "--diff", "train.py", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""
    assert (
        run_cli_inprocess("check", "train.py", "--select", "SEED00", cwd=tmp_path).returncode == 0
    )


def test_bad_files_are_reported_untouched_and_others_still_processed(tmp_path):
    broken = b"import torch\ntorch.manual_seed(0)\ndef broken(:\n    pass\n"
    python2 = b"import random\nrandom.seed(1)\nprint 'seeded'\n"
    latin = b"import random\nrandom.seed(1)\nname = '\xe9t\xe9'\n"  # not UTF-8, no cookie
    files = {
        "a_broken.py": broken,
        "b_python2.py": python2,
        "c_latin.py": latin,
    }
    for name, data in files.items():
        write(tmp_path, name, data)
    good = write(tmp_path, "d_train.py", TRAIN)
    result = run_cli_inprocess("apply", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "a_broken.py:3:12: SEED000" in result.stdout
    assert "b_python2.py:3:1: SEED000" in result.stdout
    assert "c_latin.py:3:9: SEED000" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    for name, data in files.items():
        assert (tmp_path / name).read_bytes() == data
    assert MIGRATED_MARK in good.read_text()
    check = run_cli_inprocess("check", ".", cwd=tmp_path)
    assert check.returncode == 2


def test_usage_errors_exit_2(tmp_path):
    assert run_cli_inprocess("check", "missing.py", cwd=tmp_path).returncode == 2
    assert run_cli_inprocess("check", "--output-format", "yaml", cwd=tmp_path).returncode == 2
    result = run_cli_inprocess("rule", "SEED999", cwd=tmp_path)
    assert result.returncode == 2 and "unknown rule" in result.stderr
    assert run_cli_inprocess(cwd=tmp_path).returncode == 2


def test_rules_and_rule(tmp_path):
    listing = run_cli_inprocess("rules", cwd=tmp_path)
    assert listing.returncode == 0
    assert "SEED005  [*]  missing-seeder-init" in listing.stdout
    rows = json.loads(run_cli_inprocess("rules", "--output-format", "json", cwd=tmp_path).stdout)
    assert len(rows) >= 18 and rows[0]["code"] == "SEED000"
    explained = run_cli_inprocess("rule", "seed007", cwd=tmp_path)
    assert explained.returncode == 0
    assert "## SEED007 `keras-fit-callback`" in explained.stdout
    assert "seeder.SeederCB()" in explained.stdout


def test_pyproject_config_select_ignore_exclude_per_file(tmp_path):
    write(tmp_path, "train.py", TRAIN)
    write(tmp_path, "legacy/old.py", TRAIN)
    write(tmp_path, "tests/test_x.py", "import torch\ntorch.manual_seed(0)\n")
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.seedmigrate]\nexclude = ["legacy"]\nignore = ["SEED006"]\n'
        '[tool.seedmigrate.per-file-ignores]\n"tests/*" = ["SEED001", "SEED005"]\n',
    )
    rows = json.loads(
        run_cli_inprocess("check", ".", "--output-format", "json", cwd=tmp_path).stdout
    )
    paths = {r["path"] for r in rows}
    assert paths == {"train.py"}
    assert "SEED006" not in {r["code"] for r in rows}
    only = json.loads(
        run_cli_inprocess(
            "check", ".", "--select", "SEED004", "--output-format", "json", cwd=tmp_path
        ).stdout
    )
    assert {r["code"] for r in only} == {"SEED004"}
    write(tmp_path, "pyproject.toml", "[tool.seedmigrate]\nbogus = 1\n")
    bad = run_cli_inprocess("check", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown [tool.seedmigrate] keys: bogus" in bad.stderr


def test_inline_suppression(tmp_path):
    write(
        tmp_path,
        "x.py",
        "import torch\ntorch.manual_seed(0)  # seedmigrate: ignore[SEED001]\n"
        "# seedmigrate: ignore\ng = torch.Generator()\n",
    )
    rows = json.loads(
        run_cli_inprocess("check", "x.py", "--output-format", "json", cwd=tmp_path).stdout
    )
    assert {r["code"] for r in rows} == {"SEED005"}


def test_parallel_jobs_match_serial(tmp_path):
    for i in range(12):
        write(tmp_path, f"pkg/train_{i:02d}.py", TRAIN)
        write(tmp_path, f"pkg/plain_{i:02d}.py", "x = 1\n")
    serial = run_cli("check", ".", "-j", "1", "--output-format", "json", cwd=tmp_path)
    parallel = run_cli("check", ".", "-j", "2", "--output-format", "json", cwd=tmp_path)
    single = run_cli("check", "pkg/train_00.py", "--output-format", "json", cwd=tmp_path)
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)) == 12 * len(json.loads(single.stdout)) > 0


def test_statistics(tmp_path):
    write(tmp_path, "train.py", TRAIN)
    result = run_cli_inprocess("check", "train.py", "--statistics", cwd=tmp_path)
    assert "\tSEED001\t[*] manual-global-seeding" in result.stdout
