"""Shared test helpers: run the codemod in-process and the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from seedmigrate.analysis import analyse_source
from seedmigrate.config import Config
from seedmigrate.transforms import apply_edits

REPO = Path(__file__).resolve().parent.parent


def migrate(source: str, config: Config | None = None) -> str:
    """What ``seedmigrate apply`` writes for ``source``."""
    findings = analyse_source(source, config)
    return apply_edits(source, [e for f in findings if f.fixable for e in f.edits])


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
):
    """``python -m seedmigrate ARGS`` against this checkout (``env`` adds variables)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "seedmigrate", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
