"""SEED021: a ``DistributedSampler`` whose shuffle ignores the master seed."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import SAMPLERS
from seedmigrate.analysis.migration import serves, will_have_init
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx = facts.ctx
    samplers = [
        c
        for c, q in ctx.calls
        if q in SAMPLERS and not any(k.arg == "seed" or k.arg is None for k in c.keywords)
    ]
    if not samplers or not will_have_init(facts):
        return
    module = ctx.seeder_import[1] if ctx.seeder_import else ctx.backend_module
    torch_backend = module.endswith((".torch", ".lightning"))
    for call in samplers:
        edits: list[Edit] = []
        if torch_backend and serves(facts, call) and len(call.args) < 4:  # seed is 5th positional
            code = f"{ctx.seeder_name}.sampler_seed()"
            edits = [
                *ctx.import_edit(),
                Edit(EditKind.SET_KEYWORD, ctx.pos(call), code, name="seed"),
            ]
        yield ctx.finding(
            "SEED021",
            call,
            "DistributedSampler shuffles with seed=0 whatever the master seed: every run, "
            "seeded or not, sees the same order; pass seed=seeder.sampler_seed()",
            edits,
            fixable=bool(edits),
        )


RULE = Rule(
    code="SEED021",
    slug="sampler-seed",
    summary="DistributedSampler shuffle ignores the master seed",
    why=(
        "`DistributedSampler` shuffles with `seed + epoch`, and `seed` defaults to 0: runs "
        "without `--seed` still see one fixed data order, so their spread under-states the "
        "real run-to-run variance, and two seeded runs with different seeds share it. "
        "`seeder.sampler_seed()` is derived from the master seed and equal on every rank, "
        "as the sampler requires."
    ),
    fix=(
        "`apply` adds `seed=seeder.sampler_seed()` when the sampler is built after "
        "`seeder.init` (torch backend); a sampler built before it is only reported."
    ),
    fixable=True,
    check=check,
    # seed_everything or seeder, in a Lightning file
    tokens=(("DistributedSampler",),),
    examples=(
        (
            dedent(
                """\
                import argparse

                import torch.distributed as dist
                from torch.utils.data import DistributedSampler


                def main():
                    parser = argparse.ArgumentParser()
                    args = parser.parse_args()
                    dist.init_process_group('gloo')
                    sampler = DistributedSampler(dataset, shuffle=True)
                    for epoch in range(args.epochs):
                        sampler.set_epoch(epoch)
                """
            ),
            dedent(
                """\
                import argparse

                import torch.distributed as dist
                from torch.utils.data import DistributedSampler
                import seeder_runtime.torch as seeder


                def main():
                    parser = argparse.ArgumentParser()
                    args = parser.parse_args()
                    dist.init_process_group('gloo')
                    sampler = DistributedSampler(dataset, shuffle=True, seed=seeder.sampler_seed())
                    for epoch in range(args.epochs):
                        sampler.set_epoch(epoch)
                """
            ),
        ),
    ),
    invalid=(),
    valid=(
        dedent(
            """\
            import torch
            from torch.utils.data import DistributedSampler
            s = DistributedSampler(ds, seed=seed)
            for epoch in range(3):
                s.set_epoch(epoch)
            """
        ),
        dedent(
            """\
            from torch.utils.data import DistributedSampler


            def loader(ds):
                return DistributedSampler(ds)
            """
        ),
    ),
)
