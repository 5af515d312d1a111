"""Fixes: apply the analysis's edits to a file in one libcst pass.

Every edit names its node by position (see :mod:`seedmigrate.analysis.model`), so no
name is resolved again here and only :class:`~libcst.metadata.PositionProvider` is
computed. Statements are added and removed at the level of the block that holds them,
which is where comments and blank lines live in libcst: a removed statement's own
comment lines move to the next statement, so no comment is lost.
"""

from __future__ import annotations

import ast
import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from seedmigrate.analysis.model import Edit, EditKind, Pos


class FixError(Exception):
    """The edits could not be applied (a position matched nothing, or output is invalid)."""


def _statements(code: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(code).body)


def _has_comment(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is not None for line in lines)


class _ApplyEdits(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: Iterable[Edit], *, blank_tail: bool = False) -> None:
        super().__init__()
        self.blank_tail = blank_tail
        self.by_kind: dict[EditKind, dict[Pos, list[Edit]]] = defaultdict(lambda: defaultdict(list))
        self.after_imports: list[Edit] = []
        self.pending: set[Edit] = set()
        self.emptied: set[int] = set()  # ``pass`` lines standing in for removed code
        self.outermost_call: dict[Pos, int] = {}
        for edit in dict.fromkeys(edits):  # de-duplicated, order kept
            if edit.kind == EditKind.AFTER_IMPORTS:
                self.after_imports.append(edit)
            else:
                self.by_kind[edit.kind][edit.pos].append(edit)
                self.pending.add(edit)

    # -- helpers ---------------------------------------------------------------------

    def _pos(self, node: cst.CSTNode) -> Pos:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column

    def _take(self, kind: EditKind, pos: Pos) -> list[Edit]:
        edits = self.by_kind.get(kind, {}).get(pos, [])
        self.pending.difference_update(edits)
        return edits

    def _keys(self, stmt: cst.CSTNode) -> list[Pos]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return [self._pos(small) for small in stmt.body]
        return [self._pos(stmt)]

    # -- blocks: remove / insert statements -----------------------------------------

    def _rewrite_block(
        self, originals: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """New statements for a block, plus comment lines left over at its end."""
        result: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        removed_earlier = False
        for original, new in zip(originals, updated, strict=True):
            keys = self._keys(original)
            removed = {pos for pos in keys if self._take(EditKind.REMOVE, pos)}
            whole = len(removed) == len(keys)
            before = [
                s
                for pos in keys
                for e in self._take(EditKind.INSERT_BEFORE, pos)
                for s in _statements(e.code)
            ]
            if before:
                if carry:
                    before[0] = _with_leading(before[0], carry)
                    carry = []
                # New code takes the place of what it precedes, with its blank lines (and,
                # when that statement goes, its comments too).
                if whole or not _has_comment(new.leading_lines):
                    before[0], new = _move_leading(new, before[0])
                result.extend(before)
            kept: cst.BaseStatement | None = new
            if removed:
                if not whole:
                    smalls = [
                        s for s, pos in zip(new.body, keys, strict=True) if pos not in removed
                    ]
                    smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                    kept = new.with_changes(body=smalls)
                else:
                    kept = None
                    # every comment survives: the statement's own lines above it, and
                    # those inside it (``# why`` at the end of a line, in an ``if`` body)
                    leading = [*new.leading_lines, *_inner_comments(new)]
                    if _has_comment(leading) or (leading and not carry and result):
                        carry.extend(leading)
            if kept is not None:
                if carry:
                    kept = _with_leading(kept, carry)
                    carry = []
                if not result and removed_earlier:
                    kept = _strip_leading_blanks(kept)  # no blank line at the block's top
                result.append(kept)
            removed_earlier = removed_earlier or whole
            for pos in keys:
                for edit in self._take(EditKind.INSERT_AFTER, pos):
                    statements = _statements(edit.code)
                    if carry:
                        statements[0] = _with_leading(statements[0], carry)
                        carry = []
                    result.extend(statements)
        return result, carry

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        """``if f(): torch.manual_seed(1)``: the body on the header's line."""
        keys = [self._pos(small) for small in original_node.body]
        removed = {pos for pos in keys if self._take(EditKind.REMOVE, pos)}
        if not removed:
            return updated_node
        kept = [s for s, pos in zip(updated_node.body, keys, strict=True) if pos not in removed]
        if not kept:
            kept = [cst.Pass()]
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=kept)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, carry = self._rewrite_block(original_node.body, updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=carry)]
            self.emptied.add(id(body[0]))
            carry = []
        elif carry and _has_comment(carry):
            return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, carry = self._rewrite_block(original_node.body, updated_node.body)
        if self.after_imports:
            index = _after_imports_index(body)
            new: list[cst.BaseStatement] = []
            imports = [e for e in self.after_imports if e.code.startswith(("import ", "from "))]
            for edit in imports:
                # never below the first module-level statement that uses it (``np.random
                # .seed(0)`` between two imports became ``seeder.init(...)``)
                alias = edit.code.rsplit(" ", 1)[-1]
                index = min(index, _first_use(body, alias))
            others = [
                s for e in self.after_imports if e not in imports for s in _statements(e.code)
            ]
            for edit in imports:
                new.extend(_statements(edit.code))
            if others and index < len(body):
                if _has_comment(body[index].leading_lines):
                    # ``# Model parameters`` stays with its statement; the new lines get
                    # the same blank-line separation above them
                    blanks = []
                    for line in body[index].leading_lines:
                        if line.comment is not None:
                            break
                        blanks.append(line)
                    others[0] = others[0].with_changes(leading_lines=blanks)
                else:
                    others[0], body[index] = _move_leading(body[index], others[0])
            body = [*body[:index], *new, *others, *body[index:]]
        # blank lines left by a removal at the end: the next statement's, when this module
        # is a piece of a longer file whose next statement has no blank lines of its own
        if _has_comment(carry) or (carry and self.blank_tail):
            footer = [*carry, *updated_node.footer]
        else:
            footer = updated_node.footer
        return updated_node.with_changes(body=body, footer=footer)

    # -- compound statements: prepend to their body ---------------------------------

    def _prepend(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        edits = self._take(EditKind.PREPEND_BODY, self._pos(original))
        if not edits:
            return updated
        statements = [s for e in edits for s in _statements(e.code)]
        body = updated.body  # type: ignore[attr-defined]
        if isinstance(body, cst.SimpleStatementSuite):
            line = cst.SimpleStatementLine(body=body.body)
            return updated.with_changes(body=cst.IndentedBlock(body=[*statements, line]))
        inner = list(body.body)
        at = 1 if inner and _is_docstring(inner[0]) and isinstance(updated, cst.FunctionDef) else 0
        return updated.with_changes(
            body=body.with_changes(body=[*inner[:at], *statements, *inner[at:]])
        )

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        return self._prepend(original_node, updated_node)  # type: ignore[return-value]

    def leave_While(self, original_node: cst.While, updated_node: cst.While) -> cst.While:
        return self._prepend(original_node, updated_node)  # type: ignore[return-value]

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return self._prepend(original_node, updated_node)  # type: ignore[return-value]

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        orelse = updated_node.orelse
        if (
            isinstance(orelse, cst.Else)
            and isinstance(orelse.body, cst.IndentedBlock)
            and len(orelse.body.body) == 1
            and id(orelse.body.body[0]) in self.emptied
            and not _has_comment(orelse.body.body[0].leading_lines)
        ):
            updated_node = updated_node.with_changes(orelse=None)  # ``else: pass`` says nothing
        return self._prepend(original_node, updated_node)  # type: ignore[return-value]

    # -- expressions -----------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        # ``build_model().fit(x)``: both calls start where ``build_model`` does; an edit
        # addressed there is the outer call's (visited first), never the inner one's
        self.outermost_call.setdefault(self._pos(node), id(node))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        pos = self._pos(original_node)
        if self.outermost_call.get(pos) != id(original_node):
            return updated_node
        args = list(updated_node.args)
        for edit in self._take(EditKind.SET_POSITIONAL, pos):
            args[edit.index] = args[edit.index].with_changes(value=cst.parse_expression(edit.code))
        for edit in self._take(EditKind.SET_KEYWORD, pos):
            value = cst.parse_expression(edit.code)
            for i, arg in enumerate(args):
                if arg.keyword is not None and arg.keyword.value == edit.name:
                    args[i] = arg.with_changes(value=value)
                    break
            else:
                new = cst.Arg(
                    value=value,
                    keyword=cst.Name(edit.name),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
                insert_at = next((i for i, a in enumerate(args) if a.star == "**"), len(args))
                args = _append_item(args, new, updated_node.whitespace_before_args, insert_at)
        return updated_node.with_changes(args=args)

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        edits = self._take(EditKind.APPEND_ELEMENT, self._pos(original_node))
        if not edits:
            return updated_node
        elements = list(updated_node.elements)
        for edit in edits:
            new = cst.Element(value=cst.parse_expression(edit.code))
            elements = _append_item(
                elements, new, updated_node.lbracket.whitespace_after, len(elements)
            )
        return updated_node.with_changes(elements=elements)

    # -- imports ---------------------------------------------------------------------

    def _drop_aliases(self, original: cst.CSTNode, updated):
        drop = {e.name for e in self._take(EditKind.REMOVE_IMPORT_NAME, self._pos(original))}
        if not drop or isinstance(updated.names, cst.ImportStar):
            return updated
        names = list(updated.names)
        kept = [a for a in names if (a.evaluated_alias or a.evaluated_name) not in drop]
        if kept and kept[-1] is not names[-1]:
            kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
        return updated.with_changes(names=kept)

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        updated_node = self._drop_aliases(original_node, updated_node)
        edits = self._take(EditKind.RENAME_IMPORT, self._pos(original_node))
        if not edits:
            return updated_node
        names = []
        for alias in updated_node.names:
            dotted = cst.helpers.get_full_name_for_node(alias.name)
            for edit in edits:
                if dotted == edit.name:
                    alias = alias.with_changes(name=cst.parse_expression(edit.code))
            names.append(alias)
        return updated_node.with_changes(names=names)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        updated_node = self._drop_aliases(original_node, updated_node)
        edits = self._take(EditKind.RENAME_IMPORT, self._pos(original_node))
        if not edits or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        module = cst.helpers.get_full_name_for_node(updated_node.module)
        node = updated_node
        names = list(updated_node.names)
        for i, alias in enumerate(names):
            full = f"{module}.{cst.helpers.get_full_name_for_node(alias.name)}"
            for edit in edits:
                if full == edit.name:
                    parent, _, leaf = edit.code.rpartition(".")
                    node = node.with_changes(module=cst.parse_expression(parent))
                    names[i] = alias.with_changes(name=cst.Name(leaf))
        return node.with_changes(names=names)


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _with_leading(stmt: cst.BaseStatement, lines: list[cst.EmptyLine]) -> cst.BaseStatement:
    own = list(stmt.leading_lines)
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
    collector = _CommentCollector(stmt.leading_lines)
    stmt.visit(collector)
    return [
        cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""), comment=comment)
        for comment in collector.found
    ]


