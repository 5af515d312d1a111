"""Shared helpers for the verify tests: the repository root and a subprocess runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOY_TRAIN = Path(__file__).resolve().parent / "scripts" / "toy_train.py"


def subprocess_env() -> dict[str, str]:
    """The environment for child processes: this checkout's packages come first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def toy_command(*extra: str) -> list[str]:
    """The toy training command, ready for ``--`` (``{epochs}`` left to substitute)."""
    return [sys.executable, str(TOY_TRAIN), "--epochs", "{epochs}", *extra]


@pytest.fixture
def run_verify(tmp_path):
    """Run ``python -m seedmigrate verify ARGS`` in ``tmp_path``; return the result."""

    def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "seedmigrate", "verify", *args],
            cwd=tmp_path,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
