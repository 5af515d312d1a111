"""SEED009: a master seed drawn at random when none was given."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import SEED
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    seeding = facts.seeding
    if not facts.trains:
        return
    for node in facts.ctx.nodes:
        if isinstance(node, ast.Assign) and seeding.is_generated_seed(node):
            if seeding.in_loop_or_thread(node):
                continue
            target = seeding.removal_target(node)
            yield facts.ctx.finding(
                "SEED009",
                node,
                f"`{facts.ctx.source_of(node.targets[0])}` is drawn at random when no seed is "
                "given; seeder.init draws one, shares it across ranks and logs it",
                (Edit(EditKind.REMOVE, facts.ctx.pos(target)),),
            )


RULE = Rule(
    code="SEED009",
    slug="generated-seed",
    summary="Master seed drawn by the script when none is given",
    why=(
        "`if opt.manualSeed is None: opt.manualSeed = random.randint(1, 10000)` draws a seed "
        "per process, so ranks disagree, and the draw itself consumes the global RNG. "
        "`seeder.init(master_seed=None)` draws one seed, broadcasts it to every rank and "
        "logs it; `args.seed = seeder.get_master_seed()` keeps the script's later uses."
    ),
    fix=(
        "`apply` removes the assignment (and an `if ... is None:` guard left empty), and an "
        "import (`random`, `time`) that only served it."
    ),
    fixable=True,
    check=check,
    tokens=((SEED,),),
    examples=(
        (
            dedent(
                """\
                import random

                import torch


                def main(opt):
                    if opt.manualSeed is None:
                        opt.manualSeed = random.randint(1, 10000)
                    print("Random Seed: ", opt.manualSeed)
                    torch.manual_seed(opt.manualSeed)
                """
            ),
            dedent(
                """\
                import torch


                def main(opt):
                    print("Random Seed: ", opt.manualSeed)
                    torch.manual_seed(opt.manualSeed)
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import time
            import torch

            def main(args):
                args.seed = int(time.time())
                torch.manual_seed(args.seed)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import random
            import torch

            def main(args):
                args.lr = random.random()
                torch.manual_seed(args.seed)
            """
        ),
    ),
)
