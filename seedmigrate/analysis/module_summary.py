"""What the project index needs from one module, computed from that file's text alone.

A :class:`ModuleSummary` is the per-file half of :mod:`seedmigrate.analysis.project`:
one stdlib ``ast`` walk records the module's bindings (imports, relative imports,
definitions, aliases), its star and dynamic imports, and for every function its calls,
the shape of its body (which statements could be seeding statements), the seed
arguments it passes, and its argparse facts. Nothing here looks at another file or at
the file system, so a summary is keyed by the file's content alone, cached as JSON
(:meth:`ModuleSummary.to_json`) and computed in any worker process. Names are *not*
resolved here: the cross-file linking step in ``project.py`` does that.

Positions are 1-based lines and 0-based columns counted in characters (libcst's, as
:class:`seedmigrate.analysis.model.Edit` uses); ``ast``'s byte offsets are converted.
The records are plain dataclasses (the most numerous ones slotted and not frozen, as a
warm rebuild creates them by the thousand from the cache): treat them as read-only.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from seedmigrate.analysis.context import source_lines
from seedmigrate.analysis.names import child_fields

#: Bump when the summary's content or JSON layout changes: cached summaries of an
#: older format are recomputed.
SUMMARY_FORMAT = 1

#: ``(line, col, end_line, end_col)``, columns in characters.
Span = tuple[int, int, int, int]

BUILTIN_NAMES = frozenset(dir(builtins))

#: A name or attribute that holds a process rank (``rank``, ``args.local_rank``...).
RANK_NAME = re.compile(
    r"^(?:local_|global_|node_|process_|gpu_|dist_|world_)?rank(?:_id)?$"
    r"|^(?:local_)?process_index$|^proc_?id$",
    re.IGNORECASE,
)
#: Calls that return a rank (``dist.get_rank()``, ``hvd.local_rank()``, ``xm.get_ordinal()``).
RANK_CALLS = frozenset(
    {
        "get_rank",
        "get_local_rank",
        "get_global_rank",
        "get_node_rank",
        "rank",
        "local_rank",
        "get_ordinal",
        "get_local_ordinal",
        "process_index",
    }
)
#: Environment variables holding a rank (``int(os.environ["RANK"])``).
RANK_ENV = re.compile(r"RANK|PROCID", re.IGNORECASE)
#: Calls a seeding guard may make without side effects (``SeedingAnalysis._pure_test``).
PURE_CALLS = frozenset({"is_available", "device_count", "len", "isinstance", "hasattr"})
#: Seed-flag targets (``args.seed``, ``manualSeed``): ``seeding.SEED_NAME``.
_SEED_TARGET = re.compile(r"^(random_?|manual_?|global_?|master_?)?seed$", re.IGNORECASE)
_LOG_CALL = re.compile(r"(^|\.)(print|pprint|log|logger|logging|warn|warnings)(\.|$)|^log", re.I)
_PARSE_METHODS = frozenset({"parse_args", "parse_known_args"})
_GROUP_METHODS = frozenset({"add_argument_group", "add_mutually_exclusive_group"})
_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "import_module", "__import__"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
#: Node class -> the fields that may hold child nodes (``ctx`` left out).
_EXPR_FIELDS: dict[type, tuple[str, ...]] = {}


# -- the records ---------------------------------------------------------------------


@dataclass(slots=True)
class Binding:
    """What a name is bound to in a scope.

    ``kind`` is one of ``import`` (``import a.b as c``: ``module`` is ``a.b``;
    ``import a.b``: the name ``a`` gets ``module`` ``a``), ``from`` (``from .m import n``:
    ``level``, ``module``, ``name``), ``def`` / ``class`` (``name`` is the qualname),
    ``alias`` (``f = utils.set_seed``: ``name`` is the dotted expression), ``dynamic``
    (``m = importlib.import_module(...)``) or ``other`` (anything else).
    """

    kind: str
    line: int
    module: str = ""
    name: str = ""
    level: int = 0

    def to_json(self) -> list:
        return [self.kind, self.line, self.module, self.name, self.level]

    @classmethod
    def from_json(cls, data: list) -> Binding:
        return cls(*data)


@dataclass(frozen=True)
class Term:
    """One ``+``-separated part of a seed expression (``seed + rank`` has two).

    ``kind``: ``rank`` (holds a process rank), ``name`` (``seed``), ``attr``
    (``args.seed``: ``value`` is the dotted name), ``const`` (``42``) or ``other``.
    ``names`` are the plain names the term reads (heads of attributes included).
    """

    kind: str
    value: str
    text: str
    span: Span
    names: tuple[str, ...] = ()

    def to_json(self) -> list:
        return [self.kind, self.value, self.text, list(self.span), list(self.names)]

    @classmethod
    def from_json(cls, data: list) -> Term:
        return cls(str(data[0]), str(data[1]), str(data[2]), _span(data[3]), tuple(data[4]))


@dataclass(frozen=True)
class ExprInfo:
    """An argument or assigned value that may carry a seed: its text and span.

    Its ``+`` terms (:attr:`terms`) are worked out from the text when first asked for
    (only seeding calls' arguments ever are), not during the summary's walk.
    ``augments``: the target of ``name += <this>``, which is then the first term.
    """

    text: str
    span: Span
    augments: str = ""

    def to_json(self) -> list:
        return [self.text, list(self.span), self.augments]

    @classmethod
    def from_json(cls, data: list) -> ExprInfo:
        return cls(str(data[0]), _span(data[1]), str(data[2]))

    @cached_property
    def terms(self) -> tuple[Term, ...]:
        """The expression split at ``+`` (``int(...)`` around it ignored), each term
        classified (see :class:`Term`)."""
        try:
            node = ast.parse(f"(\n{self.text}\n)", mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return (Term("other", self.text, self.text, self.span),)
        source = _Source(f"(\n{self.text}\n)")
        line0, col0 = self.span[0], self.span[1]

        def absolute(node: ast.AST) -> Span:
            line, col, end_line, end_col = source.span(node)
            # The text starts on line 2 of the parsed snippet, at column 0.
            return (
                line0 + line - 2,
                col + col0 if line == 2 else col,
                line0 + end_line - 2,
                end_col + col0 if end_line == 2 else end_col,
            )

        terms = [Term("name", self.augments, self.augments, self.span, (self.augments,))]
        terms = terms if self.augments else []
        for term in _plus_terms(node):
            text = source.segment(term)
            inner = _unwrap(term)
            if _is_rank(inner):
                kind, value = "rank", text
            elif isinstance(inner, ast.Name):
                kind, value = "name", inner.id
            elif isinstance(inner, ast.Attribute) and dotted_name(inner):
                kind, value = "attr", dotted_name(inner) or ""
            elif isinstance(inner, ast.Constant):
                kind, value = "const", repr(inner.value)
            else:
                kind, value = "other", text
            terms.append(Term(kind, value, text, absolute(term), _read_names(term)))
        return tuple(terms)


@dataclass(slots=True)
class CallInfo:
    """A call whose callee is a dotted name (``utils.set_seed``, ``self.fit``).

    ``statement``: the call is a whole expression statement. ``deferred``: it sits in
    a loop, lambda or comprehension of its function. ``args`` / ``kwargs`` summarise
    the arguments of calls that may seed (statement calls and calls naming a seed);
    ``None`` otherwise. ``refs``: dotted names passed as arguments (``target=main``,
    ``app.run(main)``), with the keyword they were passed as (``""`` positional).
    """

    dotted: str
    span: Span
    statement: bool
    deferred: bool
    args: tuple[ExprInfo | None, ...] | None = None
    kwargs: tuple[tuple[str, ExprInfo | None], ...] | None = None
    refs: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> list:
        args = None if self.args is None else [_opt(a) for a in self.args]
        kwargs = None if self.kwargs is None else [[k, _opt(v)] for k, v in self.kwargs]
        return [
            self.dotted,
            list(self.span),
            self.statement,
            self.deferred,
            args,
            kwargs,
            [list(r) for r in self.refs],
        ]

    @classmethod
    def from_json(cls, data: list) -> CallInfo:
        # The hot path of a warm rebuild: the JSON is our own (see ModuleSummary), so
        # its values are taken as they are.
        dotted, span, statement, deferred, args, kwargs, refs = data
        return cls(
            dotted,
            tuple(span),
            statement,
            deferred,
            None if args is None else tuple(_opt_expr(a) for a in args),
            None if kwargs is None else tuple((k, _opt_expr(v)) for k, v in kwargs),
            tuple(map(tuple, refs)) if refs else (),
        )


@dataclass(slots=True)
class StmtInfo:
    """The shape of one statement of a function body, enough to tell seeding apart.

    ``kind``: ``call`` (an expression statement calling ``calls[call]``), ``if``
    (``pure``: its test has no side effects; ``body`` and ``orelse`` recursively),
    ``block`` (``with`` / ``try``: ``body`` holds all of its statements, which are
    never removable as a whole), ``generated`` (``seed = random.randint(...)``,
    ``sources`` are the dotted callees of its value), or ``other`` (``what`` says what
    it does: ``cudnn flags``, ``PYTHONHASHSEED``, ``returns a value``, ``logging``...).
    """

    kind: str
    span: Span
    call: int = -1
    pure: bool = False
    body: tuple[StmtInfo, ...] = ()
    orelse: tuple[StmtInfo, ...] = ()
    what: str = ""
    sources: tuple[str, ...] = ()

    def to_json(self) -> list:
        return [
            self.kind,
            list(self.span),
            self.call,
            self.pure,
            [s.to_json() for s in self.body],
            [s.to_json() for s in self.orelse],
            self.what,
            list(self.sources),
        ]

    @classmethod
    def from_json(cls, data: list) -> StmtInfo:
        kind, span, call, pure, body, orelse, what, sources = data
        return cls(
            kind,
            tuple(span),
            call,
            pure,
            tuple(map(StmtInfo.from_json, body)) if body else (),
            tuple(map(StmtInfo.from_json, orelse)) if orelse else (),
            what,
            tuple(sources) if sources else (),
        )


@dataclass(frozen=True)
class OptionInfo:
    """``<receiver>.add_argument(...)`` defining a seed option (dest matches SEED_NAME)."""

    receiver: str
    options: tuple[str, ...]
    dest: str
    default: str | None  # source text; None when there is no ``default=``
    type: str | None  # source text of ``type=``
    span: Span

    def to_json(self) -> list:
        return [
            self.receiver,
            list(self.options),
            self.dest,
            self.default,
            self.type,
            list(self.span),
        ]

    @classmethod
    def from_json(cls, data: list) -> OptionInfo:
        return cls(str(data[0]), tuple(data[1]), str(data[2]), data[3], data[4], _span(data[5]))


@dataclass
class ArgparseInfo:
    """A function's argparse facts (only kept when it touches a parser)."""

    #: ``p = argparse.ArgumentParser(...)``: var -> dotted callee (checked when linking).
    parsers: dict[str, str] = field(default_factory=dict)
    #: ``g = p.add_argument_group(...)``: group var -> parser var.
    groups: dict[str, str] = field(default_factory=dict)
    #: Seed options added in this function.
    options: list[OptionInfo] = field(default_factory=list)
    #: ``args = p.parse_args()``: target var -> receiver var.
    parsed: dict[str, str] = field(default_factory=dict)
    #: Receivers of ``return p.parse_args()`` and names returned by ``return x``.
    returns_parse_of: list[str] = field(default_factory=list)
    returns_names: list[str] = field(default_factory=list)
    #: Vars that ``add_argument`` is called on (parameters among them: an "adds" helper).
    receivers: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "parsers": self.parsers,
            "groups": self.groups,
            "options": [o.to_json() for o in self.options],
            "parsed": self.parsed,
            "returns_parse_of": self.returns_parse_of,
            "returns_names": self.returns_names,
            "receivers": self.receivers,
        }

    @classmethod
    def from_json(cls, data: dict) -> ArgparseInfo:
        return cls(
            dict(data["parsers"]),
            dict(data["groups"]),
            [OptionInfo.from_json(o) for o in data["options"]],
            dict(data["parsed"]),
            list(data["returns_parse_of"]),
            list(data["returns_names"]),
            list(data["receivers"]),
        )


