"""SEED007: a Keras ``fit`` call without ``seeder.SeederCB()``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import unserved_reason
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import TRAINS
from seedmigrate.rules._callbacks import add_callback_edit, is_display_or_absent
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx, training = facts.ctx, facts.training
    callback = f"{ctx.seeder_name}.SeederCB()"
    for call in training.fit_calls:
        if training.has_seeder_callback(call):
            continue
        callbacks = training.callbacks_of(call)
        pos = ctx.pos(call)
        edit: Edit | None
        if is_display_or_absent(callbacks):
            edit = add_callback_edit(ctx, call, callbacks, callback)
        elif isinstance(callbacks, ast.Name) and (stmt := ctx.statement_of(call)) is not None:
            edit = Edit(EditKind.INSERT_BEFORE, ctx.pos(stmt), f"{callbacks.id} += [{callback}]\n")
        else:
            code = f"[*{ctx.source_of(callbacks)}, {callback}]"
            edit = Edit(EditKind.SET_KEYWORD, pos, code, name="callbacks")
        edits = [edit] if edit is not None else []
        message = (
            f"`{ctx.source_of(call.func)}(...)` does not pass seeder.SeederCB() in its callbacks; "
            "epochs are not reseeded and a resumed fit diverges"
        )
        reason = unserved_reason(facts, call) if edits else None
        if reason is not None:
            message, edits = f"{message}; not fixed: {reason}", []
        if edits:
            edits[:0] = ctx.import_edit()
        yield ctx.finding("SEED007", call, message, edits, fixable=bool(edits))


RULE = Rule(
    code="SEED007",
    slug="keras-fit-callback",
    summary="Keras fit without seeder.SeederCB()",
    why=(
        "`SeederCB` reseeds at every epoch's start and resets the state of the model's "
        "Dropout/noise/augmentation seed generators, so `fit(initial_epoch=k)` after "
        "`load_model` continues exactly as the uninterrupted run."
    ),
    fix=(
        "`apply` appends `seeder.SeederCB()` to a `callbacks=[...]` list, adds "
        "`callbacks += [seeder.SeederCB()]` before the call when callbacks come in a "
        "variable, or adds `callbacks=[seeder.SeederCB()]`. A call with `**kwargs` is only "
        "reported. Lightning's `trainer.fit` is not a Keras fit."
    ),
    fixable=True,
    check=check,
    # Keras fit in a TF file
    tokens=TRAINS[3:5],
    examples=(
        (
            dedent(
                """\
                import tensorflow as tf

                model.fit(x, y, epochs=2, callbacks=[cb])
                """
            ),
            dedent(
                """\
                import tensorflow as tf
                import seeder_runtime.tf as seeder

                model.fit(x, y, epochs=2, callbacks=[cb, seeder.SeederCB()])
                """
            ),
        ),
        (
            dedent(
                """\
                from tensorflow import keras

                model.fit(
                    x,
                    y,
                    epochs=2,
                )
                """
            ),
            dedent(
                """\
                from tensorflow import keras
                import seeder_runtime.tf as seeder

                model.fit(
                    x,
                    y,
                    epochs=2,
                    callbacks=[seeder.SeederCB()],
                )
                """
            ),
        ),
        (
            dedent(
                """\
                import keras

                callbacks = [stop]
                history = model.fit(x, callbacks=callbacks)
                """
            ),
            dedent(
                """\
                import keras
                import seeder_runtime.tf as seeder

                callbacks = [stop]
                callbacks += [seeder.SeederCB()]
                history = model.fit(x, callbacks=callbacks)
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import tensorflow as tf
            model.fit_generator(gen, epochs=3)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import lightning as L
            trainer.fit(model, datamodule=dm)
            """
        ),
        dedent(
            """\
            from sklearn.linear_model import LinearRegression
            LinearRegression().fit(x, y)
            """
        ),
    ),
)
