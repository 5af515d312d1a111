"""The ``check`` path imports neither torch nor TensorFlow (nor libcst, nor rich off a TTY).

Checked in a fresh interpreter, since this test session may have imported anything:
the CLI runs in-process there and ``sys.modules`` is inspected afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO

PROBE = """
import json, sys
from seedmigrate.cli import main
code = main(sys.argv[1:])
heavy = ("torch", "tensorflow", "keras", "libcst", "rich", "numpy", "jax")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
sys.stderr.write(json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""

SCRIPT = (
    "import random\nimport numpy as np\nimport torch\nimport tensorflow as tf\n"
    "random.seed(0)\nnp.random.seed(0)\ntorch.manual_seed(0)\ntf.random.set_seed(0)\n"
    "for epoch in range(3):\n    pass\n"
)


def _probe(*args: str, cwd) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "SEEDMIGRATE_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stderr.strip().splitlines()[-1])


def test_check_one_file_imports_no_framework(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    result = _probe("check", "train.py", cwd=tmp_path)
    assert result["code"] == 1  # it did find things
    assert result["loaded"] == []


def test_check_a_tree_in_parallel_imports_no_framework(tmp_path):
    for i in range(10):
        (tmp_path / f"train{i}.py").write_text(SCRIPT)
    result = _probe("check", ".", "-j", "2", "--output-format", "json", cwd=tmp_path)
    assert result["code"] == 1
    assert result["loaded"] == []


def test_importtime_of_check_shows_no_framework(tmp_path):
    """``python -X importtime`` (main process and forked workers alike) lists no framework."""
    for i in range(10):
        (tmp_path / f"train{i}.py").write_text(SCRIPT)
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "seedmigrate", "check", ".", "-j", "2"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "SEEDMIGRATE_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in out.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "seedmigrate" in imported
    assert not imported & {"torch", "tensorflow", "keras", "libcst", "numpy"}