@dataclass
class ScopeSummary:
    """The calls of one scope; functions add their signature and body shape.

    The module's own scope (qualname ``<module>``) holds the calls made at import time,
    in class bodies and under ``if __name__ == "__main__":``.
    """

    qualname: str
    name: str
    span: Span
    #: Enclosing function's qualname (nested functions), else ``None``.
    parent: str | None = None
    #: Class qualname when this is a method.
    cls: str | None = None
    params: list[str] = field(default_factory=list)  # positional, in order
    kwonly: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)  # param -> source text
    decorators: list[str] = field(default_factory=list)
    imports: dict[str, Binding] = field(default_factory=dict)
    #: Other names bound here (parameters, assignments): they shadow outer bindings.
    locals: set[str] = field(default_factory=set)
    #: ``x = Dotted(...)``: var -> dotted callee (instances of project classes).
    instances: dict[str, str] = field(default_factory=dict)
    calls: list[CallInfo] = field(default_factory=list)
    body: list[StmtInfo] = field(default_factory=list)
    #: ``name = <expr>`` where a seed or rank may flow: (name, line, expr).
    assigns: list[tuple[str, int, ExprInfo]] = field(default_factory=list)
    argparse: ArgparseInfo | None = None
    is_async: bool = False

    def to_json(self) -> dict:
        return {
            "qualname": self.qualname,
            "name": self.name,
            "span": list(self.span),
            "parent": self.parent,
            "cls": self.cls,
            "params": self.params,
            "kwonly": self.kwonly,
            "defaults": self.defaults,
            "decorators": self.decorators,
            "imports": {k: b.to_json() for k, b in self.imports.items()},
            "locals": sorted(self.locals),
            "instances": self.instances,
            "calls": [c.to_json() for c in self.calls],
            "body": [s.to_json() for s in self.body],
            "assigns": [[n, line, e.to_json()] for n, line, e in self.assigns],
            "argparse": None if self.argparse is None else self.argparse.to_json(),
            "is_async": self.is_async,
        }

    @classmethod
    def from_json(cls, data: dict) -> ScopeSummary:
        return cls(
            qualname=str(data["qualname"]),
            name=str(data["name"]),
            span=_span(data["span"]),
            parent=data["parent"],
            cls=data["cls"],
            params=list(data["params"]),
            kwonly=list(data["kwonly"]),
            defaults=dict(data["defaults"]),
            decorators=list(data["decorators"]),
            imports={k: Binding.from_json(b) for k, b in data["imports"].items()},
            locals=set(data["locals"]),
            instances=dict(data["instances"]),
            calls=[CallInfo.from_json(c) for c in data["calls"]],
            body=[StmtInfo.from_json(s) for s in data["body"]],
            assigns=[(str(n), int(line), ExprInfo.from_json(e)) for n, line, e in data["assigns"]],
            argparse=None if data["argparse"] is None else ArgparseInfo.from_json(data["argparse"]),
            is_async=bool(data["is_async"]),
        )


