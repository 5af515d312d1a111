"""``seedmigrate apply`` on a huge generated module: time and peak memory.

Issue #10, item 5: a 5 MB module (a large table plus one small training script) must
migrate in at most 10 s and 1 GB peak. ``apply`` rewrites only the statements it edits
(``transforms.apply_edits`` rewrites a long file piecewise) and analyses the code, not
the table (``analysis.context.prune_literal_data``), so its cost follows the code that
changes, not the size of the file.

Usage::

    python benchmarks/big_file.py [--mb 5] [--runs 3]

Prints, per run: wall seconds, CPU seconds (user + sys of the child), peak RSS of the
child; then the medians, next to ``check --no-cache`` on the same file.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    model = torch.nn.Linear(4, 1)
    for epoch in range(args.epochs):
        print(model(torch.randn(2, 4)).sum().item(), TABLE[epoch])


if __name__ == "__main__":
    main()
"""


def generate(path: Path, megabytes: float) -> int:
    """Write the module; returns its size in bytes."""
    rng = random.Random(0)
    lines = ["import argparse", "", "import numpy as np", "import torch", "", "TABLE = ["]
    size, row = 0, 0
    while size < megabytes * 1_000_000:
        line = f"    ({row}, {rng.random():.6f}, 'label_{row % 97}', {rng.randint(0, 10**6)}),"
        lines.append(line)
        size += len(line) + 1
        row += 1
    lines.append("]")
    path.write_text("\n".join(lines) + SCRIPT)
    return path.stat().st_size


def run(*args: str) -> tuple[float, float, float, int]:
    """(wall s, child CPU s, child peak RSS MB, exit code) of ``python -m seedmigrate``."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SEEDMIGRATE_NO_CACHE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "seedmigrate", *args], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the biggest last
    return wall, cpu, after.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="module size (default: 5)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "generated.py"
        size = generate(source, options.mb)
        original = source.read_bytes()
        lines = original.count(b"\n")
        print(f"module: {size / 1e6:.1f} MB, {lines} lines")
        checks = [run("check", "--no-cache", str(source)) for _ in range(options.runs)]
        applies = []
        for _ in range(options.runs):
            source.write_bytes(original)
            applies.append(run("apply", str(source)))
            assert b"seeder.init(master_seed=args.seed)" in source.read_bytes()
        for name, rows in (("check --no-cache", checks), ("apply", applies)):
            for wall, cpu, _rss, code in rows:
                print(f"  {name:<17} wall {wall:6.2f} s  cpu {cpu:6.2f} s  exit {code}")
            print(
                f"{name:<19} median wall {statistics.median(r[0] for r in rows):.2f} s, "
                f"median cpu {statistics.median(r[1] for r in rows):.2f} s"
            )
        print(f"peak RSS of any child: {max(r[2] for r in checks + applies):.0f} MB")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
