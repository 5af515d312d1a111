"""The edit that adds a seeding callback to a framework's callbacks (SEED007, SEED020)."""

from __future__ import annotations

import ast

from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.model import Edit, EditKind


def add_callback_edit(
    ctx: FileContext, call: ast.Call, callbacks: ast.expr | None, callback: str
) -> Edit | None:
    """Add ``callback`` (code) to the ``callbacks=`` of ``call``, whose value is ``callbacks``.

    Handles the shapes every framework shares: a list display gets it appended, and a
    call without callbacks (or with ``callbacks=None``) gets ``callbacks=[callback]``,
    unless it passes ``**kwargs`` (which may hold callbacks: nothing is edited). Returns
    ``None`` for any other shape, which the rule decides about.
    """
    if isinstance(callbacks, ast.List):
        return Edit(EditKind.APPEND_ELEMENT, ctx.pos(callbacks), callback)
    if callbacks is None or (isinstance(callbacks, ast.Constant) and callbacks.value is None):
        if any(k.arg is None for k in call.keywords):
            return None
        return Edit(EditKind.SET_KEYWORD, ctx.pos(call), f"[{callback}]", name="callbacks")
    return None


def is_display_or_absent(callbacks: ast.expr | None) -> bool:
    """Whether :func:`add_callback_edit` decides about ``callbacks`` (list or absent)."""
    return (
        callbacks is None
        or isinstance(callbacks, ast.List)
        or (isinstance(callbacks, ast.Constant) and callbacks.value is None)
    )
