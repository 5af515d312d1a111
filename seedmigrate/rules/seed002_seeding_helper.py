"""SEED002: the script's own helper that only seeds global RNGs."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import SEED
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    seeding, ctx = facts.seeding, facts.ctx
    for name, function in seeding.removed_helpers().items():
        edits = [Edit(EditKind.REMOVE, ctx.pos(function))]
        for call in seeding.helper_calls[name]:
            stmt = ctx.parent(call)
            assert isinstance(stmt, ast.Expr)
            edits.append(Edit(EditKind.REMOVE, ctx.pos(seeding.removal_target(stmt))))
        calls = len(seeding.helper_calls[name])
        together = (
            f"it is removed together with its {calls} call(s)"
            if calls
            else "no module of the project calls it any more, so it is removed"
        )
        yield ctx.finding(
            "SEED002", function, f"`{name}()` only seeds global RNGs; {together}", edits
        )
    project = facts.project
    for helper_call in seeding.project_calls:  # another module's helper, seen through the index
        if not seeding.removable(ctx.parent(helper_call.call)):
            continue
        helper = helper_call.helper
        stmt = ctx.parent(helper_call.call)
        rngs = ", ".join(sorted(helper.rngs)) or "the global RNGs"
        where = project.label(helper.symbol) if project is not None else helper.symbol.module
        yield ctx.finding(
            "SEED002",
            helper_call.call,
            f"`{ctx.source_of(helper_call.call.func)}(...)` only seeds global RNGs ({rngs}; "
            f"{where}: {helper.symbol.qualname}); the call goes and seeder.init takes its seed",
            (Edit(EditKind.REMOVE, ctx.pos(seeding.removal_target(stmt))),),
        )


RULE = Rule(
    code="SEED002",
    slug="seeding-helper",
    summary="Script-defined helper that only seeds global RNGs",
    why=(
        "`def set_seed(seed): random.seed(seed); np.random.seed(seed); torch.manual_seed(seed)` "
        "is the most common hand-written seeding. It is replaced as a whole by `seeder.init` "
        "and `seeder.reseed`."
    ),
    fix=(
        "When every use of the helper in the file is a plain call statement, `apply` removes "
        "the helper and its calls. A helper that is used otherwise (passed as a callback, "
        "exported, never called here) is kept and emptied instead: its seeding calls go "
        "(SEED001) and its body becomes its docstring or `pass`."
    ),
    fixable=True,
    check=check,
    tokens=((SEED,),),
    examples=(
        (
            dedent(
                '''\
                import random

                import numpy as np


                def set_seed(seed):
                    """Seed everything."""
                    random.seed(seed)
                    np.random.seed(seed)


                def main():
                    set_seed(42)
                    return np.random.rand() + random.random()
                '''
            ),
            dedent(
                """\
                import random

                import numpy as np


                def main():
                    return np.random.rand() + random.random()
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import torch

            def fix_seed(s):
                torch.manual_seed(s)

            fix_seed(1)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch

            def set_seed(s):
                torch.manual_seed(s)
                return s

            set_seed(1)
            """
        ),
        dedent(
            """\
            import torch

            def set_seed(s):
                torch.manual_seed(s)

            x = set_seed(1)
            """
        ),
    ),
)
