"""``seedmigrate check`` over a large tree of real Python files vs. merely parsing it.

Issue #5, targets 1 and 4: ``check TREE`` takes at most 0.1x the time of one process
that only parses every file of TREE with libcst, with at most 2x its peak memory, and
a second ``check`` over the unchanged tree (warm cache) is near-instant.

Usage::

    python benchmarks/check_tree.py [TREE ...] [--jobs N] [--skip-parse]

TREE defaults to the installed ``torch`` and ``tensorflow`` packages (thousands of real
files). Every measurement is a fresh subprocess: wall time, the peak RSS of its largest
process (``getrusage(RUSAGE_CHILDREN).ru_maxrss``, which covers the pool workers) and
the peak of the summed RSS of its whole process tree, sampled from /proc every 20 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from seedmigrate.files import discover  # noqa: E402

PARSE_ALL = textwrap.dedent(
    """
    import sys, libcst
    failed = 0
    for name in open(sys.argv[1], encoding="utf-8").read().splitlines():
        with open(name, "rb") as handle:
            data = handle.read()
        try:
            libcst.parse_module(data)
        except Exception:
            failed += 1
    print(failed)
    """
)

# Runs one command and reports the peak RSS of its largest descendant (KiB).
RUSAGE_WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys
    code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, code)
    """
)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants_rss_kib(root: int) -> int:
    """Summed RSS of every process below ``root`` (not ``root`` itself)."""
    tree = _children()
    total, todo = 0, list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:
            pass
    return total


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall and CPU seconds; peak RSS (KiB) of the largest process and of the whole tree."""
    wrapper = [sys.executable, "-c", RUSAGE_WRAPPER, *command]
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(wrapper, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _descendants_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    maxrss, cpu, code = out.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{command} exited with {code}")
    return wall, float(cpu), int(maxrss), peak[0]


def default_trees() -> list[Path]:
    trees = []
    for name in ("torch", "tensorflow"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            trees.append(Path(next(iter(spec.submodule_search_locations))))
    return trees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=0, help="check -j (default: all cores)")
    parser.add_argument("--skip-parse", action="store_true", help="no libcst baseline")
    args = parser.parse_args()
    trees = args.trees or default_trees()
    files = list(discover(trees))
    size = sum(p.stat().st_size for p in files)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(f"trees: {' '.join(map(str, trees))}")
    print(f"files: {len(files)}  MB: {size / 1e6:.1f}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SEEDMIGRATE_NO_CACHE", None)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pyproject.toml").write_text("[tool.seedmigrate]\n")
        listing = project / "files.txt"
        listing.write_text("\n".join(map(str, files)), encoding="utf-8")
        check = [sys.executable, "-m", "seedmigrate", "check", *map(str, trees), "--exit-zero"]
        check += ["--config", str(project / "pyproject.toml"), "-j", str(args.jobs)]

        results = {}
        results["check (no cache)"] = measure([*check, "--no-cache"], project, env)
        results["check (cold cache)"] = measure(check, project, env)
        results["check (warm cache)"] = measure(check, project, env)
        if not args.skip_parse:
            parse = [sys.executable, "-c", PARSE_ALL, str(listing)]
            results["libcst parse, 1 process"] = measure(parse, project, env)

    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = f"{'':26s} {'wall s':>8s} {'CPU s':>8s} {'max RSS MiB':>12s} {'tree RSS MiB':>13s}"
    print(header)
    for name, (wall, cpu, maxrss, tree_rss) in results.items():
        print(f"{name:26s} {wall:8.2f} {cpu:8.2f} {maxrss / 1024:12.0f} {tree_rss / 1024:13.0f}")
    if args.skip_parse:
        return
    base_wall, base_cpu, base_rss, base_tree = results["libcst parse, 1 process"]
    for name in ("check (no cache)", "check (cold cache)"):
        wall, cpu, maxrss, tree_rss = results[name]
        ratio = wall / base_wall
        print(
            f"{name}: time ratio {ratio:.3f} (target <= 0.1: {'PASS' if ratio <= 0.1 else 'FAIL'}),"
            f" CPU ratio {cpu / base_cpu:.3f}; memory ratio {maxrss / base_rss:.2f} largest "
            f"process, {tree_rss / base_tree:.2f} whole tree (target <= 2: "
            f"{'PASS' if tree_rss <= 2 * base_tree else 'FAIL'})"
        )
    warm = results["check (warm cache)"][0]
    print(f"warm cache: {warm:.2f} s = {warm / base_wall:.4f} x the parse")


if __name__ == "__main__":
    main()
