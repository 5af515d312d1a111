"""Cost of the project index (issue 11) against ``seedmigrate check --no-cache``.

Target: building the index adds at most 20% to a cold ``check`` of the same tree.

Usage::

    python benchmarks/project_index.py [TREE ...] [--jobs N] [--files N]

TREE defaults to the installed ``torch`` and ``tensorflow`` packages, each indexed as if
it were a project, and a synthetic research repository of ``--files`` files (2,600 by
default: twenty sub-projects with seeding helpers, entry scripts, models, data
pipelines, configs and tests). For each tree it prints CPU seconds (the machine may be
shared: wall time is printed too, but CPU time is what the ratios use) of:

- ``check``: ``seedmigrate check TREE --no-cache -j N`` in a fresh process (rusage of
  its process tree; it includes the interpreter's start, printed separately);
- ``index, standalone``: ``ProjectIndex.build(TREE)`` from scratch: it reads every
  file, parses the ones that can matter and links them;
- ``index, shared pass``: what the index adds when ``check`` hands it the trees it has
  parsed anyway (``summaries=``): the summaries of those trees, plus everything else
  the build does (files only the index needs are parsed here, and counted);
- ``index, warm cache``: a rebuild with every summary in the cache (``cache=``).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from seedmigrate.analysis.module_summary import summarise_module  # noqa: E402
from seedmigrate.analysis.project import ProjectIndex, needs_summary  # noqa: E402
from seedmigrate.engine import might_need_analysis  # noqa: E402
from seedmigrate.files import discover  # noqa: E402

RUSAGE_WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys, time
    start = time.perf_counter()
    code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(usage.ru_utime + usage.ru_stime, wall, code)
    """
)


def run_measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """CPU and wall seconds of ``command`` and all its descendants."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", RUSAGE_WRAPPER, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu, wall, code = out.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{command} exited with {code}")
    return float(cpu), float(wall)


def timed(function):
    """(result, CPU seconds, wall seconds) of ``function()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return result, time.process_time() - cpu, time.perf_counter() - wall


# -- the synthetic repository ----------------------------------------------------------

SEED_MODULE = '''\
"""Seeding helpers."""
import os
import random

import numpy as np
import torch


def set_random_seed(seed, deterministic=False):
    """Seed every RNG; optionally make cuDNN deterministic."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def init_seeds(seed=0):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def worker_init_fn(worker_id, num_workers, rank, seed):
    worker_seed = num_workers * rank + worker_id + seed
    np.random.seed(worker_seed)
    random.seed(worker_seed)
'''

DIST_MODULE = """\
import torch.distributed as dist


def get_rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def get_world_size():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def is_main_process():
    return get_rank() == 0
"""

TRAINER = """\
import torch

from {pkg}.utils.dist import get_rank
from {pkg}.utils.logging import get_logger


class Trainer:
    def __init__(self, model, loader, optimizer, max_epochs):
        self.model = model
        self.loader = loader
        self.optimizer = optimizer
        self.max_epochs = max_epochs
        self.logger = get_logger(__name__)

    def fit(self):
        for epoch in range(self.max_epochs):
            self.train_one_epoch(epoch)
            if get_rank() == 0:
                self.logger.info("epoch %d done", epoch)

    def train_one_epoch(self, epoch):
        self.model.train()
        for step, (inputs, targets) in enumerate(self.loader):
            loss = torch.nn.functional.cross_entropy(self.model(inputs), targets)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        return epoch
"""

TRAIN_SCRIPT = """\
import argparse

import torch

from {pkg}.engine.trainer import Trainer
from {pkg}.models.model_0 import Model0
from {pkg}.utils.seed import set_random_seed


def parse_args():
    parser = argparse.ArgumentParser(description="train a model")
    parser.add_argument("config")
    parser.add_argument("--work-dir")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--deterministic", action="store_true")
    return parser.parse_args()


def main():
    args = parse_args()
    set_random_seed(args.seed, deterministic=args.deterministic)
    model = Model0()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    Trainer(model, [], optimizer, 12).fit()


if __name__ == "__main__":
    main()
"""

