"""Peak memory of ``seedmigrate verify`` on a training script that floods its output.

    python benchmarks/verify_memory.py [--mb-per-run 200] [--repeats 2] [--repo PATH]

Writes a toy training script that prints one ``loss=`` line per step and, between
them, about ``--mb-per-run`` MB of other output per run (a chatty framework, a debug
print left in a loop), then runs ``seedmigrate verify --epochs 2`` on it (4 experiments
× ``--repeats`` runs) in a fresh interpreter and prints that interpreter's peak RSS
(``getrusage(RUSAGE_SELF).ru_maxrss``: verify itself, not the runs) next to the peak of
an interpreter that only imports verify. ``--repo`` measures another checkout's
``seedmigrate`` (e.g. one from before output streaming) on the same flood.
Logs go to a temporary folder, deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

FLOODING_SCRIPT = """\
import argparse, random, sys

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, required=True)
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--save")
parser.add_argument("--resume")
parser.add_argument("--mb", type=float, required=True)
args = parser.parse_args()
seed = random.randrange(2**32) if args.seed is None else args.seed
start = int(open(args.resume).read()) if args.resume else 0
steps = 10
noise = ("debug: " + "x" * 93 + "\\n") * 100  # 10 kB of chatter
per_step = max(1, int(args.mb * 1e6 / len(noise) / (args.epochs * steps)))
for epoch in range(start, args.epochs):
    rng = random.Random(f"{seed}-{epoch}")
    for step in range(steps):
        for _ in range(per_step):
            sys.stdout.write(noise)
        print(f"epoch {epoch} step {step} loss={rng.random()!r}")
if args.save:
    open(args.save, "w").write(str(args.epochs))
"""

MEASURE = """\
import json, resource, sys
from seedmigrate.cli import main
code = main(sys.argv[1:]) if len(sys.argv) > 1 else 0
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"exit": code, "peak_mib": peak_kib / 1024}), file=sys.__stderr__)
"""


def _measure(repo: Path, args: list[str], cwd: Path) -> dict:
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    result = json.loads(proc.stderr.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb-per-run", type=float, default=200.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help="checkout to measure")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="verify-memory-") as tmp:
        work = Path(tmp)
        (work / "flood.py").write_text(FLOODING_SCRIPT)
        verify = [
            "verify", "--epochs", "2", "--repeats", str(args.repeats), "--out", "out",
            "--resume-arg", "--resume {ckpt}",
            "--", sys.executable, "flood.py", "--epochs", "{epochs}", "--mb", str(args.mb_per_run),
        ]  # fmt: skip
        baseline = _measure(args.repo, [], work)
        flooded = _measure(args.repo, verify, work)
        logs = sum(p.stat().st_size for p in (work / "out" / "logs").glob("*.txt"))
        runs = 4 * args.repeats
    print(f"seedmigrate from {args.repo}")
    print(f"runs: {runs}; output written to the logs: {logs / 1e6:.0f} MB in all")
    print(f"import only:          peak RSS {baseline['peak_mib']:7.1f} MiB")
    print(
        f"verify (exit {flooded['exit']}):      peak RSS {flooded['peak_mib']:7.1f} MiB "
        f"({flooded['wall_s']:.1f} s)"
    )


if __name__ == "__main__":
    main()
