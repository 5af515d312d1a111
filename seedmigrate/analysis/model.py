"""The data handed from analysis to fixes and output: findings and the edits that fix them.

Positions are ``(line, column)`` with a 1-based line and a 0-based column counted in
characters (libcst's convention); ``ast``'s byte offsets are converted on the way in,
so a fix finds its node by position alone, without resolving any name again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

Pos = tuple[int, int]


@dataclass(frozen=True)
class Edit:
    """One change a fix makes, addressed by the position of the node it touches.

    ``kind`` is one of:

    - ``remove``: drop the statement at ``pos`` (an empty block gets ``pass``).
    - ``insert_after`` / ``insert_before``: add ``code`` (statements) next to ``pos``.
    - ``prepend_body``: add ``code`` as the first statements of the compound statement
      (loop, function) at ``pos``.
    - ``set_keyword``: in the call at ``pos``, set keyword ``name`` to ``code``
      (replaced when present, appended otherwise).
    - ``set_positional``: in the call at ``pos``, replace positional argument ``index``.
    - ``append_element``: append ``code`` to the list display at ``pos``.
    - ``add_decorator``: add decorator ``code`` (innermost) to the function at ``pos``.
    - ``rename_import``: in the import statement at ``pos``, replace module ``name``
      with ``code``.
    - ``add_import``: add the statement ``code`` after the file's leading imports.
    """

    kind: str
    pos: Pos = (0, 0)
    code: str = ""
    name: str = ""
    index: int = 0


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
