"""The piecewise rewrite of long files: only the top-level statements an edit touches
(and the import block, when an import is added) go through libcst."""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, replace

from seedmigrate.analysis.model import Edit, EditKind
from seedmigrate.transforms.imports import _bound_names, _load_counts
from seedmigrate.transforms.transformer import FixError, _apply_whole, _transform

#: A statement this many lines long or longer is only rewritten when an edit is in it.
_SHORT = 200


#: Statements libcst keeps on one line (``SimpleStatementLine``).
_SIMPLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Pass,
    ast.Delete,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Break,
    ast.Continue,
)


@dataclass(frozen=True)
class _Top:
    """A top-level statement of a long file, as the piecewise rewrite needs it."""

    start: int  # first line libcst gives it: the line after the previous statement
    first: int  # its own first line (decorators included)
    end: int  # its last line
    kind: str  # "import" (or a ``try`` of imports), "docstring", "simple", "compound"


def _layout(tree: ast.Module, shift: int = 0, previous_end: int = 0) -> list[_Top]:
    tops = []
    for index, stmt in enumerate(tree.body):
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        end = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
            isinstance(stmt, ast.Try)
            and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body)
        ):
            kind = "import"
        elif index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            kind = "docstring"
        elif isinstance(stmt, _SIMPLE) or isinstance(stmt, ast.Try):
            kind = "simple"
        else:
            kind = "compound"
        tops.append(_Top(previous_end + 1, first + shift, end + shift, kind))
        previous_end = end + shift
    return tops


def _import_block_end(tops: list[_Top]) -> int:
    """Index of the first top-level statement after the leading imports (as
    ``_after_imports_index`` counts them)."""
    index = 0
    for i, top in enumerate(tops):
        if top.kind == "import" or (i == 0 and top.kind == "docstring"):
            index = i + 1
        elif top.kind == "compound":
            break
    return index


def _windows(tops: list[_Top], marked: set[int]) -> list[tuple[int, int]]:
    """Runs of consecutive marked statements as ``(first, last)`` indexes; statements
    that share a line always land in the same run."""
    runs: list[list[int]] = []
    for index in sorted(marked):
        if runs and (index == runs[-1][1] + 1 or tops[index].first <= tops[runs[-1][1]].end):
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return [(first, last) for first, last in runs]


@dataclass
class _Piecewise:
    """One piecewise pass: the new text, its layout, the rewritten pieces' new trees (with
    the line they start after), their old line spans, and how the copied lines moved."""

    text: str
    tops: list[_Top]
    trees: list[tuple[int, ast.Module]]
    old_spans: list[tuple[int, int]]
    shifts: list[tuple[int, int, int]]  # (first old line, last old line, shift) of gaps

    def shift(self, line: int) -> int | None:
        """The new line of an old line that was copied (``None``: it was rewritten)."""
        for first, last, shift in self.shifts:
            if first <= line <= last:
                return line + shift
        return None


def _apply_windowed(text: str, edits: list[Edit], tree: ast.Module | None) -> str:
    if tree is None:
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            raise FixError(f"cannot parse the file: {exc.msg}") from exc
    lines = text.splitlines(keepends=True)
    tops = _layout(tree)
    if not tops or len(lines) < tops[-1].end:
        return _apply_whole(text, edits)  # line breaks ast and splitlines disagree on
    done = _piecewise(lines, tops, edits)
    # as _apply_whole does, a second pass removes the imports the first left unused: a
    # name's uses changed only in the rewritten pieces, so they alone are counted again
    total = _load_counts(tree)
    old_imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    delta: Counter[str] = Counter()
    for _, new_tree in done.trees:
        delta.update(_load_counts(new_tree))
    for first_line, last_line in done.old_spans:
        old = "".join(lines[first_line - 1 : last_line])
        delta.subtract(_load_counts(ast.parse(old)))
    imports: list[tuple[int, ast.Import | ast.ImportFrom]] = []
    for offset, new_tree in done.trees:
        imports += [
            (offset, n) for n in ast.walk(new_tree) if isinstance(n, (ast.Import, ast.ImportFrom))
        ]
    for node in old_imports:
        moved = done.shift(node.lineno)
        if moved is not None:
            imports.append((moved - node.lineno, node))
    new_lines = done.text.splitlines(keepends=True)
    cleanup = []
    for offset, node in imports:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        gone = [n for n in _bound_names(node) if total[n] > 0 and total[n] + delta[n] == 0]
        if not gone:
            continue
        line = node.lineno + offset
        col = len(new_lines[line - 1].encode("utf-8")[: node.col_offset].decode("utf-8"))
        if len(gone) == len(node.names):
            cleanup.append(Edit(EditKind.REMOVE, (line, col)))
        else:
            cleanup.extend(Edit(EditKind.REMOVE_IMPORT_NAME, (line, col), name=n) for n in gone)
    if not cleanup:
        return done.text
    return _piecewise(new_lines, done.tops, cleanup).text


