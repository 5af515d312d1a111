"""The script's entry point: its argument parser, seed flag, and where ``init`` goes.

Supported: argparse (parser built inline or in a helper that returns the parsed
arguments, argument groups, several parsers: the last one parsed wins), absl
(``flags.DEFINE_integer`` + ``app.run(main)``) and click (``@click.option``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property

from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.flow import Flow
from seedmigrate.analysis.seeding import SEED_NAME

_ABSL_DEFINE = re.compile(r"^(absl\.flags|tensorflow\.(compat\.v1\.)?(app\.)?flags)\.DEFINE_\w+$")
_ABSL_RUN = frozenset({"absl.app.run", "tensorflow.compat.v1.app.run", "tensorflow.app.run"})
_CONFIG_PARSERS = frozenset(
    {"transformers.HfArgumentParser", "transformers.hf_argparser.HfArgumentParser"}
)
_ARGS_FUNCTION = re.compile(r"(arg|pars|option|opt|config|cfg|flag)", re.IGNORECASE)
SEED_HELP = "master seed (default: drawn at random and logged)"


def flag_dest(option_strings: list[str]) -> str | None:
    """argparse's ``dest`` for option strings (``--random-seed`` -> ``random_seed``)."""
    longs = [s for s in option_strings if s.startswith("--")]
    chosen = longs[0] if longs else (option_strings[0] if option_strings else "")
    return chosen.lstrip("-").replace("-", "_") or None


@dataclass(eq=False)
class ArgParser:
    """An ``argparse.ArgumentParser`` the file builds (or a subparser of one).

    ``add_arguments`` are every ``add_argument`` call that defines an option of this
    parser: on the parser itself, on its argument groups and mutually exclusive groups,
    and in functions of the file the parser (or a group) is passed to.
    """

    var: str
    create: ast.Call
    create_stmt: ast.stmt | None
    function: ast.AST | None
    groups: set[str] = field(default_factory=set)
    add_arguments: list[ast.Call] = field(default_factory=list)
    parent: ArgParser | None = None  # set for ``subparsers.add_parser(...)``
    subparsers: list[ArgParser] = field(default_factory=list)

    @property
    def root(self) -> ArgParser:
        """The top-level parser (``parse_args`` is called on it)."""
        parser = self
        while parser.parent is not None:
            parser = parser.parent
        return parser


@dataclass
class SeedFlag:
    """The option holding the master seed (``--seed``, ``--random_seed``, ``--manualSeed``)."""

    call: ast.Call
    dest: str
    kind: str  # "argparse" | "absl" | "click"
    parser: ArgParser | None = None  # argparse: the parser (or subparser) it is on


@dataclass
class ParseSite:
    """A statement after which the parsed arguments exist, and their name there."""

    stmt: ast.stmt
    args: str | None  # "args" -> args.seed; None when the seed is a plain variable
    prepend: bool = False  # insert at the start of ``stmt``'s body instead of after it