LOGGING_MODULE = """\
import logging


def get_logger(name, level=logging.INFO):
    logger = logging.getLogger(name)
    logger.setLevel(level)
    return logger
"""


def model_module(index: int, rng: random.Random) -> str:
    layers = rng.randint(8, 40)
    body = [
        f"        self.layer{i} = nn.Conv2d({i + 3}, {i + 4}, 3, padding=1)" for i in range(layers)
    ]
    forward = [f"        x = torch.relu(self.layer{i}(x))" for i in range(layers)]
    helpers = "\n\n".join(
        f"def block_{i}(x, scale={i}):\n    y = x * scale\n    return torch.tanh(y) + y.mean()"
        for i in range(rng.randint(2, 10))
    )
    return (
        "import torch\nfrom torch import nn\n\n\n"
        f"class Model{index}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        + "\n".join(body)
        + "\n\n    def forward(self, x):\n"
        + "\n".join(forward)
        + "\n        return x\n\n\n"
        + helpers
        + "\n"
    )


def data_module(index: int, rng: random.Random) -> str:
    return textwrap.dedent(
        f"""\
        import numpy as np
        from torch.utils.data import Dataset


        class Dataset{index}(Dataset):
            def __init__(self, root, size={rng.randint(10, 1000)}):
                self.root = root
                self.size = size

            def __len__(self):
                return self.size

            def __getitem__(self, i):
                image = np.random.rand(3, 32, 32).astype("float32")
                return image, i % 10
        """
    )


def config_module(index: int, rng: random.Random) -> str:
    keys = "\n".join(f"    key_{i}={rng.randint(0, 100)}," for i in range(rng.randint(10, 60)))
    return (
        f"_base_ = ['../base_{index % 7}.py']\n\nmodel = dict(\n    type='Model{index}',\n"
        + keys
        + "\n)\noptimizer = dict(type='SGD', lr=0.02, momentum=0.9)\n"
    )


def test_module(pkg: str, index: int, rng: random.Random) -> str:
    seeded = rng.random() < 0.3
    head = "import torch\n\n" + ("torch.manual_seed(0)\n\n" if seeded else "")
    tests = "\n\n".join(
        f"def test_case_{i}():\n    x = torch.ones({i + 1})\n    assert x.sum() == {i + 1}"
        for i in range(rng.randint(3, 15))
    )
    return (
        head + f"from {pkg}.models.model_{index % 10} import Model{index % 10}\n\n\n" + tests + "\n"
    )


