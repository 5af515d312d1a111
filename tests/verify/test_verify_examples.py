"""The bundled, unmigrated examples must fail verify: proof that the check can fail.

Each example seeds itself the old manual way with ``--seed`` defaulting to 42, so a
resumed run leaves the full run at the resume point (experiment 3) and runs without a
seed do not spread (experiment 4). Both rules must be reported.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from verify_helpers import REPO_ROOT

EXAMPLES = {
    "keras_fit": [
        "--save-arg",
        "--save {ckpt}.keras",
        "--resume-arg",
        "--resume {ckpt}.keras --initial-epoch {start_epoch}",
    ],
    "torch_loop": ["--resume-arg", "--resume {ckpt}"],
    "torch_ddp": ["--resume-arg", "--resume {ckpt}"],
}
FRAMEWORK = {"keras_fit": "tensorflow", "torch_loop": "torch", "torch_ddp": "torch"}


def skip_without_framework(example: str) -> None:
    """The example's runs import its framework: skip when it is not installed."""
    if importlib.util.find_spec(FRAMEWORK[example]) is None:
        pytest.skip(f"{FRAMEWORK[example]} is not installed")


# One thread per framework pool: the suite runs on 2 cores with pytest-xdist, and
# oversubscribed OpenMP pools slow every run down. Thread counts do not change what
# these checks prove on CPU.
SINGLE_THREADED = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_unmigrated_example_fails_verify(example, run_verify, tmp_path):
    skip_without_framework(example)
    script = REPO_ROOT / "examples" / example / "train.py"
    proc = run_verify(
        "--epochs", "2", "--repeats", "2", "--out", "out", "--timeout", "240",
        *EXAMPLES[example],
        "--", sys.executable, str(script), "--epochs", "{epochs}",
        env=SINGLE_THREADED,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    failed = sorted(reason.split(" (")[0] for reason in report["reasons"])
    assert failed == ["experiment 3", "experiment 4"], report["reasons"]
    # Seeding from the start works: experiments 1 and 2 repeat exactly.
    assert any(check.startswith("experiment 1") for check in report["checks"])
    assert any(check.startswith("experiment 2") for check in report["checks"])
