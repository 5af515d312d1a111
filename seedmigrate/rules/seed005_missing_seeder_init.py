"""SEED005: a training entry script that never calls ``seeder.init``."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

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
            dedent(
                """\
                import argparse

                import torch


                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument('--seed', type=int, default=None)
                    args = parser.parse_args()
                    torch.manual_seed(args.seed)
                """
            ),
            dedent(
                """\
                import argparse

                import torch
                import seeder_runtime.torch as seeder


                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument('--seed', type=int, default=None)
                    args = parser.parse_args()
                    seeder.init(master_seed=args.seed)
                    args.seed = seeder.get_master_seed()
                    seeder.reseed(0, 0)
                    torch.manual_seed(args.seed)
                """
            ),
        ),
        (
            dedent(
                """\
                import numpy as np

                SEED = 7
                np.random.seed(SEED)
                w = np.random.rand(3)
                """
            ),
            dedent(
                """\
                import numpy as np
                import seeder_runtime as seeder

                SEED = 7
                seeder.init(master_seed=SEED)
                seeder.reseed(0, 0)
                np.random.seed(SEED)
                w = np.random.rand(3)
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import torch

            def train(model):
                for epoch in range(3):
                    model(epoch)

            if __name__ == '__main__':
                train(None)
            """
        ),
        dedent(
            """\
            import torch
            w = torch.zeros(2, requires_grad=True)
            for it in range(100):
                loss = (w - torch.randn(2)).pow(2).sum()
                loss.backward()
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch

            def train(model, epochs):
                for epoch in range(epochs):
                    model(epoch)
            """
        ),
        dedent(
            """\
            import argparse
            import seeder_runtime.torch as seeder
            import torch
            p = argparse.ArgumentParser()
            p.add_argument('--seed', type=int)
            a = p.parse_args()
            seeder.init(master_seed=a.seed)
            for epoch in range(3):
                seeder.reseed(1, epoch)
            """
        ),
    ),
)
