"""SEED014: an NVIDIA DALI pipeline, whose RNG cannot be reseeded."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.rules.base import Rule

_PIPELINES = ("nvidia.dali.Pipeline", "nvidia.dali.pipeline.Pipeline", "nvidia.dali.pipeline_def")


def check(facts: FileFacts) -> Iterator[Finding]:
    for call, qualname in facts.ctx.calls:
        if qualname and qualname.startswith(_PIPELINES):
            yield _finding(facts, call)
    for node in facts.ctx.tree.body:
        decorators = getattr(node, "decorator_list", [])
        for deco in decorators:
            if facts.ctx.qualify(deco) in _PIPELINES:
                yield _finding(facts, deco)


def _finding(facts: FileFacts, node) -> Finding:
    return facts.ctx.finding(
        "SEED014",
        node,
        "DALI pipelines draw from their own RNG, seeded once at build time; seeder.reseed "
        "cannot reach it, so augmentations after a resume differ from the uninterrupted run",
        fixable=False,
    )


RULE = Rule(
    code="SEED014",
    slug="dali-pipeline",
    summary="DALI pipeline (cannot be reseeded)",
    why=(
        "A DALI pipeline takes `seed=` when it is built and offers no way to reseed it per "
        "epoch; resume is therefore not exact while it is in use."
    ),
    fix=(
        "Pass `seed=seeder.sampler_seed()` (or a seed derived per epoch) when building the "
        "pipeline, rebuild it at each epoch if exact resume matters, or accept and document "
        "the difference (`# seedmigrate: ignore[SEED014]`)."
    ),
    fixable=False,
    check=check,
    tokens=(("dali",),),
    invalid=(
        dedent(
            """\
            from nvidia.dali import pipeline_def

            @pipeline_def
            def pipe():
                return 1
            """
        ),
        dedent(
            """\
            from nvidia.dali.pipeline import Pipeline
            p = Pipeline(batch_size=8, num_threads=2, device_id=0, seed=1)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch
            loader = torch.utils.data.DataLoader(ds)
            """
        ),
    ),
)
