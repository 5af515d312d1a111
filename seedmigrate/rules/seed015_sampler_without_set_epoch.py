"""SEED015: a ``DistributedSampler`` whose epoch is never set."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import SAMPLERS
from seedmigrate.analysis.model import Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    sets_epoch = any(
        isinstance(call.func, ast.Attribute) and call.func.attr == "set_epoch"
        for call, _ in facts.ctx.calls
    )
    if sets_epoch:
        return
    for call, qualname in facts.ctx.calls:
        if qualname in SAMPLERS:
            yield facts.ctx.finding(
                "SEED015",
                call,
                "DistributedSampler without `sampler.set_epoch(epoch)` in the epoch loop "
                "shuffles every epoch in the same order; call it first thing in each epoch",
                fixable=False,
            )


RULE = Rule(
    code="SEED015",
    slug="sampler-without-set-epoch",
    summary="DistributedSampler without set_epoch",
    why=(
        "`DistributedSampler` seeds its shuffle with `seed + epoch`; without `set_epoch` the "
        "epoch stays 0 and every epoch sees the same order. Its `seed` defaults to 0 and "
        "ignores the master seed: pass `seed=seeder.sampler_seed()`."
    ),
    fix="Add `sampler.set_epoch(epoch)` at the start of each epoch.",
    fixable=False,
    check=check,
    tokens=(("DistributedSampler",),),
    invalid=(
        dedent(
            """\
            from torch.utils.data import DistributedSampler
            s = DistributedSampler(ds)
            for epoch in range(3):
                pass
            """
        ),
    ),
    valid=(
        dedent(
            """\
            from torch.utils.data import DistributedSampler
            s = DistributedSampler(ds)
            for epoch in range(3):
                s.set_epoch(epoch)
            """
        ),
    ),
)
