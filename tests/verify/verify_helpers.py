"""Helpers shared by the verify tests: paths and the environment of child processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
