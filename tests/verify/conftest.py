"""Fixtures for the verify tests."""

from __future__ import annotations

import subprocess
import sys

import pytest
from verify_helpers import subprocess_env


@pytest.fixture
def run_verify(tmp_path):
    """Run ``python -m seedmigrate verify ARGS`` in ``tmp_path``; return the result."""

    def run(
        *args: str, timeout: float = 600, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "seedmigrate", "verify", *args],
            cwd=tmp_path,
            env={**subprocess_env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
