"""``seedmigrate check one_file.py`` wall time vs. ``python -c "import libcst"``.

Issue #5, target 2: checking one file (what a pre-commit hook does) costs at most
1.5x the bare import of libcst, and imports neither torch nor TensorFlow.

Usage::

    python benchmarks/check_one_file.py [FILE] [--runs N]

FILE defaults to a small PyTorch training script written to a temporary project.
Runs alternate between the two commands; the medians are compared. ``check`` runs
with the cache (its default) and with ``--no-cache``: a hook sees changed files, so the
no-cache figure is the one that counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TRAIN = """\
import argparse
import random

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    model = torch.nn.Linear(4, 1)
    for epoch in range(args.epochs):
        model(torch.randn(8, 4)).sum().backward()


if __name__ == "__main__":
    main()
"""


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    code = subprocess.call(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    if code not in (0, 1):
        raise SystemExit(f"{command} exited with {code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SEEDMIGRATE_NO_CACHE", None)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pyproject.toml").write_text("[tool.seedmigrate]\n")
        target = args.file.resolve() if args.file else project / "train.py"
        if not args.file:
            target.write_text(TRAIN)
        check = [sys.executable, "-m", "seedmigrate", "check", str(target)]
        check += ["--config", str(project / "pyproject.toml")]
        commands = {
            'python -c "import libcst"': [sys.executable, "-c", "import libcst"],
            "seedmigrate check FILE --no-cache": [*check, "--no-cache"],
            "seedmigrate check FILE (cache)": check,
            'python -c "pass"': [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # warm the OS caches once
            wall(command, env, project)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(wall(command, env, project))
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; runs: {args.runs}")
    print(f"file: {args.file or 'generated train.py'}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:36s} median {value * 1000:7.1f} ms  (min {min(times[name]) * 1000:.1f})")
    base = medians['python -c "import libcst"']
    for name in ("seedmigrate check FILE --no-cache", "seedmigrate check FILE (cache)"):
        ratio = medians[name] / base
        verdict = "PASS" if ratio <= 1.5 else "FAIL"
        print(f"{name}: {ratio:.2f} x import libcst (target <= 1.5: {verdict})")


if __name__ == "__main__":
    main()