@dataclass
class ClassSummary:
    """A class: its bases (dotted, resolved when linking) and the names of its methods."""

    qualname: str
    line: int
    bases: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)

    def to_json(self) -> list:
        return [self.qualname, self.line, self.bases, self.methods]

    @classmethod
    def from_json(cls, data: list) -> ClassSummary:
        return cls(str(data[0]), int(data[1]), list(data[2]), list(data[3]))


@dataclass
class ModuleSummary:
    """Everything the project index needs from one module (see the module docstring)."""

    #: Module-level bindings, after Python's own rules (later wins; an ``except``
    #: fallback does not replace the import it guards).
    bindings: dict[str, Binding] = field(default_factory=dict)
    #: ``from m import *``: (level, module, line), in order.
    stars: list[tuple[int, str, int]] = field(default_factory=list)
    #: ``__all__`` when it is a literal list/tuple of strings, else ``None``.
    all_names: list[str] | None = None
    #: Lines of ``importlib.import_module(...)`` / ``__import__(...)`` calls.
    dynamic_imports: list[int] = field(default_factory=list)
    functions: dict[str, ScopeSummary] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    module_scope: ScopeSummary = field(
        default_factory=lambda: ScopeSummary("<module>", "<module>", (1, 0, 1, 0))
    )
    #: Line of the module-level ``if __name__ == "__main__":``, if any.
    main_guard: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``json.dumps`` works on it as is)."""
        return {
            "format": SUMMARY_FORMAT,
            "bindings": {k: b.to_json() for k, b in self.bindings.items()},
            "stars": [list(s) for s in self.stars],
            "all": self.all_names,
            "dynamic": self.dynamic_imports,
            "functions": [f.to_json() for f in self.functions.values()],
            "classes": [c.to_json() for c in self.classes.values()],
            "module": self.module_scope.to_json(),
            "main_guard": self.main_guard,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleSummary:
        """The inverse of :meth:`to_json`; ``ValueError`` for another format."""
        if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
            raise ValueError("not a module summary of the current format")
        functions = [ScopeSummary.from_json(f) for f in data["functions"]]
        classes = [ClassSummary.from_json(c) for c in data["classes"]]
        return cls(
            bindings={k: Binding.from_json(b) for k, b in data["bindings"].items()},
            stars=[(int(s[0]), str(s[1]), int(s[2])) for s in data["stars"]],
            all_names=None if data["all"] is None else list(data["all"]),
            dynamic_imports=[int(x) for x in data["dynamic"]],
            functions={f.qualname: f for f in functions},
            classes={c.qualname: c for c in classes},
            module_scope=ScopeSummary.from_json(data["module"]),
            main_guard=data["main_guard"],
        )

    def exported_names(self) -> list[str] | None:
        """What ``from this import *`` binds: ``__all__``, else public module names."""
        if self.all_names is not None:
            return self.all_names
        return [name for name in self.bindings if not name.startswith("_")]


def _span(data: list) -> Span:
    return (int(data[0]), int(data[1]), int(data[2]), int(data[3]))


def _opt(expr: ExprInfo | None) -> list | None:
    return None if expr is None else expr.to_json()


def _opt_expr(data: list | None) -> ExprInfo | None:
    return None if data is None else ExprInfo.from_json(data)


# -- the walk ------------------------------------------------------------------------


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Source:
    """Character columns and source segments, with line offsets computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._starts: list[int] | None = None
        self._lines: list[str] | None = None

    def _line_list(self) -> list[str]:
        if self._lines is None:
            self._lines = source_lines(self.text)
        return self._lines

    def col(self, line: int, byte_col: int) -> int:
        if self.ascii:
            return byte_col
        lines = self._line_list()
        if 0 < line <= len(lines):
            text = lines[line - 1]
            if text.isascii():  # most lines of a file with a non-ASCII docstring
                return byte_col
            return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return byte_col

    def span(self, node: ast.AST) -> Span:
        line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        if self.ascii:  # byte offsets are character offsets
            return (line, node.col_offset, end_line, node.end_col_offset or 0)  # type: ignore[attr-defined]
        return (
            line,
            self.col(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self.col(end_line, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        if self._starts is None:
            starts = [0]
            total = 0
            for text_line in self._line_list():
                total += len(text_line)
                starts.append(total)
            self._starts = starts
        line, col, end_line, end_col = self.span(node)
        starts = self._starts
        if line - 1 >= len(starts) or end_line - 1 >= len(starts):
            return ""
        return self.text[starts[line - 1] + col : starts[end_line - 1] + end_col]


_TRY_NODES: tuple[type[ast.stmt], ...] = tuple(
    getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name)
)


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _is_main_guard(stmt: ast.If) -> bool:
    test = stmt.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1


def _pure_test(test: ast.AST) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in PURE_CALLS:
                return False
        elif isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
    return True


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _is_rank(node: ast.AST) -> bool:
    """The expression holds a process rank (see RANK_NAME, RANK_CALLS, RANK_ENV)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and RANK_NAME.match(sub.id):
            return True
        if isinstance(sub, ast.Attribute) and RANK_NAME.match(sub.attr):
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in RANK_CALLS:
                return True
        if (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and RANK_ENV.search(sub.value)
            and len(sub.value) < 40
        ):
            return True
    return False


def _unwrap(node: ast.AST) -> ast.AST:
    """``int(x)`` / ``abs(x)`` -> ``x``: the conversions keep the seed's source."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("int", "abs")
        and len(node.args) == 1
        and not node.keywords
    ):
        node = node.args[0]
    return node


def _plus_terms(node: ast.AST) -> list[ast.AST]:
    """``int(seed + rank)`` -> ``[seed, rank]``; each term as written (``int(x)`` kept)."""
    inner = _unwrap(node)
    if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Add):
        return _plus_terms(inner.left) + _plus_terms(inner.right)
    return [node]