def _strip_leading_blanks(stmt: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(stmt.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return stmt.with_changes(leading_lines=lines)


def _move_leading(
    source: cst.BaseStatement, target: cst.BaseStatement
) -> tuple[cst.BaseStatement, cst.BaseStatement]:
    """Give ``source``'s leading lines to ``target``; returns (target, source) updated."""
    lines = list(source.leading_lines)
    if not lines:
        return target, source
    target = target.with_changes(leading_lines=[*lines, *target.leading_lines])
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
    changes = {"comma": separator}
    if isinstance(last, cst.Arg) and not after:
        # ``fit(\n    x, y\n)``: the newline before ``)`` follows the new last argument
        new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        changes["whitespace_after_arg"] = cst.SimpleWhitespace("")
    before[-1] = last.with_changes(**changes)
    return [*before, new, *after]


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


def _is_import_line(stmt: cst.BaseStatement) -> bool:
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


def restore_form_feeds(before: str, after: str) -> str:
    """``after`` with the form feeds libcst dropped put back on the lines it kept.

    libcst does not round-trip a form feed at the start of a statement's line
    (``\\fdef f():`` comes back as ``def f():``), so lines an edit did not touch would
    change. Every line of ``after`` that is a line of ``before`` without its form feeds,
    in the same place of the diff, is given back its form feeds.
    """
    if "\f" not in before:
        return after
    from seedmigrate.output.diff import split_lines

    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(
        None,
        [line.replace("\f", "") for line in old],
        [line.replace("\f", "") for line in new],
        autojunk=False,
    )
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            new[j1 : j1 + i2 - i1] = old[i1:i2]
    return "".join(new)


#: Files at least this long are rewritten piecewise (see :func:`apply_edits`).
WINDOWED_FROM = 200_000  # characters
#: A statement this many lines long or longer is only rewritten when an edit is in it.
_SHORT = 200


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


def _transform(text: str, edits: list[Edit], *, blank_tail: bool = False) -> str:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise FixError(f"libcst cannot parse the file: {exc.message}") from exc
    transformer = _ApplyEdits(edits, blank_tail=blank_tail)
    new = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
    if transformer.pending:
        missing = sorted(transformer.pending, key=lambda e: e.pos)[0]
        raise FixError(f"internal: no node for {missing.kind} at {missing.pos}")
    if not new.body and not new.header and not new.footer:
        return ""  # every statement went (libcst would still write a newline)
    return restore_form_feeds(text, new.code)


def _apply_whole(text: str, edits: list[Edit]) -> str:
    result = _transform(text, edits)
    try:
        cleanup = unused_import_edits(text, result)
    except SyntaxError as exc:
        raise FixError(f"the fixed code does not parse: {exc.msg}") from exc
    return _apply_whole(result, cleanup) if cleanup else result


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


def _piecewise(lines: list[str], tops: list[_Top], edits: list[Edit]) -> _Piecewise:
    """Rewrite the runs of top-level statements that hold ``edits``; copy the rest."""
    from bisect import bisect_right

    starts = [top.start for top in tops]
    marked: set[int] = set()
    for edit in edits:
        if edit.kind == EditKind.AFTER_IMPORTS:
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
            e
            if e.kind == EditKind.AFTER_IMPORTS
            else replace(e, pos=(e.pos[0] - start + 1 + above, e.pos[1]))
            for e in edits
            if (e.kind == EditKind.AFTER_IMPORTS and first == 0) or start <= e.pos[0] <= end
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
