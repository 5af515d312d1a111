"""SEED007: a Keras ``fit`` call without ``seeder.SeederCB()``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import unserved_reason
from seedmigrate.analysis.model import Edit, Finding
from seedmigrate.analysis.tokens import TRAINS
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx, training = facts.ctx, facts.training
    callback = f"{ctx.seeder_name}.SeederCB()"
    for call in training.fit_calls:
        if training.has_seeder_callback(call):
            continue
        callbacks = training.callbacks_of(call)
        pos = ctx.pos(call)
        edits: list[Edit] = []
        if isinstance(callbacks, ast.List):
            edits.append(Edit("append_element", ctx.pos(callbacks), callback))
        elif isinstance(callbacks, ast.Name):
            stmt = ctx.statement_of(call)
            code = f"{callbacks.id} += [{callback}]\n"
            edits.append(Edit("insert_before", ctx.pos(stmt), code))
        elif callbacks is None or (isinstance(callbacks, ast.Constant) and callbacks.value is None):
            if not any(k.arg is None for k in call.keywords):  # **kwargs may hold callbacks
                edits.append(Edit("set_keyword", pos, f"[{callback}]", name="callbacks"))
        else:
            code = f"[*{ctx.source_of(callbacks)}, {callback}]"
            edits.append(Edit("set_keyword", pos, code, name="callbacks"))
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
            "import tensorflow as tf\n\nmodel.fit(x, y, epochs=2, callbacks=[cb])\n",
            "import tensorflow as tf\nimport seeder_runtime.tf as seeder\n\n"
            "model.fit(x, y, epochs=2, callbacks=[cb, seeder.SeederCB()])\n",
        ),
        (
            "from tensorflow import keras\n\nmodel.fit(\n    x,\n    y,\n    epochs=2,\n)\n",
            "from tensorflow import keras\nimport seeder_runtime.tf as seeder\n\nmodel.fit(\n"
            "    x,\n    y,\n    epochs=2,\n    callbacks=[seeder.SeederCB()],\n)\n",
        ),
        (
            "import keras\n\ncallbacks = [stop]\nhistory = model.fit(x, callbacks=callbacks)\n",
            "import keras\nimport seeder_runtime.tf as seeder\n\ncallbacks = [stop]\n"
            "callbacks += [seeder.SeederCB()]\nhistory = model.fit(x, callbacks=callbacks)\n",
        ),
    ),
    invalid=("import tensorflow as tf\nmodel.fit_generator(gen, epochs=3)\n",),
    valid=(
        "import lightning as L\ntrainer.fit(model, datamodule=dm)\n",
        "from sklearn.linear_model import LinearRegression\nLinearRegression().fit(x, y)\n",
    ),
)