def _newline_of(lines: list[str], start: int) -> str:
    """The line ending the file uses around line ``start`` (``\n`` by default)."""
    for line in lines[max(0, start - 2) : start + 1]:
        stripped = line.rstrip("\r\n")
        if stripped != line:
            return line[len(stripped) :]
    return "\n"


#: Edits addressed to the file's import block, not to a position.
_AT_IMPORTS = (EditKind.AFTER_IMPORTS, EditKind.REQUIRE_IMPORT)


def _piecewise(lines: list[str], tops: list[_Top], edits: list[Edit]) -> _Piecewise:
    """Rewrite the runs of top-level statements that hold ``edits``; copy the rest."""
    from bisect import bisect_right

    starts = [top.start for top in tops]
    marked: set[int] = set()
    for edit in edits:
        if edit.kind in _AT_IMPORTS:
            # the imports, and the statement after them (whose blank lines the new code
            # takes) unless it is a long one (a generated table): libcst never sees that
            end = _import_block_end(tops)
            # every statement scanned for imports (they may be interleaved with simple
            # ones), but never a long one after the last import (a generated table)
            marked.update(
                i
                for i in range(end)
                if tops[i].end - tops[i].start < _SHORT or tops[i].kind == "import"
            )
            if end < len(tops) and tops[end].end - tops[end].start < _SHORT:
                marked.add(end)
            marked.add(0)
        else:
            marked.add(max(0, bisect_right(starts, edit.pos[0]) - 1))
    pieces: list[str] = []
    new_tops: list[_Top] = []
    trees: list[tuple[int, ast.Module]] = []
    old_spans: list[tuple[int, int]] = []
    shifts: list[tuple[int, int, int]] = []  # (first old line, last old line, shift) of gaps
    copied = 0  # lines of the old text already copied
    new_line = 0  # lines of the new text written
    index = 0
    for first, last in _windows(tops, marked):
        start, end = tops[first].start, tops[last].end
        gap = lines[copied : start - 1]
        pieces.extend(gap)
        shift = new_line - copied
        shifts.append((copied + 1, start - 1, shift))
        new_tops += [
            _Top(t.start + shift, t.first + shift, t.end + shift, t.kind) for t in tops[index:first]
        ]
        new_line += len(gap)
        # A piece that is not the top of the file gets a ``pass`` line above it, so
        # libcst reads the lines above its first statement as that statement's (as in
        # the whole file), not as a module header; the line is dropped afterwards.
        above = 1 if start > 1 else 0
        inside = [
            e if e.kind in _AT_IMPORTS else replace(e, pos=(e.pos[0] - start + 1 + above, e.pos[1]))
            for e in edits
            if (e.kind in _AT_IMPORTS and first == 0) or start <= e.pos[0] <= end
        ]
        bare = last + 1 < len(tops) and tops[last + 1].first == tops[last + 1].start
        piece = "".join(lines[start - 1 : end])
        dummy = "pass" + _newline_of(lines, start) if above else ""
        code = _transform(dummy + piece, inside, blank_tail=bare)
        if not code.startswith(dummy):
            raise FixError("internal: the piece lost its first line")
        code = code[len(dummy) :]
        try:
            new_tree = ast.parse(code)
        except SyntaxError as exc:
            raise FixError(f"the fixed code does not parse: {exc.msg}") from exc
        trees.append((new_line, new_tree))
        old_spans.append((start, end))
        new_tops += _layout(new_tree, shift=new_line, previous_end=new_line)
        pieces.append(code)
        new_line += len(code.splitlines(keepends=True))
        copied = end
        index = last + 1
    gap = lines[copied:]
    pieces.extend(gap)
    shift = new_line - copied
    shifts.append((copied + 1, len(lines), shift))
    new_tops += [
        _Top(t.start + shift, t.first + shift, t.end + shift, t.kind) for t in tops[index:]
    ]
    # as libcst counts them: a statement's lines start after the previous one's end
    new_tops = [
        replace(top, start=new_tops[i - 1].end + 1 if i else 1) for i, top in enumerate(new_tops)
    ]
    return _Piecewise("".join(pieces), new_tops, trees, old_spans, shifts)
