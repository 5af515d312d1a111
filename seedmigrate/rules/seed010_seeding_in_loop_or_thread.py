"""SEED010: seeding inside a loop, a worker or a thread: reported, never removed."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    for call in facts.seeding.calls:
        if call.in_loop_or_thread:
            yield facts.ctx.finding(
                "SEED010",
                call.call,
                f"`{call.qualname}` inside a loop, worker or thread is often deliberate "
                "(identical inputs on all ranks, per-worker streams); review it, and use "
                "seeder.reseed(task, epoch) or seeder.worker_init_fn where it is not",
                fixable=False,
            )


RULE = Rule(
    code="SEED010",
    slug="seeding-in-loop-or-thread",
    summary="Seeding inside a loop, DataLoader worker or thread",
    why=(
        "Seeding per iteration or per worker is sometimes the point (the same synthetic "
        "batch on every rank, a stream per data-loading thread) and sometimes a hand-rolled "
        "per-epoch reseed. Removing it blindly could change what the script computes."
    ),
    fix=(
        "Review by hand: a per-epoch `torch.manual_seed(seed + epoch)` becomes "
        "`seeder.reseed(1, epoch)`; a `worker_init_fn` that seeds numpy becomes "
        "`worker_init_fn=seeder.worker_init_fn`; deliberate seeding gets "
        "`# seedmigrate: ignore[SEED010]`."
    ),
    fixable=False,
    check=check,
    tokens=(("seed",),),
    invalid=(
        dedent(
            """\
            import torch
            for epoch in range(3):
                torch.manual_seed(epoch)
            """
        ),
        dedent(
            """\
            import numpy as np
            def worker_init_fn(wid):
                np.random.seed(wid)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch
            torch.manual_seed(0)
            """
        ),
    ),
)
