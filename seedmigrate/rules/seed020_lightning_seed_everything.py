"""SEED020: a Lightning ``Trainer`` without ``seeder.SeederCallback()``.

Fires in files that import ``lightning`` / ``pytorch_lightning`` and build a ``Trainer``
while seeding: with ``seed_everything`` (which SEED001 removes and SEED005 replaces by
``seeder.init``) or with ``seeder_runtime`` already (a migrated file must keep its
callback). The backend these files import is ``seeder_runtime.lightning``: the torch
backend's API plus the callback.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import LIGHTNING_ROOTS
from seedmigrate.analysis.migration import unserved_reason
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import SEED
from seedmigrate.rules._callbacks import add_callback_edit, is_display_or_absent
from seedmigrate.rules.base import Rule

CALLBACK = "SeederCallback"


def _is_trainer(qualname: str | None) -> bool:
    if not qualname or not qualname.endswith(".Trainer"):
        return False
    return qualname.split(".")[0] in LIGHTNING_ROOTS


def _seeds(facts: FileFacts) -> bool:
    if facts.ctx.seeder_import is not None:
        return True
    return any((call.qualname or "").endswith("seed_everything") for call in facts.seeding.calls)


def _names_given_callback(facts: FileFacts) -> set[str]:
    """Variables a ``seeder.SeederCallback()`` is put into (assigned, ``+=``, appended)."""
    ctx = facts.ctx

    def holds(node: ast.AST) -> bool:
        return any(ctx.is_seeder_call(n, CALLBACK) for n in ast.walk(node))

    names: set[str] = set()
    for node in ctx.nodes:
        if isinstance(node, ast.Assign) and holds(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if holds(node.value):
                names.add(node.target.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "insert")
            and isinstance(node.func.value, ast.Name)
            and any(holds(arg) for arg in node.args)
        ):
            names.add(node.func.value.id)
    return names


def _sequence_names(facts: FileFacts) -> set[str]:
    """Names only ever assigned a list or tuple display (safe to unpack)."""
    kinds: dict[str, bool] = {}
    for node in facts.ctx.nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    is_sequence = isinstance(node.value, (ast.List, ast.Tuple))
                    kinds[target.id] = kinds.get(target.id, True) and is_sequence
    return {name for name, ok in kinds.items() if ok}


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx = facts.ctx
    if not ctx.uses_lightning:
        return
    trainers = [call for call, qualname in ctx.calls if _is_trainer(qualname)]
    if not trainers or not _seeds(facts):
        return
    given = _names_given_callback(facts)
    sequences = _sequence_names(facts)
    callback = f"{ctx.seeder_name}.{CALLBACK}()"
    module = (ctx.seeder_import or ("", ""))[1]
    # a file migrated to another backend must switch to .lightning to get the callback
    backend_ok = not module or module.endswith(".lightning")
    for call in trainers:
        value = next((k.value for k in call.keywords if k.arg == "callbacks"), None)
        if value is not None and (
            any(ctx.is_seeder_call(n, CALLBACK) for n in ast.walk(value))
            or (isinstance(value, ast.Name) and value.id in given)
        ):
            continue
        pos = ctx.pos(call)
        edit: Edit | None = None
        if is_display_or_absent(value):
            edit = add_callback_edit(ctx, call, value, callback)
        elif isinstance(value, ast.Tuple) or (
            isinstance(value, ast.Name) and value.id in sequences
        ):
            edit = Edit(
                EditKind.SET_KEYWORD, pos, f"[*{ctx.source_of(value)}, {callback}]", "callbacks"
            )
        elif isinstance(value, ast.Call):  # a single callback object
            edit = Edit(
                EditKind.SET_KEYWORD, pos, f"[{ctx.source_of(value)}, {callback}]", "callbacks"
            )
        message = (
            f"`{ctx.source_of(call.func)}(...)` has no seeder.SeederCallback(): Lightning "
            "epochs are not reseeded per epoch and rank, and a resumed fit diverges"
        )
        reason = unserved_reason(facts, call) if edit is not None else None
        if reason is not None:
            message, edit = f"{message}; not fixed: {reason}", None
        fixable = edit is not None and backend_ok
        edits = (*ctx.import_edit(), edit) if fixable and edit is not None else ()
        yield ctx.finding("SEED020", call, message, edits, fixable=fixable)


RULE = Rule(
    code="SEED020",
    slug="lightning-seed-everything",
    summary="Lightning Trainer without seeder.SeederCallback()",
    why=(
        "`seed_everything(seed)` seeds once, at start-up: every epoch continues one "
        "stream, so a fit resumed from a checkpoint at epoch k replays other randomness "
        "than the uninterrupted run. `seeder.SeederCallback()` reseeds at every training "
        "epoch's start from (master seed, epoch, global rank), and reads the Trainer's rank "
        "and world size."
    ),
    fix=(
        "`apply` adds `seeder.SeederCallback()` to the Trainer's callbacks (appended to a "
        "`callbacks=[...]` list, `[*cbs, ...]` for a list variable, or a new "
        "`callbacks=[...]`) and imports `seeder_runtime.lightning as seeder`; SEED001 "
        "removes `seed_everything` and SEED005 puts `seeder.init(master_seed=...)` in its "
        "place. A Trainer built from `**kwargs`, or from callbacks it cannot follow, is "
        "reported: add the callback by hand."
    ),
    fixable=True,
    check=check,
    tokens=((SEED, "lightning"),),
    examples=(
        (
            dedent(
                """\
                import lightning as L

                L.seed_everything(42)
                trainer = L.Trainer(max_epochs=2, callbacks=[stop])
                """
            ),
            dedent(
                """\
                import lightning as L
                import seeder_runtime.lightning as seeder

                L.seed_everything(42)
                trainer = L.Trainer(max_epochs=2, callbacks=[stop, seeder.SeederCallback()])
                """
            ),
        ),
        (
            dedent(
                """\
                from pytorch_lightning import Trainer, seed_everything

                seed_everything(0, workers=True)
                trainer = Trainer(
                    max_epochs=3,
                )
                """
            ),
            dedent(
                """\
                from pytorch_lightning import Trainer, seed_everything
                import seeder_runtime.lightning as seeder

                seed_everything(0, workers=True)
                trainer = Trainer(
                    max_epochs=3,
                    callbacks=[seeder.SeederCallback()],
                )
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import lightning.pytorch as pl
            import seeder_runtime.lightning as seeder
            trainer = pl.Trainer(callbacks=cbs)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import lightning as L
            trainer = L.Trainer(max_epochs=1)
            """
        ),
        dedent(
            """\
            import lightning as L
            import seeder_runtime.lightning as seeder
            trainer = L.Trainer(callbacks=[seeder.SeederCallback()])
            """
        ),
        dedent(
            """\
            from lightning.fabric import Fabric, seed_everything
            seed_everything(1)
            fabric = Fabric()
            """
        ),
    ),
)
