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
from seedmigrate.analysis.seeding import SEED_NAME

_ABSL_DEFINE = re.compile(r"^(absl\.flags|tensorflow\.(compat\.v1\.)?(app\.)?flags)\.DEFINE_\w+$")
_ABSL_RUN = frozenset({"absl.app.run", "tensorflow.compat.v1.app.run", "tensorflow.app.run"})
_CONFIG_PARSERS = frozenset(
    {"transformers.HfArgumentParser", "transformers.hf_argparser.HfArgumentParser"}
)
_DIST_INIT = frozenset(
    {
        "torch.distributed.init_process_group",
        "torch.distributed.distributed_c10d.init_process_group",
    }
)
_ARGS_FUNCTION = re.compile(r"(arg|pars|option|opt|config|cfg|flag)", re.IGNORECASE)
SEED_HELP = "master seed (default: drawn at random and logged)"


def flag_dest(option_strings: list[str]) -> str | None:
    """argparse's ``dest`` for option strings (``--random-seed`` -> ``random_seed``)."""
    longs = [s for s in option_strings if s.startswith("--")]
    chosen = longs[0] if longs else (option_strings[0] if option_strings else "")
    return chosen.lstrip("-").replace("-", "_") or None


@dataclass
class ArgParser:
    """An ``argparse.ArgumentParser`` the file builds."""

    var: str
    create: ast.Call
    create_stmt: ast.stmt
    function: ast.AST | None
    groups: set[str] = field(default_factory=set)
    add_arguments: list[ast.Call] = field(default_factory=list)


@dataclass
class SeedFlag:
    """The option holding the master seed (``--seed``, ``--random_seed``, ``--manualSeed``)."""

    call: ast.Call
    dest: str
    kind: str  # "argparse" | "absl" | "click"


@dataclass
class ParseSite:
    """A statement after which the parsed arguments exist, and their name there."""

    stmt: ast.stmt
    args: str | None  # "args" -> args.seed; None when the seed is a plain variable
    prepend: bool = False  # insert at the start of ``stmt``'s body instead of after it


class EntryAnalysis:
    """Finds the parser, the seed flag and the init insertion point."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    @cached_property
    def parsers(self) -> list[ArgParser]:
        found: list[ArgParser] = []
        for call, qualname in self.ctx.calls:
            if qualname != "argparse.ArgumentParser":
                continue
            stmt = self.ctx.statement_of(call)
            if (
                isinstance(stmt, ast.Assign)
                and stmt.value is call
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                found.append(
                    ArgParser(stmt.targets[0].id, call, stmt, self.ctx.enclosing_function(call))
                )
        for parser in found:
            for call, _ in self.ctx.calls:
                func = call.func
                if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
                    continue
                if self.ctx.enclosing_function(call) is not parser.function:
                    continue
                owner = func.value.id
                if owner == parser.var and func.attr in (
                    "add_argument_group",
                    "add_mutually_exclusive_group",
                ):
                    stmt = self.ctx.statement_of(call)
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                        parser.groups.add(stmt.targets[0].id)
            for call, _ in self.ctx.calls:
                func = call.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "add_argument"
                    and isinstance(func.value, ast.Name)
                    and func.value.id in ({parser.var} | parser.groups)
                    and self.ctx.enclosing_function(call) is parser.function
                ):
                    parser.add_arguments.append(call)
        return found

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
            qualname = self.ctx.qualify(receiver)
            if qualname and qualname != "argparse" and not qualname.startswith("argparse."):
                found.append((call, f"a parser imported from {qualname.rsplit('.', 1)[0]}"))
            elif receiver.id in built_elsewhere:
                found.append((call, f"a parser built by {built_elsewhere[receiver.id]}"))
        parsed_names = {p.var for p in self.parsers} | set(built_elsewhere)
        for name, origin in built_elsewhere.items():
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
            for n in ast.walk(self.ctx.tree)
        )

    def _assignment(self, name: str) -> ast.stmt:
        for node in ast.walk(self.ctx.tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return node
        return self.ctx.tree.body[0]

    def _parsers_from_calls(self) -> dict[str, str]:
        """``parser = get_parser()`` where ``get_parser`` is imported: name -> origin."""
        found = {}
        for node in ast.walk(self.ctx.tree):
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

    @cached_property
    def seed_flag(self) -> SeedFlag | None:
        for parser in self.parsers:
            for call in parser.add_arguments:
                options = self._option_strings(call)
                dest = next(
                    (
                        k.value.value
                        for k in call.keywords
                        if k.arg == "dest" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                ) or flag_dest(options)
                if options and all(o.startswith("-") for o in options) and dest:
                    if SEED_NAME.match(dest):
                        return SeedFlag(call, dest, "argparse")
        for call, qualname in self.ctx.calls:
            if qualname and _ABSL_DEFINE.match(qualname):
                name = call.args[0] if call.args else None
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    if SEED_NAME.match(name.value):
                        return SeedFlag(call, name.value, "absl")
            if qualname == "click.option":
                options = self._option_strings(call)
                if options and SEED_NAME.match(flag_dest(options) or ""):
                    return SeedFlag(call, flag_dest(options) or "seed", "click")
        return None

    @cached_property
    def main_parser(self) -> ArgParser | None:
        """The parser whose result the script uses: the seed flag's, else the last parsed."""
        if self.seed_flag and self.seed_flag.kind == "argparse":
            for parser in self.parsers:
                if self.seed_flag.call in parser.add_arguments:
                    return parser
        parsed = [
            p
            for p in self.parsers
            if any(
                isinstance(c.func.value, ast.Name) and c.func.value.id == p.var  # type: ignore[attr-defined]
                for c in self.parse_calls
            )
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
                if any(
                    isinstance(n, ast.Return)
                    and isinstance(n.value, ast.Name)
                    and n.value.id == var
                    for n in ast.walk(function)
                ):
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
                and isinstance(call.func.value, ast.Name)  # type: ignore[attr-defined]
                and call.func.value.id == parser.var  # type: ignore[attr-defined]
            )
            is_helper = isinstance(call.func, ast.Name) and call.func.id in self.parse_helpers
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
            function = self.ctx.parent(flag.call)
            if isinstance(function, ast.FunctionDef):
                sites.append(ParseSite(function, None, prepend=True))
        return sites

    def _module_function(self, name: str) -> ast.FunctionDef | None:
        for stmt in self.ctx.tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return stmt
        return None

    def _absl_flags_var(self) -> str | None:
        for stmt in ast.walk(self.ctx.tree):
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
