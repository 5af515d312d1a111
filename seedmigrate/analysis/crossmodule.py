"""One file's view of its project (:mod:`seedmigrate.analysis.project`): what the
seeding helpers and argument parsers it uses from other modules do, and what the entry
scripts that run its functions will do.

The rules ask it three kinds of question:

- *entry script side*: is ``utils.fix_random_seeds(args.seed)`` a project helper that
  seeds (then it is a seeding site: its seed reaches ``init``, and a call of a helper
  that only seeds goes)? Is ``args = parse_args()`` a project function that parses the
  arguments, and where is its seed option?
- *library side*: is every entry script that runs this function migrated to
  ``seeder.init`` (then seeding lines inside it can go: that ``init`` covers them)? Is
  this parser's seed option read by such an entry script (then its default can become
  ``None``)? Is this only-seeding helper called anywhere any more?
- *what cannot be seen*: why a call does not resolve (outside the project, a star or
  dynamic import), for SEED019.

Without a view (one file, no project), the rules keep their single-file behaviour.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from seedmigrate.analysis.names import dotted_name
from seedmigrate.analysis.project import (
    ArgparseFunction,
    ProjectIndex,
    SeedingHelper,
    Symbol,
    Unresolvable,
)

#: What SEED019 still reports: helpers that truly cannot be seen.
UNSEEABLE = frozenset({"outside_project", "star_import", "dynamic_import"})


def _strip_positions(node: ast.AST) -> ast.AST:
    for sub in ast.walk(node):
        for name in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            if hasattr(sub, name):
                delattr(sub, name)
    return node


@dataclass(frozen=True)
class HelperCall:
    """A call of a project seeding helper from another module, with the seed it passes
    (``None``: the helper has no seed parameter, or the call does not pass one)."""

    call: ast.Call
    helper: SeedingHelper
    seed: ast.expr | None


@dataclass
class ProjectView:
    """The project as seen from the file at ``path``.

    ``initialising``: the entry scripts (module names) that call, or after this run
    will call, ``seeder.init``.
    """

    index: ProjectIndex
    path: Path
    initialising: frozenset[str] = frozenset()
    #: The project as it was before the entry scripts were migrated (which entry
    #: scripts ran a function then); ``index`` is as they leave it.
    origin: ProjectIndex | None = None
    #: Whether a rule asked anything (the file's findings then depend on other files).
    consulted: bool = False
    _symbols: dict[str, Symbol | None] = field(default_factory=dict, repr=False)

    @property
    def module(self) -> str | None:
        return self.index.module_name(self.path)

    @property
    def is_entry_script(self) -> bool:
        return self.index.is_entry_script(self.path)

    def label(self, symbol: Symbol) -> str:
        """``utils.py:7`` (relative to the project root when possible)."""
        try:
            shown = symbol.path.relative_to(self.index.root)
        except ValueError:
            shown = symbol.path
        return f"{shown}:{symbol.line}"

    # -- entry script side -------------------------------------------------------------

    def resolve(self, call: ast.Call) -> Symbol | None:
        """The project function ``call`` calls, in another module (else ``None``)."""
        self.consulted = True
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        if dotted not in self._symbols:  # by name: the view serves several texts of a file
            symbol = self.index.resolve_call(self.path, dotted)
            if symbol is not None and symbol.path == self.path:
                symbol = None  # this file's own functions: the single-file analysis
            self._symbols[dotted] = symbol
        return self._symbols[dotted]

    def helper_call(self, call: ast.Call) -> HelperCall | None:
        """``call`` as a call of another module's seeding helper, if it is one."""
        symbol = self.resolve(call)
        helper = self.index.seeding_helper(symbol) if symbol is not None else None
        if helper is None or helper.per_worker:
            return None
        return HelperCall(call, helper, _seed_argument(call, helper))

    def argparse(self, call: ast.Call) -> ArgparseFunction | None:
        """``call`` as a call of another module's function that parses the arguments."""
        symbol = self.resolve(call)
        function = self.index.argparse_function(symbol) if symbol is not None else None
        if function is None or function.returns != "args":
            return None
        return function

    def unresolvable(self, call: ast.Call) -> Unresolvable | None:
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        self.consulted = True
        return self.index.unresolvable_reason(self.path, dotted)

    # -- library side ------------------------------------------------------------------

    def symbol_of(self, function: ast.AST, ctx=None) -> Symbol | None:
        """This file's function ``function`` as a project symbol, by its qualified name
        (``Trainer.fit``), so a text that moved lines still finds it."""
        module = self.module
        if module is None or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        qualname = _qualname(function, ctx)
        for symbol in self._own_symbols():
            if symbol.qualname == qualname or (qualname is None and symbol.name == function.name):
                return symbol
        return None

    def _own_symbols(self) -> list[Symbol]:
        summary = self.index._summary(self.path)  # noqa: SLF001 - the index's own summary
        module = self.module
        if summary is None or module is None:
            return []
        return [
            Symbol(module, qualname, self.path, info.span[0])
            for qualname, info in summary.functions.items()
        ]

    def run_by_initialising_entries(self, function: ast.AST, ctx=None) -> bool:
        """Every entry script that runs ``function`` calls ``seeder.init`` (and at least
        one does): seeding inside it is covered by that ``init``."""
        self.consulted = True
        symbol = self.symbol_of(function, ctx)
        if symbol is None:
            return False
        index = self.origin or self.index
        if index.started_in_new_process(symbol) is not None:
            return False  # the entry's init ran in the parent, not in that process
        entries = index.entry_scripts_reaching(symbol)
        return bool(entries) and all(entry in self.initialising for entry in entries)

    def started_in_new_process(self, function: ast.AST, ctx=None):
        """The call that runs ``function`` (or a caller of it) in a new process, as a
        :class:`CallEdge`, or ``None``."""
        self.consulted = True
        symbol = self.symbol_of(function, ctx)
        if symbol is None:
            return None
        return (self.origin or self.index).started_in_new_process(symbol)

    def mentioned_elsewhere(self, name: str) -> bool:
        """Another module of the project imports or uses ``name`` (from this module or
        any other: the index's text search, so nothing that might be is missed)."""
        if self.module is None:
            return True  # not a module of the project: assume it is used
        self.consulted = True
        return bool(self.index._grep({name}) - {self.path})  # noqa: SLF001

    def callers(self, function: ast.AST, ctx=None) -> tuple | None:
        """Every call of ``function`` in the project (``None``: not a project symbol)."""
        symbol = self.symbol_of(function, ctx)
        return None if symbol is None else self.index.callers(symbol)


