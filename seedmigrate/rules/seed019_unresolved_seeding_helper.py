"""SEED019: a call of a seeding helper defined where seedmigrate cannot see."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import SEEDING_FUNCTIONS
from seedmigrate.analysis.crossmodule import UNSEEABLE
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import SEED
from seedmigrate.rules.base import Rule

#: Names of hand-written seeding helpers: set_seed, seed_everything, random_seed,
#: init_seeds, fix_seed, setup_seed, set_random_seed, seed_all...
HELPER_NAME = re.compile(
    r"^(set|fix|init|setup|random|manual|global|same)_?(random_?)?seeds?$"
    r"|^seed_?(everything|all|torch|worker)s?$|^set_?(global_?|random_?)seeds?$",
    re.IGNORECASE,
)


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx = facts.ctx
    local = {n.name for n in ctx.nodes if isinstance(n, ast.FunctionDef)}
    for call, qualname in ctx.calls:
        if qualname in SEEDING_FUNCTIONS or not call.args:
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if not name or not HELPER_NAME.match(name):
            continue
        if isinstance(func, ast.Name) and name in local:
            continue  # the file's own helper: SEED001/SEED002 handle it
        if not isinstance(ctx.parent(call), ast.Expr):
            continue
        origin = (
            f"defined in {qualname.rsplit('.', 1)[0]}"
            if qualname and "." in qualname
            else "defined elsewhere (a star import?)"
        )
        if facts.project is not None and facts.project.module is not None:
            reason = facts.project.unresolvable(call)
            if reason is None or reason.kind not in UNSEEABLE:
                continue  # a function of the project: followed (SEED002, SEED005)
            origin = str(reason)
        yield ctx.finding(
            "SEED019",
            call,
            f"`{ctx.source_of(func)}(...)` looks like a seeding helper {origin}, "
            "which seedmigrate cannot see into; left in place it reseeds the global RNGs "
            "with a fixed seed after seeder.reseed. Migrate that module too, or remove the call",
            fixable=False,
        )


RULE = Rule(
    code="SEED019",
    slug="unresolved-seeding-helper",
    summary="Seeding helper from another module or a star import",
    why=(
        "`from utils import set_seed; set_seed(args.seed)` or timm's `random_seed(seed, "
        "rank)` seed every global RNG from one number. The codemod only rewrites what it "
        "can see; the call would undo `seeder.reseed` right after it runs."
    ),
    fix=(
        "Run `seedmigrate apply` on the module that defines the helper (its seeding calls "
        "are removed), or delete the call, or silence it with "
        "`# seedmigrate: ignore[SEED019]` if it seeds something else."
    ),
    fixable=False,
    check=check,
    # every helper name it knows contains "seed"
    tokens=((SEED,),),
    invalid=(
        dedent(
            """\
            from utils import set_seed
            set_seed(args.seed)
            """
        ),
        dedent(
            """\
            from timm.utils import *
            random_seed(args.seed, 0)
            """
        ),
        dedent(
            """\
            import misc
            misc.init_seeds(1)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import random
            random.seed(1)
            """
        ),
        dedent(
            """\
            def set_seed(s):
                print(s)

            set_seed(1)
            """
        ),
        dedent(
            """\
            from utils import set_seed
            x = set_seed(1)
            """
        ),
    ),
)
