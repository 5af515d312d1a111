"""The data handed from analysis to fixes and output: findings and the edits that fix them.

Positions are ``(line, column)`` with a 1-based line and a 0-based column counted in
characters (libcst's convention); ``ast``'s byte offsets are converted on the way in,
so a fix finds its node by position alone, without resolving any name again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

Pos = tuple[int, int]


class EditKind(StrEnum):
    """What an :class:`Edit` does; each kind is applied by one part of the transforms."""

    #: Drop the statement at ``pos`` (an empty block gets ``pass``).
    REMOVE = "remove"
    #: Add ``code`` (statements) after the statement at ``pos``.
    INSERT_AFTER = "insert_after"
    #: Add ``code`` (statements) before the statement at ``pos``.
    INSERT_BEFORE = "insert_before"
    #: Add ``code`` as the first statements of the compound statement (loop, function)
    #: at ``pos``.
    PREPEND_BODY = "prepend_body"
    #: Add ``code`` (statements) after the file's leading imports (``pos`` unused);
    #: identical ones are added once.
    AFTER_IMPORTS = "after_imports"
    #: The fix needs ``import <code> as <name>`` (``<name>`` empty: ``import <code>``;
    #: ``pos`` unused): a request, not a text. However many fixes of a file ask, the
    #: import is added once, after the file's imports and above the first statement
    #: that uses it. Every fix carries its own request, so any subset of a file's fixes
    #: (``--select``, ``apply --interactive``) still gets the import it needs.
    REQUIRE_IMPORT = "require_import"
    #: In the call at ``pos``, set keyword ``name`` to ``code`` (replaced when present,
    #: appended otherwise).
    SET_KEYWORD = "set_keyword"
    #: In the call at ``pos``, replace positional argument ``index`` with ``code``.
    SET_POSITIONAL = "set_positional"
    #: Append ``code`` to the list display at ``pos``.
    APPEND_ELEMENT = "append_element"
    #: In the import statement at ``pos``, replace module ``name`` with ``code``.
    RENAME_IMPORT = "rename_import"
    #: In the import statement at ``pos``, drop the imported name ``name`` (the whole
    #: statement when it was the last); made by the fixes' unused-import clean-up.
    REMOVE_IMPORT_NAME = "remove_import_name"


@dataclass(frozen=True)
class Edit:
    """One change a fix makes, addressed by the position of the node it touches.

    ``kind`` says what it does (see :class:`EditKind`); a plain string naming a kind is
    accepted and converted, so an unknown kind fails where the edit is made.
    """

    kind: EditKind
    pos: Pos = (0, 0)
    code: str = ""
    name: str = ""
    index: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EditKind):
            object.__setattr__(self, "kind", EditKind(self.kind))


@dataclass(frozen=True)
class Finding:
    """A rule violation at a location; ``edits`` fix it when ``fixable``.

    ``path`` is the file; in a notebook, ``cell`` is the cell's number (1-based,
    markdown cells counted, as seen scrolling the notebook) and ``line``/``column``
    count inside that cell.
    """

    code: str
    message: str
    line: int
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    fixable: bool
    edits: tuple[Edit, ...] = field(default=(), compare=False, repr=False)
    path: str = ""
    cell: int | None = None

    @property
    def where(self) -> str:
        """The path as reports show it: ``nb.ipynb:cell_3`` inside a notebook cell."""
        return self.path if self.cell is None else f"{self.path}:cell_{self.cell}"

    def with_path(self, path: str) -> Finding:
        """The same finding attributed to ``path``."""
        return replace(self, path=path)

    def to_dict(self) -> dict[str, object]:
        """The JSON form (``--output-format json``)."""
        return {
            "path": self.where,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "message": self.message,
            "fixable": self.fixable,
        }