def _qualname(function: ast.AST, ctx) -> str | None:
    """``Outer.method`` / ``outer.<locals>.inner`` of a function (``None`` without the
    file's context to find its enclosing classes and functions)."""
    if ctx is None:
        return None
    parts = [function.name]  # type: ignore[attr-defined]
    for ancestor in ctx.ancestors(function):
        if isinstance(ancestor, ast.ClassDef):
            parts.append(ancestor.name)
        elif isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(f"{ancestor.name}.<locals>")
    return ".".join(reversed(parts))


def _seed_argument(call: ast.Call, helper: SeedingHelper) -> ast.expr | None:
    """The expression ``call`` passes as the helper's seed (``args.seed`` when the helper
    reads ``args.seed`` from its ``args`` parameter)."""
    param = helper.seed_param
    if param is None:
        return None
    argument: ast.expr | None = None
    for keyword in call.keywords:
        if keyword.arg == param.name:
            argument = keyword.value
    if argument is None and param.index is not None:
        index = param.index
        if helper.symbol.qualname.count(".") and isinstance(call.func, ast.Attribute):
            index -= 1  # ``obj.method(seed)``: ``self`` is not in the call
        plain = [a for a in call.args if not isinstance(a, ast.Starred)]
        if 0 <= index < len(plain) and len(plain) == len(call.args[: index + 1]):
            argument = plain[index]
    if argument is None:
        return None
    if param.attribute:
        text = f"{ast.unparse(argument)}.{param.attribute}"
        return _strip_positions(ast.parse(text, mode="eval").body)  # type: ignore[return-value]
    return argument
