"""SEED011: a seeding call whose return value is used."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    for call in facts.seeding.calls:
        if not call.statement_level and not call.in_loop_or_thread:
            yield facts.ctx.finding(
                "SEED011",
                call.call,
                f"the value of `{call.qualname}(...)` is used, so the call cannot simply be "
                "removed; seed a generator registered with seeder.register_generator instead",
                fixable=False,
            )


RULE = Rule(
    code="SEED011",
    slug="seeding-value-used",
    summary="Seeding call whose value is used",
    why=(
        "`g = torch.manual_seed(0)` seeds the global RNG *and* hands its generator to the "
        "script; deleting the call would break the code that uses `g`."
    ),
    fix=(
        "Create a dedicated generator (`g = torch.Generator()`), register it with "
        "`seeder.register_generator(g.manual_seed)`, and drop the global seeding."
    ),
    fixable=False,
    check=check,
    tokens=(("seed",),),
    invalid=(
        dedent(
            """\
            import torch
            g = torch.manual_seed(0)
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
