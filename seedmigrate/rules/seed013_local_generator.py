"""SEED013: a local RNG object the seeder does not know about."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import GAP, Pattern, each_with
from seedmigrate.rules.base import Rule

#: ``random.Random`` / ``numpy.random.RandomState`` called, or imported under an alias.
_RANDOM_USE = Pattern("Random(?:State)?" + GAP + r"(?:\(|as\b)")
#: ``torch.Generator(``, ``tf.random.Generator.from_seed(``, ``import ... Generator as``.
_GENERATOR_USE = Pattern("Generator" + GAP + r"(?:\(|\.|as\b|import\b)")

#: Constructor -> the registration that reseeds an instance ``{g}`` on every reseed.
GENERATORS = {
    "random.Random": "seeder.register_generator({g}.seed)",
    "numpy.random.RandomState": "seeder.register_generator({g}.seed)",
    "numpy.random.default_rng": (
        "seeder.register_generator(lambda s: setattr({g}.bit_generator, 'state', "
        "np.random.PCG64(s).state))"
    ),
    "numpy.random.Generator": (
        "seeder.register_generator(lambda s: setattr({g}.bit_generator, 'state', "
        "type({g}.bit_generator)(s).state))"
    ),
    "torch.Generator": "seeder.register_generator({g}.manual_seed)",
    "tensorflow.random.Generator.from_seed": "seeder.register_generator({g}.reset_from_seed)",
    "tensorflow.random.Generator.from_non_deterministic_state": (
        "seeder.register_generator({g}.reset_from_seed)"
    ),
    "tensorflow.random.experimental.Generator.from_seed": (
        "seeder.register_generator({g}.reset_from_seed)"
    ),
}


def _registered_names(facts: FileFacts) -> set[str]:
    names: set[str] = set()
    for call, _ in facts.ctx.calls:
        if facts.ctx.is_seeder_call(call, "register_generator"):
            names.update(n.id for n in ast.walk(call) if isinstance(n, ast.Name))
    return names


def check(facts: FileFacts) -> Iterator[Finding]:
    registered = _registered_names(facts)
    for call, qualname in facts.ctx.calls:
        how = GENERATORS.get(qualname or "")
        if how is None:
            continue
        stmt = facts.ctx.statement_of(call)
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in registered for t in stmt.targets
        ):
            continue
        name = "rng"
        if isinstance(stmt, ast.Assign) and stmt.value is call:
            target = stmt.targets[0]
            name = (
                facts.ctx.source_of(target)
                if isinstance(target, (ast.Name, ast.Attribute))
                else name
            )
        yield facts.ctx.finding(
            "SEED013",
            call,
            f"`{qualname}(...)` is a local generator the seeder does not reseed; "
            f"register it: {how.format(g=name)}",
            fixable=False,
        )


RULE = Rule(
    code="SEED013",
    slug="local-generator",
    summary="Local generator not registered with the seeder",
    why=(
        "`seeder.reseed` reseeds the global RNGs. A generator object created by the script "
        "keeps its own stream, fixed at creation: after a resume it restarts where it was "
        "created, not where the interrupted run had got to."
    ),
    fix=(
        "Register a function that reseeds it: `seeder.register_generator(g.manual_seed)` "
        "(torch), `seeder.register_generator(g.seed)` (`random.Random`, `RandomState`); "
        "`shared=True` when every rank must draw the same numbers."
    ),
    fixable=False,
    check=check,
    tokens=(
        ("Random", _RANDOM_USE),
        ("default_rng",),
        *each_with(each_with((("Generator",),), "numpy", "torch", "tensorflow"), _GENERATOR_USE),
    ),
    invalid=(
        dedent(
            """\
            import numpy as np
            rng = np.random.default_rng(0)
            """
        ),
        dedent(
            """\
            import torch
            g = torch.Generator()
            """
        ),
        dedent(
            """\
            import random
            r = random.Random(4)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch
            import seeder_runtime.torch as seeder
            g = torch.Generator()
            seeder.register_generator(g.manual_seed)
            """
        ),
    ),
)
