"""The one libcst pass that applies a file's edits (every :class:`EditKind`).

Every edit names its node by position, so no name is resolved again here and only
:class:`~libcst.metadata.PositionProvider` is computed. Statements are added and
removed at the level of the block that holds them (see ``transforms.statements``).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from seedmigrate.analysis.model import Edit, EditKind, Pos
from seedmigrate.transforms.imports import _after_imports_index, _first_use, unused_import_edits
from seedmigrate.transforms.statements import (
    _append_item,
    _has_comment,
    _inner_comments,
    _is_docstring,
    _move_leading,
    _statements,
    _strip_leading_blanks,
    _with_leading,
    leading,
)


class FixError(Exception):
    """The edits could not be applied (a position matched nothing, or output is invalid)."""


class _ApplyEdits(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: Iterable[Edit], *, blank_tail: bool = False) -> None:
        super().__init__()
        self.blank_tail = blank_tail
        self.by_kind: dict[EditKind, dict[Pos, list[Edit]]] = defaultdict(lambda: defaultdict(list))
        self.after_imports: list[Edit] = []
        #: ``import <module> as <alias>`` lines the fixes asked for, each once
        self.required_imports: dict[tuple[str, str], None] = {}
        self.pending: set[Edit] = set()
        self.emptied: set[int] = set()  # ``pass`` lines standing in for removed code
        self.outermost_call: dict[Pos, int] = {}
        for edit in dict.fromkeys(edits):  # de-duplicated, order kept
            if edit.kind == EditKind.AFTER_IMPORTS:
                self.after_imports.append(edit)
            elif edit.kind == EditKind.REQUIRE_IMPORT:
                self.required_imports[(edit.code, edit.name)] = None
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
                if whole or not _has_comment(leading(new)):
                    before[0], new = _move_leading(new, before[0])
                result.extend(before)
            kept: cst.BaseStatement | None = new
            if removed:
                if not whole:
                    assert isinstance(new, cst.SimpleStatementLine)  # several keys: small ones
                    smalls = [
                        s for s, pos in zip(new.body, keys, strict=True) if pos not in removed
                    ]
                    smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                    kept = new.with_changes(body=smalls)
                else:
                    kept = None
                    # every comment survives: the statement's own lines above it, and
                    # those inside it (``# why`` at the end of a line, in an ``if`` body)
                    above = [*leading(new), *_inner_comments(new)]
                    if _has_comment(above) or (above and not carry and result):
                        carry.extend(above)
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
        if self.after_imports or self.required_imports:
            index = _after_imports_index(body)
            new: list[cst.BaseStatement] = []
            for module, alias in self.required_imports:
                # never below the first module-level statement that uses it (``np.random
                # .seed(0)`` between two imports became ``seeder.init(...)``)
                index = min(index, _first_use(body, alias or module.split(".")[0]))
                statement = f"import {module} as {alias}\n" if alias else f"import {module}\n"
                new.extend(_statements(statement))
            others = [s for e in self.after_imports for s in _statements(e.code)]
            if others and index < len(body):
                if _has_comment(leading(body[index])):
                    # ``# Model parameters`` stays with its statement; the new lines get
                    # the same blank-line separation above them
                    blanks = []
                    for line in leading(body[index]):
                        if line.comment is not None:
                            break
                        blanks.append(line)
                    others[0] = others[0].with_changes(leading_lines=blanks)
                else:
                    others[0], body[index] = _move_leading(body[index], others[0])
            body = [*body[:index], *new, *others, *body[index:]]
        # blank lines left by a removal at the end: the next statement's, when this module
        # is a piece of a longer file whose next statement has no blank lines of its own
        footer: Sequence[cst.EmptyLine] = updated_node.footer
        if _has_comment(carry) or (carry and self.blank_tail):
            footer = [*carry, *updated_node.footer]
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
            and not _has_comment(leading(orelse.body.body[0]))
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
        module = (
            cst.helpers.get_full_name_for_node(updated_node.module)
            if updated_node.module is not None
            else None
        )
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


def restore_form_feeds(before: str, after: str) -> str:
    """``after`` with the form feeds libcst dropped put back on the lines it kept.

    libcst does not round-trip a form feed at the start of a statement's line
    (``\\fdef f():`` comes back as ``def f():``), so lines an edit did not touch would
    change. Every line of ``after`` that is a line of ``before`` without its form feeds,
    in the same place of the diff, is given back its form feeds.
    """
    if "\f" not in before:
        return after
    from seedmigrate.files import split_lines

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
