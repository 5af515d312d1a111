"""Helpers shared by the seeder_runtime tests (fresh interpreters on this tree)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a child interpreter that imports this tree's packages."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SEEDER_", "OMPI_COMM_WORLD_", "SLURM_"))
        and k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONHASHSEED"] = "0"
    env.update(extra)
    return env


def run_python(code: str, *args: str, timeout: float = 120, **env: str) -> str:
    """Run ``code`` in a fresh interpreter and return its stdout (fails the test on error)."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        cwd=REPO_ROOT,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def run_python_json(code: str, *args: str, timeout: float = 120, **env: str):
    """Run ``code`` in a fresh interpreter; its last stdout line is parsed as JSON."""
    return json.loads(run_python(code, *args, timeout=timeout, **env).strip().splitlines()[-1])
