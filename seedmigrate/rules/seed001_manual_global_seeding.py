"""SEED001: manual seeding of a process-global RNG."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    seeding = facts.seeding
    for call in seeding.calls:
        if not call.statement_level or call.in_loop_or_thread:
            continue
        stmt = facts.ctx.parent(call.call)
        target = seeding.removal_target(stmt)
        yield facts.ctx.finding(
            "SEED001",
            call.call,
            f"`{call.qualname}` seeds a global RNG by hand; "
            "seeder.reseed derives its seed per task, epoch and rank",
            (Edit(EditKind.REMOVE, facts.ctx.pos(target)),),
        )


RULE = Rule(
    code="SEED001",
    slug="manual-global-seeding",
    summary="Global RNG seeded by hand",
    why=(
        "A fixed `torch.manual_seed(seed)` at start-up makes every epoch, every rank and "
        "every resumed run draw from one stream: ranks share dropout masks and augmentations, "
        "and a job resumed at epoch 50 replays epoch 0's randomness. `seeder.reseed(task, "
        "epoch)` derives an independent seed per (master seed, task, epoch, rank) instead."
    ),
    fix=(
        "`apply` removes the call. An `if` that only guarded seeding goes with it; a block "
        "left empty gets `pass`; an import left unused by the removal goes too. The master "
        "seed now reaches `seeder.init`."
    ),
    fixable=True,
    check=check,
    # every SEEDING_FUNCTIONS name ends in ...seed...
    tokens=(("seed",),),
    examples=(
        (
            dedent(
                """\
                import numpy as np
                import torch

                np.random.seed(0)
                torch.manual_seed(0)
                x = torch.from_numpy(np.ones(3))
                """
            ),
            dedent(
                """\
                import numpy as np
                import torch

                x = torch.from_numpy(np.ones(3))
                """
            ),
        ),
        (
            dedent(
                """\
                from numpy import random as npr


                def main(seed):
                    if seed is not None:
                        npr.seed(seed)
                    return npr.rand()
                """
            ),
            dedent(
                """\
                from numpy import random as npr


                def main(seed):
                    return npr.rand()
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import random
            random.seed(1)
            """
        ),
        dedent(
            """\
            import tensorflow.compat.v1 as tf
            tf.set_random_seed(3)
            """
        ),
        dedent(
            """\
            from torch import manual_seed
            manual_seed(7)
            """
        ),
        dedent(
            """\
            import keras
            keras.utils.set_random_seed(1)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch

            def f():
                random = torch.randn(3)
                random.seed(1)
            """
        ),
        dedent(
            """\
            import random
            rng = random.Random(0)
            """
        ),
    ),
)
