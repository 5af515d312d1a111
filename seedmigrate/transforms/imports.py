"""Imports: where new ones go, and the ones a migration leaves unused."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

import libcst as cst

from seedmigrate.analysis.model import Edit, EditKind
from seedmigrate.transforms.statements import _is_docstring


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found = True


def _first_use(body: Sequence[cst.BaseStatement], name: str) -> int:
    """Index of the first module-level statement that runs code naming ``name``."""
    for i, stmt in enumerate(body):
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        finder = _NameFinder(name)
        stmt.visit(finder)
        if finder.found:
            return i
    return len(body)


def _is_import_line(stmt: cst.BaseStatement | cst.BaseSmallStatement) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, cst.Try):
        return all(_is_import_line(s) for s in stmt.body.body)
    return False


def _after_imports_index(body: Sequence[cst.BaseStatement]) -> int:
    """Index just after the file's leading imports (docstring and ``__future__`` included);
    simple statements between imports (a masked ``%matplotlib inline``) do not end them,
    a function, class or compound statement does."""
    index = 0
    for i, stmt in enumerate(body):
        if _is_import_line(stmt):
            index = i + 1
        elif i == 0 and _is_docstring(stmt):
            index = 1
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or (
            not isinstance(stmt, cst.SimpleStatementLine) and not isinstance(stmt, cst.Try)
        ):
            break
    return index


def _bound_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    names = []
    for alias in node.names:
        if alias.name == "*":
            continue
        names.append(alias.asname or alias.name.split(".")[0])
    return names


def _load_counts(tree: ast.AST) -> Counter[str]:
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            counts[node.id] += 1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            counts[node.value] += 1  # ``__all__`` entries and string annotations
    return counts


def unused_import_edits(before: str, after: str) -> list[Edit]:
    """Edits removing imports that the migration left unused (``import random`` once
    ``random.seed`` is gone), so that the user's linter stays quiet. An import that was
    unused before is not touched: that is not ours to clean up.
    """
    old, new = _load_counts(ast.parse(before)), ast.parse(after)
    now = _load_counts(new)
    lines = after.splitlines(keepends=True)
    edits = []
    for node in ast.walk(new):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        names = _bound_names(node)
        gone = [n for n in names if old[n] > 0 and now[n] == 0]
        if not gone:
            continue
        col = len(lines[node.lineno - 1].encode("utf-8")[: node.col_offset].decode("utf-8"))
        pos = (node.lineno, col)
        if len(gone) == len(node.names):
            edits.append(Edit(EditKind.REMOVE, pos))
        else:
            edits.extend(Edit(EditKind.REMOVE_IMPORT_NAME, pos, name=n) for n in gone)
    return edits