def _read_names(node: ast.AST) -> tuple[str, ...]:
    names: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in names:
            names.append(sub.id)
    return tuple(names)


class _Summariser:
    """One walk over a module's statements, scope by scope."""

    def __init__(self, text: str) -> None:
        self.src = _Source(text)
        self.summary = ModuleSummary()

    # -- expressions -----------------------------------------------------------------

    def expr_info(self, node: ast.AST, augments: str = "") -> ExprInfo:
        return ExprInfo(self.src.segment(node), self.src.span(node), augments)

    def _call_info(self, call: ast.Call, dotted: str, statement: bool, deferred: bool) -> CallInfo:
        refs = []
        wants_args = statement or "seed" in _last(dotted).lower()
        for arg in call.args:
            if type(arg) is ast.Name or type(arg) is ast.Attribute:
                name = dotted_name(arg)
                if name:
                    refs.append(("", name))
                    wants_args = wants_args or "seed" in _last(name).lower()
        for keyword in call.keywords:
            value = keyword.value
            if type(value) is ast.Name or type(value) is ast.Attribute:
                name = dotted_name(value)
                if name:
                    if keyword.arg:
                        refs.append((keyword.arg, name))
                    wants_args = wants_args or "seed" in _last(name).lower()
        args = kwargs = None
        if wants_args:
            args = tuple(
                None if isinstance(a, ast.Starred) else self.expr_info(a) for a in call.args
            )
            kwargs = tuple(
                (k.arg, self.expr_info(k.value)) for k in call.keywords if k.arg is not None
            )
        return CallInfo(dotted, self.src.span(call), statement, deferred, args, kwargs, tuple(refs))

    def walk_expressions(
        self,
        nodes: list[ast.AST],
        scope: ScopeSummary,
        deferred: bool,
        statement_call: ast.AST | None,
    ) -> None:
        """Record the calls in ``nodes`` (not descending into nested scopes' bodies).

        The hot loop of the summary: children are read from a per-class field table
        (names and constants skipped, as in ``names.child_fields``), not ``ast``'s
        generic iterators.
        """
        stack: list[tuple[ast.AST, bool]] = [(n, deferred) for n in reversed(nodes)]
        fields_of = _EXPR_FIELDS
        AST, Call, Name, Lambda = ast.AST, ast.Call, ast.Name, ast.Lambda
        pop, push = stack.pop, stack.append
        function_scope = scope.qualname != "<module>"
        while stack:
            node, later = pop()
            cls = type(node)
            if cls is Call:
                dotted = dotted_name(node.func)  # type: ignore[attr-defined]
                if dotted is not None:
                    if dotted in _DYNAMIC_IMPORTS or dotted.endswith(".import_module"):
                        self.summary.dynamic_imports.append(node.lineno)  # type: ignore[attr-defined]
                    if self._keep_call(dotted, scope):
                        scope.calls.append(
                            self._call_info(node, dotted, node is statement_call, later)  # type: ignore[arg-type]
                        )
                    if function_scope and dotted.endswith(".add_argument"):
                        self._argparse_call(node, dotted, scope)  # type: ignore[arg-type]
            elif cls is Name:
                if function_scope and type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                    scope.locals.add(node.id)  # type: ignore[attr-defined]
                continue
            elif cls is Lambda:
                push((node.body, True))  # type: ignore[attr-defined]
                for default in (*node.args.defaults, *node.args.kw_defaults):  # type: ignore[attr-defined]
                    if default is not None:
                        push((default, later))
                continue
            elif cls in _COMPREHENSIONS:
                later = True
            fields = fields_of.get(cls)
            if fields is None:
                fields = fields_of[cls] = tuple(f for f in child_fields(cls) if f != "ctx")
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, AST):
                            push((item, later))
                elif isinstance(value, AST):
                    push((value, later))

    def _keep_call(self, dotted: str, scope: ScopeSummary) -> bool:
        """Builtins called by name (``len(x)``) are kept only where a star import or a
        binding could stand for them; everything else is kept for resolution."""
        head = dotted.split(".", 1)[0]
        if head in BUILTIN_NAMES and "." not in dotted:
            return (
                bool(self.summary.stars) or head in self.summary.bindings or (head in scope.imports)
            )
        return True

    # -- argparse --------------------------------------------------------------------

    def _argparse_call(self, call: ast.Call, dotted: str, scope: ScopeSummary) -> None:
        if scope.qualname == "<module>":
            return
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        receiver, method = func.value.id, func.attr
        if method != "add_argument":
            return
        info = scope.argparse = scope.argparse or ArgparseInfo()
        if receiver not in info.receivers:
            info.receivers.append(receiver)
        options = tuple(
            a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        )
        if not options or not all(o.startswith("-") for o in options):
            return
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        dest_node = keywords.get("dest")
        dest = (
            dest_node.value
            if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str)
            else _flag_dest(options)
        )
        if not dest or not _SEED_TARGET.match(dest):
            return
        default = keywords.get("default")
        type_ = keywords.get("type")
        info.options.append(
            OptionInfo(
                receiver,
                options,
                dest,
                None if default is None else self.src.segment(default),
                None if type_ is None else self.src.segment(type_),
                self.src.span(call),
            )
        )

    def _argparse_assign(self, stmt: ast.Assign, scope: ScopeSummary) -> None:
        """``p = ArgumentParser()``, ``g = p.add_argument_group()``, ``a = p.parse_args()``."""
        if scope.qualname == "<module>" or len(stmt.targets) != 1:
            return
        target = stmt.targets[0]
        if isinstance(target, ast.Tuple) and target.elts:
            target = target.elts[0]  # args, unknown = p.parse_known_args()
        value = stmt.value
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            return
        func = value.func
        dotted = dotted_name(func) or ""
        if _last(dotted) == "ArgumentParser":
            info = scope.argparse = scope.argparse or ArgparseInfo()
            info.parsers[target.id] = dotted
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr in _GROUP_METHODS:
                info = scope.argparse = scope.argparse or ArgparseInfo()
                info.groups[target.id] = func.value.id
            elif func.attr in _PARSE_METHODS:
                info = scope.argparse = scope.argparse or ArgparseInfo()
                info.parsed[target.id] = func.value.id

    def _argparse_return(self, stmt: ast.Return, scope: ScopeSummary) -> None:
        value = stmt.value
        if value is None or scope.qualname == "<module>":
            return
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        if isinstance(value, ast.Name):
            if scope.argparse is not None:  # ``return args`` / ``return parser``
                scope.argparse.returns_names.append(value.id)
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in _PARSE_METHODS
            and isinstance(value.func.value, ast.Name)
        ):
            info = scope.argparse = scope.argparse or ArgparseInfo()
            info.returns_parse_of.append(value.func.value.id)

    # -- bindings --------------------------------------------------------------------

    def bind(
        self, scope: ScopeSummary, name: str, binding: Binding, fallback: bool, in_class: bool
    ) -> None:
        if in_class:
            return
        if scope.qualname == "<module>":
            bindings = self.summary.bindings
            old = bindings.get(name)
            if fallback and old is not None and old.kind != "other":
                return  # ``except ImportError: x = None`` keeps the import
            bindings[name] = binding
        elif binding.kind in ("import", "from", "dynamic"):
            if fallback and name in scope.imports:
                return
            scope.imports[name] = binding
            scope.locals.discard(name)
        else:
            if fallback and name in scope.imports:
                return
            scope.imports.pop(name, None)
            scope.locals.add(name)

    def bind_target(
        self, scope: ScopeSummary, target: ast.AST, line: int, fallback: bool, in_class: bool
    ) -> None:
        if type(target) is ast.Name:
            self.bind(scope, target.id, Binding("other", line), fallback, in_class)
            return
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                self.bind(scope, node.id, Binding("other", line), fallback, in_class)

    # -- statements ------------------------------------------------------------------

    def block(
        self,
        body: list[ast.stmt],
        scope: ScopeSummary,
        *,
        deferred: bool = False,
        fallback: bool = False,
        in_class: str | None = None,
        shape: bool = False,
    ) -> list[StmtInfo]:
        """Walk ``body`` in ``scope``; return its statement shapes when ``shape``."""
        shapes: list[StmtInfo] = []
        for stmt in body:
            info = self.statement(stmt, scope, deferred, fallback, in_class, shape)
            if shape and info is not None:
                shapes.append(info)
        return shapes

    def statement(
        self,
        stmt: ast.stmt,
        scope: ScopeSummary,
        deferred: bool,
        fallback: bool,
        in_class: str | None,
        shape: bool,
    ) -> StmtInfo | None:
        span = self.src.span(stmt) if shape else (0, 0, 0, 0)
        module_level = scope.qualname == "<module>" and in_class is None
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.walk_expressions(
                [
                    *stmt.decorator_list,
                    *stmt.args.defaults,
                    *(d for d in stmt.args.kw_defaults if d is not None),
                ],
                scope,
                deferred,
                None,
            )
            self.function(stmt, scope, in_class)
            return StmtInfo("other", span, what="nested function") if shape else None
        if isinstance(stmt, ast.ClassDef):
            self.walk_expressions(
                [*stmt.decorator_list, *stmt.bases, *stmt.keywords], scope, deferred, None
            )
            qualname = (
                stmt.name if module_level else self._child_qualname(scope, stmt.name, in_class)
            )
            self.bind(
                scope,
                stmt.name,
                Binding("class", stmt.lineno, name=qualname),
                fallback,
                in_class is not None,
            )
            record = ClassSummary(
                qualname, stmt.lineno, [d for d in map(dotted_name, stmt.bases) if d]
            )
            self.summary.classes[qualname] = record
            self.block(stmt.body, scope, deferred=deferred, in_class=qualname)
            return StmtInfo("other", span, what="class") if shape else None
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    binding = Binding("import", stmt.lineno, module=alias.name)
                    self.bind(scope, alias.asname, binding, fallback, in_class is not None)
                else:
                    head = alias.name.split(".")[0]
                    binding = Binding("import", stmt.lineno, module=head)
                    self.bind(scope, head, binding, fallback, in_class is not None)
            return StmtInfo("other", span, what="import") if shape else None
        if isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            for alias in stmt.names:
                if alias.name == "*":
                    if module_level:
                        self.summary.stars.append((stmt.level, module, stmt.lineno))
                    continue
                binding = Binding(
                    "from", stmt.lineno, module=module, name=alias.name, level=stmt.level
                )
                self.bind(
                    scope, alias.asname or alias.name, binding, fallback, in_class is not None
                )
            return StmtInfo("other", span, what="import") if shape else None
        if isinstance(stmt, ast.Expr):
            self.walk_expressions([stmt.value], scope, deferred, stmt.value)
            if not shape:
                return None
            if isinstance(stmt.value, ast.Call) and dotted_name(stmt.value.func):
                # The call just recorded is the last one whose span starts here.
                index = self._find_call(scope, stmt.value)
                if index is not None:
                    return StmtInfo("call", span, call=index)
            return StmtInfo("other", span, what=self._describe(stmt))
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            return self.assignment(stmt, scope, deferred, fallback, in_class, shape, span)
        if isinstance(stmt, ast.If):
            if module_level and _is_main_guard(stmt) and self.summary.main_guard is None:
                self.summary.main_guard = stmt.lineno
            self.walk_expressions([stmt.test], scope, deferred, None)
            body = self.block(
                stmt.body,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            orelse = self.block(
                stmt.orelse,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            if shape:
                return StmtInfo(
                    "if", span, pure=_pure_test(stmt.test), body=tuple(body), orelse=tuple(orelse)
                )
            return None
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            if isinstance(stmt, ast.While):
                self.walk_expressions([stmt.test], scope, deferred, None)
            else:
                self.walk_expressions([stmt.iter], scope, deferred, None)
                self.bind_target(scope, stmt.target, stmt.lineno, fallback, in_class is not None)
            self.block(stmt.body, scope, deferred=True, fallback=fallback, in_class=in_class)
            self.block(stmt.orelse, scope, deferred=deferred, fallback=fallback, in_class=in_class)
            return StmtInfo("other", span, what="loop") if shape else None
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.walk_expressions([item.context_expr], scope, deferred, None)
                if item.optional_vars is not None:
                    self.bind_target(
                        scope, item.optional_vars, stmt.lineno, fallback, in_class is not None
                    )
            body = self.block(
                stmt.body,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            return StmtInfo("block", span, body=tuple(body)) if shape else None
        if isinstance(stmt, _TRY_NODES):
            try_stmt = cast(ast.Try, stmt)  # ast.TryStar (3.11+) has the same fields
            parts = self.block(
                try_stmt.body,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            for handler in try_stmt.handlers:
                if handler.type is not None:
                    self.walk_expressions([handler.type], scope, deferred, None)
                if handler.name:
                    self.bind(
                        scope,
                        handler.name,
                        Binding("other", handler.lineno),
                        True,
                        in_class is not None,
                    )
                parts += self.block(
                    handler.body,
                    scope,
                    deferred=deferred,
                    fallback=True,
                    in_class=in_class,
                    shape=shape,
                )
            parts += self.block(
                try_stmt.orelse,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            parts += self.block(
                try_stmt.finalbody,
                scope,
                deferred=deferred,
                fallback=fallback,
                in_class=in_class,
                shape=shape,
            )
            return StmtInfo("block", span, body=tuple(parts)) if shape else None
        if isinstance(stmt, ast.Return):
            if stmt.value is not None:
                self.walk_expressions([stmt.value], scope, deferred, None)
                self._argparse_return(stmt, scope)
            if not shape:
                return None
            returns_value = stmt.value is not None and not (
                isinstance(stmt.value, ast.Constant) and stmt.value.value is None
            )
            return StmtInfo("other", span, what="returns a value" if returns_value else "return")
        if type(stmt).__name__ == "Match":
            self.walk_expressions([stmt.subject], scope, deferred, None)  # type: ignore[attr-defined]
            for case in stmt.cases:  # type: ignore[attr-defined]
                self.bind_target(scope, case.pattern, stmt.lineno, fallback, in_class is not None)
                self.block(
                    case.body, scope, deferred=deferred, fallback=fallback, in_class=in_class
                )
            return StmtInfo("other", span, what="match") if shape else None
        if isinstance(stmt, (ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue)):
            return StmtInfo("other", span, what=type(stmt).__name__.lower()) if shape else None
        # Raise, Assert, Delete, TypeAlias...: their expressions only.
        self.walk_expressions(
            [c for c in ast.iter_child_nodes(stmt) if isinstance(c, ast.expr)],
            scope,
            deferred,
            None,
        )
        return StmtInfo("other", span, what=type(stmt).__name__.lower()) if shape else None

    def _find_call(self, scope: ScopeSummary, call: ast.Call) -> int | None:
        span = self.src.span(call)
        for index in range(len(scope.calls) - 1, -1, -1):
            if scope.calls[index].span == span:
                return index
        return None

    def _describe(self, stmt: ast.stmt) -> str:
        """What a statement that does not seed does, for a mixed helper's message."""
        text = self.src.segment(stmt)
        if "cudnn" in text:
            return "cudnn flags"
        if "PYTHONHASHSEED" in text:
            return "PYTHONHASHSEED"
        if "environ" in text or "putenv" in text:
            return "environment variables"
        if "deterministic" in text:
            return "deterministic algorithms"
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            dotted = dotted_name(stmt.value.func) or ""
            if _LOG_CALL.search(dotted):
                return "logging"
            return f"calls {dotted}()" if dotted else "a call"
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            return "an assignment"
        return type(stmt).__name__.lower()

    def assignment(
        self,
        stmt: ast.Assign | ast.AnnAssign | ast.AugAssign,
        scope: ScopeSummary,
        deferred: bool,
        fallback: bool,
        in_class: str | None,
        shape: bool,
        span: Span,
    ) -> StmtInfo | None:
        value = stmt.value
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if value is not None:
            self.walk_expressions([value], scope, deferred, None)
        for target in targets:
            if not isinstance(target, ast.Name):
                self.walk_expressions([target], scope, deferred, None)
        single = targets[0] if len(targets) == 1 else None
        module_level = scope.qualname == "<module>" and in_class is None
        if isinstance(stmt, ast.Assign):
            self._argparse_assign(stmt, scope)
        name = single.id if isinstance(single, ast.Name) else None
        if name is not None and value is not None and not isinstance(stmt, ast.AugAssign):
            if module_level and name == "__all__":
                self._set_all(value)
            binding = self._value_binding(value, stmt.lineno)
            self.bind(scope, name, binding, fallback, in_class is not None)
            if isinstance(value, ast.Call):
                callee = dotted_name(value.func)
                if callee and in_class is None:
                    scope.instances[name] = callee
            elif name in scope.instances:
                del scope.instances[name]
            if scope.qualname != "<module>" and (
                "seed" in name.lower() or RANK_NAME.match(name) or self._mentions_seed(value)
            ):
                scope.assigns.append((name, stmt.lineno, self.expr_info(value)))
        else:
            if (
                module_level
                and isinstance(stmt, ast.AugAssign)
                and isinstance(single, ast.Name)
                and single.id == "__all__"
            ):
                self._extend_all(stmt.value)
            if (
                isinstance(stmt, ast.AugAssign)
                and isinstance(stmt.op, ast.Add)
                and name is not None
                and scope.qualname != "<module>"
                and ("seed" in name.lower() or self._mentions_seed(stmt.value))
            ):
                # ``seed += rank`` is ``seed = seed + rank``
                scope.assigns.append((name, stmt.lineno, self.expr_info(stmt.value, name)))
            if value is not None or not isinstance(stmt, ast.AnnAssign):
                for target in targets:
                    self.bind_target(scope, target, stmt.lineno, fallback, in_class is not None)
        if not shape:
            return None
        if (
            isinstance(stmt, ast.Assign)
            and single is not None
            and _is_seed_target(single)
            and value is not None
        ):
            sources = tuple(
                d
                for d in (dotted_name(n.func) for n in ast.walk(value) if isinstance(n, ast.Call))
                if d
            )
            if sources:
                return StmtInfo("generated", span, sources=sources)
        return StmtInfo("other", span, what=self._describe(stmt))

    def _mentions_seed(self, value: ast.AST) -> bool:
        """The value's text names a seed or a rank (a derivation the seed may flow through)."""
        text = self.src.segment(value).lower()
        return "seed" in text or "rank" in text

    def _value_binding(self, value: ast.AST, line: int) -> Binding:
        if isinstance(value, ast.Constant) and value.value is None:
            return Binding("other", line)
        dotted = dotted_name(value)
        if dotted is not None:
            return Binding("alias", line, name=dotted)
        if isinstance(value, ast.Call):
            callee = dotted_name(value.func) or ""
            if callee in _DYNAMIC_IMPORTS or callee.endswith(".import_module"):
                return Binding("dynamic", line, name=callee)
        return Binding("other", line)

    def _set_all(self, value: ast.AST) -> None:
        names = _string_list(value)
        self.summary.all_names = names

    def _extend_all(self, value: ast.AST) -> None:
        names = _string_list(value)
        if names is None or self.summary.all_names is None:
            self.summary.all_names = None if names is None else self.summary.all_names
            return
        self.summary.all_names = self.summary.all_names + names

    # -- scopes ----------------------------------------------------------------------

    def _child_qualname(self, scope: ScopeSummary, name: str, in_class: str | None) -> str:
        if in_class is not None:
            return f"{in_class}.{name}"
        if scope.qualname == "<module>":
            return name
        return f"{scope.qualname}.<locals>.{name}"

    def function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: ScopeSummary,
        in_class: str | None,
    ) -> None:
        qualname = self._child_qualname(scope, node.name, in_class)
        if in_class is not None:
            self.summary.classes[in_class].methods.append(node.name)
        else:
            self.bind(scope, node.name, Binding("def", node.lineno, name=qualname), False, False)
        args = node.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        defaults = {}
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        ):
            defaults[arg] = self.src.segment(default)
        for keyword_arg, keyword_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if keyword_default is not None:
                defaults[keyword_arg.arg] = self.src.segment(keyword_default)
        function = ScopeSummary(
            qualname=qualname,
            name=node.name,
            span=self.src.span(node),
            parent=scope.qualname if scope.qualname != "<module>" else None,
            cls=in_class,
            params=positional,
            kwonly=[a.arg for a in args.kwonlyargs],
            defaults=defaults,
            decorators=[dotted_name(d) or self.src.segment(d) for d in node.decorator_list],
            is_async=isinstance(node, ast.AsyncFunctionDef),
        )
        function.locals.update(positional, function.kwonly)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                function.locals.add(extra.arg)
        self.summary.functions[qualname] = function
        body = node.body[1:] if node.body and _is_docstring(node.body[0]) else node.body
        function.body = self.block(body, function, shape=True)

    def run(self, tree: ast.Module) -> ModuleSummary:
        self.block(tree.body, self.summary.module_scope)
        return self.summary


def _is_seed_target(target: ast.AST) -> bool:
    if isinstance(target, ast.Attribute):
        return bool(_SEED_TARGET.match(target.attr))
    if isinstance(target, ast.Name):
        return bool(_SEED_TARGET.match(target.id))
    return False


def _string_list(value: ast.AST) -> list[str] | None:
    if isinstance(value, (ast.List, ast.Tuple)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
    ):
        return [e.value for e in value.elts]  # type: ignore[attr-defined]
    return None


def _flag_dest(options: tuple[str, ...]) -> str | None:
    """argparse's ``dest`` for option strings (``--random-seed`` -> ``random_seed``)."""
    longs = [s for s in options if s.startswith("--")]
    chosen = longs[0] if longs else (options[0] if options else "")
    return chosen.lstrip("-").replace("-", "_") or None


def summarise_module(text: str, tree: ast.Module | None = None) -> ModuleSummary:
    """The :class:`ModuleSummary` of one module's source ``text``.

    Pass ``tree`` when the caller has already parsed ``text`` with ``ast`` (the check
    pipeline does): the summary then costs one walk and no parse. ``SyntaxError`` /
    ``ValueError`` from parsing propagate.
    """
    if tree is None:
        from seedmigrate.analysis.context import parse

        tree = parse(text)
    return _Summariser(text).run(tree)
