"""SEED005: a training entry script that never calls ``seeder.init``."""

from __future__ import annotations

from collections.abc import Iterator

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import has_init, init_plan
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import TRAINS
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    if has_init(facts):
        return
    plan = init_plan(facts)
    if plan is None:
        return
    yield facts.ctx.finding(
        "SEED005",
        plan.anchor,
        "training script never calls seeder.init, which fixes (or draws and logs) the master "
        "seed and must run before any seeder.reseed",
        plan.edits,
    )


RULE = Rule(
    code="SEED005",
    slug="missing-seeder-init",
    summary="Training script never calls seeder.init",
    why=(
        "`seeder.init` fixes the master seed (drawing and logging one when none is given), "
        "detects the rank and world size, and must run before any `seeder.reseed`."
    ),
    fix=(
        "`apply` adds the backend import and `seeder.init(master_seed=args.seed)`, "
        "`args.seed = seeder.get_master_seed()`, `seeder.reseed(0, 0)` at a place every "
        "later use passes through: after the distributed set-up (`init_process_group`, "
        "`hvd.init()`, `Accelerator()`), lifted out of the conditional block that holds it "
        "(`if args.distributed:`) so that a single-process run gets it too; else after the "
        "arguments are parsed; else where the script seeded by hand, out of `if cuda:`. "
        "The runtime reads rank and world size from the process group, Horovod or the "
        "launcher's environment (rank 0 of 1 otherwise), so no rank arithmetic is written. "
        "The seed the script used reaches `master_seed`: the seed option, a constant, or "
        'an expression such as `int(os.environ["SEED"])` or `cfg["seed"]`. A script '
        "that never seeded but trains (`loss.backward()`, `optimizer.step()`, "
        "`apply_gradients`, `fit`) is migrated too: without a parser, `seeder.init()` "
        "reads `SEEDER_MASTER_SEED` or draws a seed and prints it."
    ),
    fixable=True,
    check=check,
    tokens=TRAINS,
    examples=(
        (
            "import argparse\n\nimport torch\n\n\ndef main():\n"
            "    parser = argparse.ArgumentParser()\n"
            "    parser.add_argument('--seed', type=int, default=None)\n"
            "    args = parser.parse_args()\n    torch.manual_seed(args.seed)\n",
            "import argparse\n\nimport torch\nimport seeder_runtime.torch as seeder\n\n\n"
            "def main():\n    parser = argparse.ArgumentParser()\n"
            "    parser.add_argument('--seed', type=int, default=None)\n"
            "    args = parser.parse_args()\n    seeder.init(master_seed=args.seed)\n"
            "    args.seed = seeder.get_master_seed()\n    seeder.reseed(0, 0)\n"
            "    torch.manual_seed(args.seed)\n",
        ),
        (
            "import numpy as np\n\nSEED = 7\nnp.random.seed(SEED)\nw = np.random.rand(3)\n",
            "import numpy as np\nimport seeder_runtime as seeder\n\nSEED = 7\n"
            "seeder.init(master_seed=SEED)\nseeder.reseed(0, 0)\n"
            "np.random.seed(SEED)\nw = np.random.rand(3)\n",
        ),
    ),
    invalid=(
        "import torch\n\ndef train(model):\n    for epoch in range(3):\n        model(epoch)\n\n"
        "if __name__ == '__main__':\n    train(None)\n",
        "import torch\nw = torch.zeros(2, requires_grad=True)\nfor it in range(100):\n"
        "    loss = (w - torch.randn(2)).pow(2).sum()\n    loss.backward()\n",
    ),
    valid=(
        "import torch\n\ndef train(model, epochs):\n    for epoch in range(epochs):\n"
        "        model(epoch)\n",
        "import argparse\nimport seeder_runtime.torch as seeder\nimport torch\n"
        "p = argparse.ArgumentParser()\np.add_argument('--seed', type=int)\na = p.parse_args()\n"
        "seeder.init(master_seed=a.seed)\nfor epoch in range(3):\n    seeder.reseed(1, epoch)\n",
    ),
)
