"""Statements in libcst: parse new code, keep comment and blank lines where they belong.

In libcst the comment and blank lines above a statement are its ``leading_lines``;
these helpers move them when a statement is added in front of another or removed,
so that no comment is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst


def _statements(code: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(code).body)


def _has_comment(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is not None for line in lines)


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def leading(stmt: cst.CSTNode) -> Sequence[cst.EmptyLine]:
    """The comment and blank lines above a statement (``()`` for a node without any:
    ``BaseStatement`` does not declare them, its two kinds do)."""
    return getattr(stmt, "leading_lines", ())


def _with_leading(stmt: cst.BaseStatement, lines: list[cst.EmptyLine]) -> cst.BaseStatement:
    own = list(leading(stmt))
    if not _has_comment(lines) and own:
        return stmt  # it already has its own separation
    return stmt.with_changes(leading_lines=[*lines, *own])


class _CommentCollector(cst.CSTVisitor):
    def __init__(self, skip: Sequence[cst.EmptyLine]) -> None:
        super().__init__()
        self.skip = {id(line.comment) for line in skip if line.comment is not None}
        self.found: list[cst.Comment] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        if id(node) not in self.skip:
            self.found.append(node)


def _inner_comments(stmt: cst.BaseStatement) -> list[cst.EmptyLine]:
    """The comments inside a statement that goes (not those on the lines above it), as
    comment lines to keep in its place."""
    collector = _CommentCollector(leading(stmt))
    stmt.visit(collector)
    return [
        cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""), comment=comment)
        for comment in collector.found
    ]


def _strip_leading_blanks(stmt: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(leading(stmt))
    while lines and lines[0].comment is None:
        lines.pop(0)
    return stmt.with_changes(leading_lines=lines)


def _move_leading(
    source: cst.BaseStatement, target: cst.BaseStatement
) -> tuple[cst.BaseStatement, cst.BaseStatement]:
    """Give ``source``'s leading lines to ``target``; returns (target, source) updated."""
    lines = list(leading(source))
    if not lines:
        return target, source
    target = target.with_changes(leading_lines=[*lines, *leading(target)])
    return target, source.with_changes(leading_lines=[])


def _append_item(items: list, new, open_whitespace, index: int) -> list:
    """Insert ``new`` at ``index`` of a comma-separated list, in the list's own layout."""
    if not items:
        return [new]
    before = items[:index]
    after = items[index:]
    if not before:
        return [
            new.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            *after,
        ]
    last = before[-1]
    if len(before) >= 2 and isinstance(before[-2].comma, cst.Comma):
        separator = before[-2].comma
    elif isinstance(open_whitespace, cst.ParenthesizedWhitespace):
        separator = cst.Comma(whitespace_after=open_whitespace)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):
        new = new.with_changes(comma=last.comma)
    elif after:
        new = new.with_changes(comma=separator)
    changes: dict[str, Any] = {"comma": separator}
    if isinstance(last, cst.Arg) and not after:
        # ``fit(\n    x, y\n)``: the newline before ``)`` follows the new last argument
        new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        changes["whitespace_after_arg"] = cst.SimpleWhitespace("")
    before[-1] = last.with_changes(**changes)
    return [*before, new, *after]
