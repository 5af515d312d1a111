"""Fixes: apply the analysis's edits to a file in one libcst pass.

Every edit names its node by position (see :mod:`seedmigrate.analysis.model`), so no
name is resolved again here. The package is split by concern: ``transformer`` (the
libcst pass that applies each :class:`~seedmigrate.analysis.model.EditKind`),
``statements`` (comment and blank lines around added and removed statements),
``imports`` (where imports go, and those left unused) and ``windowed`` (the piecewise
path for long files).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from seedmigrate.analysis.model import Edit
from seedmigrate.transforms.imports import unused_import_edits
from seedmigrate.transforms.transformer import FixError, _apply_whole, restore_form_feeds
from seedmigrate.transforms.windowed import _apply_windowed

__all__ = ["WINDOWED_FROM", "FixError", "apply_edits", "restore_form_feeds", "unused_import_edits"]

#: Files at least this long are rewritten piecewise (see :func:`apply_edits`).
WINDOWED_FROM = 200_000  # characters


def apply_edits(text: str, edits: Iterable[Edit], tree: ast.Module | None = None) -> str:
    """Apply ``edits`` to ``text`` and return the new source.

    A long file is rewritten piecewise, so that the cost follows the code that changes,
    not the size of the file (a 5 MB generated table is never given to libcst): only the
    top-level statements that hold an edit, with the comment and blank lines above them
    (libcst's leading lines), plus the import block when an import is added, are parsed
    and transformed, each run of them as a module of its own, and spliced back between
    the untouched bytes. ``tree`` (the ``ast`` of ``text``) saves parsing it again.

    Raises :class:`FixError` when an edit's position matches no node (the file changed
    since it was analysed, or a bug) or when libcst cannot parse the file.
    """
    edits = list(edits)
    if not edits:
        return text
    if len(text) < WINDOWED_FROM:
        return _apply_whole(text, edits)
    return _apply_windowed(text, edits, tree)
