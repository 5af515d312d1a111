"""The whole chain on the bundled examples: ``seedmigrate apply`` on a copy, then
``seedmigrate verify`` on the result must pass (the unmigrated originals fail it, see
test_verify_examples.py), so the codemod, the runtime and the verifier agree."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from helpers import run_cli
from test_verify_examples import EXAMPLES, SINGLE_THREADED, skip_without_framework
from verify_helpers import REPO_ROOT


def _cli(*args, cwd, env=None):
    return run_cli(*args, cwd=cwd, env=env, timeout=900)


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_migrated_example_passes_verify(example, tmp_path):
    skip_without_framework(example)
    shutil.copy(REPO_ROOT / "examples" / example / "train.py", tmp_path / "train.py")
    applied = _cli("apply", "train.py", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    migrated = (tmp_path / "train.py").read_text()
    assert "seeder.init(master_seed=args.seed" in migrated
    leftover = json.loads(_cli("check", "train.py", "--output-format", "json", cwd=tmp_path).stdout)
    assert not [f for f in leftover if f["fixable"]], leftover

    proc = _cli(
        "verify", "--epochs", "2", "--repeats", "2", "--out", "out", "--timeout", "240",
        *EXAMPLES[example],
        "--", sys.executable, "train.py", "--epochs", "{epochs}",
        cwd=tmp_path, env=SINGLE_THREADED,
    )  # fmt: skip
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert proc.returncode == 0, (report["reasons"], proc.stdout[-2000:], proc.stderr[-2000:])
    assert report["reasons"] == []