class EntryAnalysis:
    """Finds the parser, the seed flag and the init insertion point."""

    def __init__(self, ctx: FileContext, flow: Flow | None = None, project=None) -> None:
        self.ctx = ctx
        self.flow = flow or Flow(ctx)
        self.project = project  # ProjectView: parsers defined in other modules
        self._by_call: dict[int, ArgParser] = {}

    @cached_property
    def remote_parses(self) -> dict[int, object]:
        """``args = parse_args()`` calling another module's function that parses the
        arguments: ``id(call)`` -> its ArgparseFunction."""
        if self.project is None:
            return {}
        found = {}
        for call, _ in self.ctx.calls:
            stmt = self.ctx.parent(call)
            if isinstance(stmt, ast.Assign) and stmt.value is call:
                function = self.project.argparse(call)
                if function is not None:
                    found[id(call)] = function
        return found

    @cached_property
    def remote_seed_option(self):
        """The seed option of the other module's parser the script's arguments come
        from (a SeedOption), or ``None``."""
        for function in self.remote_parses.values():
            if function.seed_option is not None:
                return function.seed_option
        return None

    # -- which parser a name holds ---------------------------------------------------

    def _parser_for(self, call: ast.Call, parent: ArgParser | None = None) -> ArgParser:
        """The :class:`ArgParser` built by ``call`` (created once per call)."""
        parser = self._by_call.get(id(call))
        if parser is None:
            stmt = self.ctx.statement_of(call)
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
            var = target.id if isinstance(target, ast.Name) else ""
            parser = ArgParser(var, call, stmt, self.ctx.enclosing_function(call), parent=parent)
            self._by_call[id(call)] = parser
            if parent is not None:
                parent.subparsers.append(parser)
        return parser

    def _last_assignment(self, name: str, scope: ast.AST, line: int) -> ast.Assign | None:
        found = None
        walk = self.flow.walk_scope(scope)
        for node in walk:
            if (
                isinstance(node, ast.Assign)
                and node.lineno <= line
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                and (found is None or node.lineno >= found.lineno)
            ):
                found = node
        return found

    def _resolve(
        self, name: str, scope: ast.AST, line: int, depth: int = 0
    ) -> list[tuple[str, ArgParser]]:
        """What ``name`` holds at ``line`` of ``scope``: ``("parser", P)`` for a parser
        or one of its groups, ``("subparsers", P)`` for ``P.add_subparsers()``.

        Followed through assignments, groups, subparsers, functions of the file that
        return a parser, and parameters (the parsers passed at the function's calls).
        """
        if depth > 6:
            return []
        assignment = self._last_assignment(name, scope, line)
        if assignment is not None:
            return self._resolve_value(assignment.value, scope, assignment.lineno, depth)
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found: list[tuple[str, ArgParser]] = []
            for site, kind in self.flow.callers(scope):
                if kind != "call" or not isinstance(site, ast.Call):
                    continue
                argument = _argument_for(scope, site, name)
                if argument is not None:
                    outer = self.flow.scope_of_node(site)
                    found.extend(self._resolve_value(argument, outer, site.lineno, depth + 1))
            if found:
                return found
            if scope is not self.ctx.tree:
                outer = self.ctx.enclosing_function(scope) or self.ctx.tree
                return self._resolve(name, outer, scope.lineno, depth + 1)
        return []

    def _resolve_value(
        self, value: ast.AST, scope: ast.AST, line: int, depth: int
    ) -> list[tuple[str, ArgParser]]:
        if isinstance(value, ast.Name):
            return self._resolve(value.id, scope, line - 1, depth + 1)
        if not isinstance(value, ast.Call):
            return []
        func = value.func
        if self.ctx.qualify(func) == "argparse.ArgumentParser":
            return [("parser", self._parser_for(value))]
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owners = self._resolve(func.value.id, scope, line, depth + 1)
            if func.attr in ("add_argument_group", "add_mutually_exclusive_group"):
                return [(k, p) for k, p in owners if k == "parser"]
            if func.attr == "add_subparsers":
                return [("subparsers", p) for k, p in owners if k == "parser"]
            if func.attr == "add_parser":
                return [
                    ("parser", self._parser_for(value, p)) for k, p in owners if k == "subparsers"
                ]
        if isinstance(func, ast.Name):
            found = []
            for function in self.flow.functions.get(func.id, ()):
                for node in self.flow.walk_scope(function):
                    if isinstance(node, ast.Return) and node.value is not None:
                        found.extend(
                            self._resolve_value(node.value, function, node.lineno, depth + 1)
                        )
            return found
        return []

    @cached_property
    def parsers(self) -> list[ArgParser]:
        """Every parser the file builds (subparsers included), each with its options."""
        for call, qualname in self.ctx.calls:
            if qualname == "argparse.ArgumentParser":
                self._parser_for(call)
        for call, _ in self.ctx.calls:
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
                continue
            if func.attr not in ("add_argument", "add_parser"):
                continue
            scope = self.flow.scope_of_node(call)
            owners = self._resolve(func.value.id, scope, call.lineno)
            if func.attr == "add_parser":
                for kind, parent in owners:
                    if kind == "subparsers":
                        self._parser_for(call, parent)
                continue
            for kind, parser in owners:
                if kind == "parser" and call not in parser.add_arguments:
                    parser.add_arguments.append(call)
        found = list(self._by_call.values())
        for parser in found:
            parser.add_arguments.sort(key=lambda c: (c.lineno, c.col_offset))
        found.sort(key=lambda p: (p.create.lineno, p.create.col_offset))
        return [p for p in found if p.var or p.parent is not None or p.add_arguments]

    def receiver_parsers(self, call: ast.Call) -> list[ArgParser]:
        """The file's parsers ``X`` may hold in ``X.parse_args()`` / ``X.add_argument()``."""
        self.parsers  # noqa: B018 - builds the parsers the resolution below returns
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not isinstance(receiver, ast.Name):
            return []
        scope = self.flow.scope_of_node(call)
        return [p for k, p in self._resolve(receiver.id, scope, call.lineno) if k == "parser"]

    @cached_property
    def parse_calls(self) -> list[ast.Call]:
        """``X.parse_args(...)`` / ``X.parse_known_args(...)`` calls, any receiver."""
        return [
            call
            for call, _ in self.ctx.calls
            if isinstance(call.func, ast.Attribute)
            and call.func.attr in ("parse_args", "parse_known_args")
        ]

    @cached_property
    def config_driven(self) -> list[tuple[ast.AST, str]]:
        """Seeds the tool cannot follow: Hydra, HfArgumentParser, a parser from elsewhere."""
        found: list[tuple[ast.AST, str]] = []
        for call, qualname in self.ctx.calls:
            if qualname in _CONFIG_PARSERS:
                found.append((call, "HfArgumentParser dataclasses"))
            elif qualname in ("hydra.main",):
                found.append((call, "a Hydra config"))
        known = {p.var for p in self.parsers}
        built_elsewhere = self._parsers_from_calls()
        for call in self.parse_calls:
            receiver = call.func.value  # type: ignore[attr-defined]
            if not isinstance(receiver, ast.Name) or receiver.id in known:
                continue
            if self.receiver_parsers(call):
                continue  # ``parser = build_parser()``, a function of this file
            qualname = self.ctx.qualify(receiver)
            if qualname and qualname != "argparse" and not qualname.startswith("argparse."):
                found.append((call, f"a parser imported from {qualname.rsplit('.', 1)[0]}"))
            elif receiver.id in built_elsewhere:
                found.append((call, f"a parser built by {built_elsewhere[receiver.id]}"))
        parsed_names = {p.var for p in self.parsers} | set(built_elsewhere)
        remote = {
            t.id
            for c, _ in self.ctx.calls
            if id(c) in self.remote_parses
            for t in getattr(self.ctx.parent(c), "targets", [])
            if isinstance(t, ast.Name)
        }
        for name, origin in built_elsewhere.items():
            if name in remote:
                continue  # another module of the project parses them: it is followed
            if name in parsed_names and _ARGS_FUNCTION.search(origin) and self._seed_read(name):
                found.append((self._assignment(name), f"arguments parsed by {origin}"))
        return found

    def _seed_read(self, name: str) -> bool:
        """``name.seed`` (or another seed attribute) is read somewhere in the file."""
        return any(
            isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id == name
            and SEED_NAME.match(n.attr)
            for n in self.ctx.nodes
        )

    def _assignment(self, name: str) -> ast.stmt:
        for node in self.ctx.nodes:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return node
        return self.ctx.tree.body[0]

    def _parsers_from_calls(self) -> dict[str, str]:
        """``parser = get_parser()`` where ``get_parser`` is imported: name -> origin."""
        found = {}
        for node in self.ctx.nodes:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call)
            ):
                qualname = self.ctx.qualify(node.value.func)
                if qualname and not qualname.startswith("argparse."):
                    found[node.targets[0].id] = f"{qualname}()"
        return found

    def _option_strings(self, call: ast.Call) -> list[str]:
        return [
            a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]

    def argparse_dest(self, call: ast.Call) -> str | None:
        """The ``dest`` of an ``add_argument`` call for an option (not a positional)."""
        options = self._option_strings(call)
        if not options or not all(o.startswith("-") for o in options):
            return None
        explicit = next(
            (
                k.value.value
                for k in call.keywords
                if k.arg == "dest" and isinstance(k.value, ast.Constant)
            ),
            None,
        )
        return explicit if isinstance(explicit, str) else flag_dest(options)

    @cached_property
    def seed_flags(self) -> list[SeedFlag]:
        """Every definition of a seed option: argparse (any parser, group, subparser or
        helper), absl ``DEFINE_*`` and click ``@click.option``, in file order."""
        found: list[SeedFlag] = []
        for parser in self.parsers:
            for call in parser.add_arguments:
                dest = self.argparse_dest(call)
                if dest and SEED_NAME.match(dest):
                    found.append(SeedFlag(call, dest, "argparse", parser))
        for call, qualname in self.ctx.calls:
            if qualname and _ABSL_DEFINE.match(qualname):
                name = call.args[0] if call.args else None
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    if SEED_NAME.match(name.value):
                        found.append(SeedFlag(call, name.value, "absl"))
            if qualname == "click.option":
                options = self._option_strings(call)
                if options and SEED_NAME.match(flag_dest(options) or ""):
                    found.append(SeedFlag(call, flag_dest(options) or "seed", "click"))
        found.sort(key=lambda f: (f.call.lineno, f.call.col_offset))
        return found

    @cached_property
    def seed_flag(self) -> SeedFlag | None:
        """The seed option the script's arguments carry (the first one defined)."""
        return self.seed_flags[0] if self.seed_flags else None

    @cached_property
    def main_parser(self) -> ArgParser | None:
        """The parser whose result the script uses: the seed flag's (the top-level parser
        when the flag is on a subparser), else the last one parsed."""
        flag = self.seed_flag
        if flag is not None and flag.parser is not None:
            return flag.parser.root
        parsed = [
            p for p in self.parsers if any(p in self.receiver_parsers(c) for c in self.parse_calls)
        ]
        return parsed[-1] if parsed else None

    @cached_property
    def parse_helpers(self) -> set[str]:
        """Functions that return the parsed arguments (``def parse_args(): ... return p.parse_args()``)."""
        names = set()
        for call in self.parse_calls:
            parent = self.ctx.parent(call)
            function = self.ctx.enclosing_function(call)
            if function is None:
                continue
            if isinstance(parent, ast.Return):
                names.add(function.name)
            elif isinstance(parent, ast.Assign) and isinstance(parent.targets[0], ast.Name):
                var = parent.targets[0].id
                for node in ast.walk(function):
                    if not isinstance(node, ast.Return):
                        continue
                    value = node.value
                    if isinstance(value, ast.Tuple) and value.elts:
                        value = value.elts[0]  # ``return args, args_text``
                    if isinstance(value, ast.Name) and value.id == var:
                        names.add(function.name)
        return names

    @cached_property
    def parse_sites(self) -> list[ParseSite]:
        """Where the parsed arguments first exist, in the code that runs the training."""
        sites: list[ParseSite] = []
        parser = self.main_parser
        for call, _ in self.ctx.calls:
            is_parse = (
                parser is not None
                and call in self.parse_calls
                and parser in self.receiver_parsers(call)
            )
            is_helper = (
                isinstance(call.func, ast.Name) and call.func.id in self.parse_helpers
            ) or id(call) in self.remote_parses
            if not (is_parse or is_helper):
                continue
            stmt = self.ctx.statement_of(call)
            if not isinstance(stmt, ast.Assign) or stmt.value is not call:
                continue
            function = self.ctx.enclosing_function(call)
            if is_parse and function is not None and function.name in self.parse_helpers:
                continue  # inside the helper: the site is where the helper is called
            target = stmt.targets[0]
            if isinstance(target, ast.Tuple) and target.elts:
                target = target.elts[0]
            if isinstance(target, ast.Name):
                sites.append(ParseSite(stmt, target.id))
        if sites:
            return sites
        flag = self.seed_flag
        if flag and flag.kind == "absl":
            for call, qualname in self.ctx.calls:
                if qualname in _ABSL_RUN and call.args and isinstance(call.args[0], ast.Name):
                    main = self._module_function(call.args[0].id)
                    flags_var = self._absl_flags_var()
                    if main is not None and flags_var:
                        sites.append(ParseSite(main, flags_var, prepend=True))
        if flag and flag.kind == "click":
            command = self.ctx.parent(flag.call)
            if isinstance(command, ast.FunctionDef):
                sites.append(ParseSite(command, None, prepend=True))
        return sites

    def _module_function(self, name: str) -> ast.FunctionDef | None:
        for stmt in self.ctx.tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return stmt
        return None

    def _absl_flags_var(self) -> str | None:
        for stmt in self.ctx.nodes:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                qualname = self.ctx.qualify(stmt.value) or ""
                if qualname.endswith("flags.FLAGS"):
                    return stmt.targets[0].id
        return None

    def rank_from_args(self, args: str) -> str | None:
        parser = self.main_parser
        if parser is None:
            return None
        dests = set()
        for call in parser.add_arguments:
            dest = flag_dest(self._option_strings(call))
            if dest:
                dests.add(dest)
        if "world_size" in dests and "local_rank" in dests:
            return f"ngpus={args}.world_size, local_rank={args}.local_rank"
        return None


def block_of(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt] | None:
    """The statement list ``stmt`` sits in."""
    parent = ctx.parent(stmt)
    if parent is None:
        return None
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and stmt in block:
            return block
    for handler in getattr(parent, "handlers", []):
        if stmt in handler.body:
            return handler.body
    return None


def _argument_for(function: ast.AST, call: ast.Call, name: str) -> ast.expr | None:
    """The argument ``call`` passes for ``function``'s parameter ``name``."""
    args = function.args  # type: ignore[attr-defined]
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if isinstance(call.func, ast.Attribute) and positional[:1] in (["self"], ["cls"]):
        positional = positional[1:]
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if name in positional:
        index = positional.index(name)
        plain = [a for a in call.args if not isinstance(a, ast.Starred)]
        if index < len(plain) and len(plain) == len(call.args[: index + 1]):
            return plain[index]
    return None
