"""SEED013: a local RNG object the seeder does not know about."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.rules.base import Rule

#: Constructor -> how to register an instance ``g`` with the seeder.
GENERATORS = {
    "random.Random": "seeder.register_generator(g.seed)",
    "numpy.random.RandomState": "seeder.register_generator(g.seed)",
    "numpy.random.default_rng": (
        "seeder.register_generator(lambda s: g.bit_generator.state.update("
        "np.random.PCG64(s).state)) or re-create it from seeder state each epoch"
    ),
    "numpy.random.Generator": "re-create it per epoch from a seed passed to a registered fn",
    "torch.Generator": "seeder.register_generator(g.manual_seed)",
    "tensorflow.random.Generator.from_seed": "seeder.register_generator(g.reset_from_seed)",
    "tensorflow.random.Generator.from_non_deterministic_state": (
        "seeder.register_generator(g.reset_from_seed)"
    ),
    "tensorflow.random.experimental.Generator.from_seed": (
        "seeder.register_generator(g.reset_from_seed)"
    ),
}


def _registered_names(facts: FileFacts) -> set[str]:
    names = set()
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
        yield facts.ctx.finding(
            "SEED013",
            call,
            f"`{qualname}(...)` is a local generator the seeder does not reseed; "
            f"register it: {how}",
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
    invalid=(
        "import numpy as np\nrng = np.random.default_rng(0)\n",
        "import torch\ng = torch.Generator()\n",
        "import random\nr = random.Random(4)\n",
    ),
    valid=(
        "import torch\nimport seeder_runtime.torch as seeder\ng = torch.Generator()\n"
        "seeder.register_generator(g.manual_seed)\n",
    ),
)