def write_synthetic(root: Path, total: int) -> None:
    """A research monorepo of ``total`` files: twenty sub-projects alike in layout."""
    rng = random.Random(0)
    (root / "pyproject.toml").write_text('[project]\nname = "synthetic"\nversion = "0"\n')
    written = 1
    projects = 20
    per_project = max(20, total // projects)
    for number in range(projects):
        pkg = f"proj{number}"
        base = root / f"project_{number}"
        files: dict[str, str] = {
            f"{pkg}/__init__.py": "",
            f"{pkg}/utils/__init__.py": "from .seed import set_random_seed\n",
            f"{pkg}/utils/seed.py": SEED_MODULE,
            f"{pkg}/utils/dist.py": DIST_MODULE,
            f"{pkg}/utils/logging.py": LOGGING_MODULE,
            f"{pkg}/engine/__init__.py": "",
            f"{pkg}/engine/trainer.py": TRAINER.format(pkg=pkg),
            f"{pkg}/models/__init__.py": "",
            f"{pkg}/data/__init__.py": "",
            "tools/train.py": TRAIN_SCRIPT.format(pkg=pkg),
            "tools/test.py": TRAIN_SCRIPT.format(pkg=pkg).replace("Trainer(", "print(Trainer, "),
        }
        kinds = ["model", "model", "data", "config", "config", "test"]
        index = 0
        while len(files) < per_project:
            kind = kinds[index % len(kinds)]
            if kind == "model":
                files[f"{pkg}/models/model_{index}.py"] = model_module(index, rng)
            elif kind == "data":
                files[f"{pkg}/data/dataset_{index}.py"] = data_module(index, rng)
            elif kind == "config":
                files[f"configs/cfg_{index}.py"] = config_module(index, rng)
            else:
                files[f"tests/test_{index}.py"] = test_module(pkg, index, rng)
            index += 1
        for name, text in files.items():
            if written >= total:
                return
            path = base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written += 1


# -- measurements ----------------------------------------------------------------------


def default_trees() -> list[Path]:
    trees = []
    for name in ("torch", "tensorflow"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            trees.append(Path(next(iter(spec.submodule_search_locations))))
    return trees


def shared_pass(root: Path) -> tuple[ProjectIndex, float, float, int]:
    """The index built as ``check`` would build it: from the trees it parses anyway
    (files that pass its pre-filter), one at a time as a worker holds them. Only the
    summaries and the build are timed, not the parses. Returns the index, its CPU and
    wall seconds, and how many files ``check`` parses."""
    given = {}
    parsed = 0
    cpu = wall = 0.0
    for path in discover([root]):
        if path.suffix != ".py":
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        if not might_need_analysis(text):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
        parsed += 1
        if needs_summary(data):
            summary, c, w = timed(lambda text=text, tree=tree: summarise_module(text, tree))
            given[path] = summary
            cpu, wall = cpu + c, wall + w
        del tree
    index, c, w = timed(lambda: ProjectIndex.build(root, summaries=given))
    return index, cpu + c, wall + w, parsed


def measure_tree(root: Path, jobs: int, startup: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "pyproject.toml"
        config.write_text("[tool.seedmigrate]\n")
        command = [sys.executable, "-m", "seedmigrate", "check", str(root), "--exit-zero"]
        command += ["--no-cache", "-j", str(jobs), "--config", str(config)]
        check_cpu, check_wall = run_measured(command, Path(tmp))

    index, cold_cpu, cold_wall = timed(lambda: ProjectIndex.build(root))
    _, shared_cpu, shared_wall, parsed = shared_pass(root)
    cache: dict = {}
    ProjectIndex.build(root, cache=cache)
    _, warm_cpu, warm_wall = timed(lambda: ProjectIndex.build(root, cache=cache))

    files = len(index.modules)
    print(f"\n{root}")
    print(
        f"  {files} modules, {len(index.file_keys())} summarised, "
        f"{len(index.seeding_helpers)} seeding helpers, {len(index.entry_scripts)} entry "
        f"scripts; check parses {parsed} files"
    )
    print(f"  {'':28s} {'CPU s':>8s} {'wall s':>8s} {'CPU vs check':>13s}")
    rows = [
        (f"check --no-cache -j {jobs}", check_cpu, check_wall),
        ("index, standalone", cold_cpu, cold_wall),
        ("index, shared pass", shared_cpu, shared_wall),
        ("index, warm cache", warm_cpu, warm_wall),
    ]
    for name, cpu, wall in rows:
        print(f"  {name:28s} {cpu:8.2f} {wall:8.2f} {cpu / check_cpu:12.1%}")
    verdict = "PASS" if shared_cpu <= 0.2 * check_cpu else "FAIL"
    print(
        f"  target (index adds <= 20% to a cold check, shared pass): {verdict}; "
        f"standalone {cold_cpu / check_cpu:.1%}; check's start-up alone: {startup:.2f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="check -j (default: 1)")
    parser.add_argument("--files", type=int, default=2600, help="synthetic tree size")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        (Path(tmp) / "pyproject.toml").write_text("[tool.seedmigrate]\n")
        startup, _ = run_measured(
            [sys.executable, "-m", "seedmigrate", "check", str(empty), "--exit-zero", "--no-cache"],
            Path(tmp),
        )
        trees = list(args.trees)
        if not trees:
            synthetic = Path(tmp) / "synthetic"
            synthetic.mkdir()
            write_synthetic(synthetic, args.files)
            trees = [*default_trees(), synthetic]
        for tree in trees:
            measure_tree(tree.resolve(), args.jobs, startup)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
