"""The post-conditions of a migration, checked on the rewritten text before it is written.

``apply`` writes a file only when its new text keeps every guarantee below (the spirit of
ruff reverting a fix that breaks syntax, one level up: the fixed *program* must still
work). The new text is parsed and analysed again, on its own and against the text it
came from:

- **a** ``seeder.init`` runs before every ``reseed``, ``SeederCB``, ``SeederCallback``,
  ``sampler_seed`` and ``worker_init_fn`` use, on every path (never inside a branch,
  ``except`` or loop the use is outside of; across functions, every call that leads to
  the use comes after an ``init``; a process target must call ``init`` itself);
- **b** one definition of the seed option per parser (argument groups, mutually
  exclusive groups, subparsers, same-file helpers that receive the parser, absl and
  click flags included), the option ``init`` reads is defined, and an option whose
  default became ``None`` is not computed with before ``init`` sets it;
- **c** an epoch reseed sits only in an outermost training loop (never in a loop over
  steps, nor in a loop that runs inside another loop), and no two loops share a task,
  so no ``(task, epoch)`` pair repeats within a run;
- **c2** where the original seeded (module level, ``main()``), ``init`` runs on that
  same path: a run that used to be seeded is still seeded;
- **e** the seed the script passed keeps reaching ``init`` (``master_seed=<it>``);
- **f** every comment of the original is still there.

(**d**, one ``apply`` reaching the fixpoint, is the pipeline's: it applies again until a
new analysis finds nothing fixable.) A violation names the guarantee, a location, and
the code at fault, so the pipeline can drop the edit that broke it and keep the others.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.tokens import TokenIndex
from seedmigrate.config import Config

#: What each guarantee promises, in the words findings use.
GUARANTEES: dict[str, str] = {
    "a": "seeder.init runs before every seeder use, on every path",
    "b": "one definition of the seed option per parser, read only once it is set",
    "c": "an epoch reseed only in the outermost training loop",
    "c2": "a path that was seeded stays seeded",
    "d": "one apply reaches the fixpoint",
    "e": "the seed the script used reaches seeder.init",
    "f": "every comment survives",
}
#: The same, spelt out for the rule reference.
GUARANTEE_DETAILS: dict[str, str] = {
    "a": "`seeder.init` runs before every `reseed`, `SeederCB`, `SeederCallback`, "
    "`sampler_seed` and `worker_init_fn` use, on every path: never inside a branch, "
    "`except` or loop the use is outside of; a loop in another function is served by an "
    '`init` that is unconditional in its own function (an `if __name__ == "__main__":` '
    "block counts) and runs before the call that leads to the loop; a function started "
    "in a new process (`mp.spawn`, `Process(target=...)`) calls `init` itself",
    "b": "exactly one definition of the seed option per parser, counting argument "
    "groups, mutually exclusive groups, subparsers, helpers of the same file that "
    "receive the parser, and absl / click flags; the option `init` reads exists; and "
    "once its default is `None`, nothing computes with it before `init` sets it "
    "(`offset = args.seed + 1` above the init would fail on `None`)",
    "c": "an epoch reseed sits only in the outermost training loop: never in a loop "
    "over steps, nor in a loop that runs inside another loop, and no two loops share a "
    "task, so no `(task, epoch)` pair repeats within a run",
    "c2": "where the original seeded (module level, `main()`), `init` runs on that same "
    "path: a run that used to be seeded is still seeded",
    "d": "a second analysis finds nothing fixable: `apply` applies again (at most 3 "
    "rounds), so one run is always enough",
    "e": 'the seed the script passed (`args.seed`, `int(os.environ["SEED"])`, '
    '`cfg["seed"]`, a constant) keeps reaching `init` as `master_seed`, rank arithmetic '
    "(`seed + rank`) aside; otherwise the manual seeding call stays",
    "f": "every comment of the original is still there (a removed statement's comments "
    "stay where it was)",
}
_USES = ("reseed", "SeederCB", "SeederCallback", "sampler_seed", "worker_init_fn")


@dataclass(frozen=True)
class Violation:
    """A broken guarantee: where (``line``/``column`` in the new text, or in the old
    one when ``in_original``), why, and the code at fault (``text``)."""

    guarantee: str
    message: str
    line: int
    column: int
    text: str = ""
    in_original: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.guarantee, self.text


def facts_for(text: str, tree: ast.Module, config: Config | None = None, project=None) -> FileFacts:
    """The analyses of one text, as the rules see them (``project``: its ProjectView)."""
    return FileFacts(FileContext(text, tree, config), TokenIndex(text), project=project)


def check(before: FileFacts, after: FileFacts) -> list[Violation]:
    """Every guarantee ``after`` (the rewritten text) breaks relative to ``before``.

    Guarantees a, b and c are about the new program alone; a violation the old text
    already had is not counted against the rewrite.
    """
    found: list[Violation] = []
    old = Counter(v.key for v in _program_violations(before))
    for violation in _program_violations(after):
        if old[violation.key] > 0:
            old[violation.key] -= 1
            continue
        found.append(violation)
    found += _seeded_paths(before, after)
    found += _comments(before, after)
    return found


def _program_violations(facts: FileFacts) -> list[Violation]:
    return [*_init_first(facts), *_one_seed_option(facts), *_outermost_reseeds(facts)]


# -- a: init before every use ----------------------------------------------------------------


def seeder_uses(facts: FileFacts) -> list[ast.AST]:
    """``seeder.reseed(...)`` & co, and ``seeder.worker_init_fn`` passed as a value."""
    ctx = facts.ctx
    alias = ctx.seeder_import[0] if ctx.seeder_import else None
    if alias is None:
        return []
    found: list[ast.AST] = []
    for node in ctx.nodes:
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _USES
            and isinstance(node.value, ast.Name)
            and node.value.id == alias
        ):
            parent = ctx.parent(node)
            found.append(parent if isinstance(parent, ast.Call) else node)
    return found


def _init_first(facts: FileFacts) -> list[Violation]:
    from seedmigrate.analysis.migration import init_points, init_statements

    ctx = facts.ctx
    uses = seeder_uses(facts)
    if not uses:
        return []
    library = not init_statements(facts)
    points = init_points(facts, planned=False)
    found = []
    for use in uses:
        if facts.flow.served(use, points, library=library):
            continue
        line, column = ctx.pos(use)
        found.append(
            Violation(
                "a",
                f"`{ctx.source_of(use)}` can run before seeder.init",
                line,
                column + 1,
                _normal(ctx.source_of(use)),
            )
        )
    return found


# -- b: one seed option per parser -----------------------------------------------------------


def _one_seed_option(facts: FileFacts) -> list[Violation]:
    entry, ctx = facts.entry, facts.ctx
    found: list[Violation] = []

    def duplicate(call: ast.Call, dest: str, where: str) -> None:
        line, column = ctx.pos(call)
        found.append(
            Violation("b", f"seed option `{dest}` is defined twice {where}", line, column + 1, dest)
        )

    for parser in entry.parsers:
        seen: dict[str, ast.Call] = {}
        for call in parser.add_arguments:
            dest = entry.argparse_dest(call)
            if not dest or not _is_seed_dest(dest):
                continue
            if dest in seen:
                duplicate(call, dest, f"on parser `{parser.var or 'subparser'}`")
            seen[dest] = call
        ancestor = parser.parent
        while ancestor is not None:
            for call in ancestor.add_arguments:
                dest = entry.argparse_dest(call)
                if dest in seen:
                    duplicate(
                        seen[dest],
                        dest,
                        "on a subparser and its parent (the subparser's default wins)",
                    )
            ancestor = ancestor.parent
    others = Counter(
        (flag.kind, flag.dest) for flag in entry.seed_flags if flag.kind in ("absl", "click")
    )
    for flag in entry.seed_flags:
        if flag.kind in ("absl", "click") and others[(flag.kind, flag.dest)] > 1:
            duplicate(flag.call, flag.dest, f"as a {flag.kind} flag")
            others[(flag.kind, flag.dest)] = 0
    found += _init_reads_defined_option(facts)
    found += _read_before_init(facts)
    return found


def _read_before_init(facts: FileFacts) -> list[Violation]:
    """The seed option defaults to ``None`` and a computation reads it before
    ``seeder.init`` sets it (``seed = args.seed + rank`` above the init): it would fail
    on ``None`` in every run without ``--seed``."""
    from seedmigrate.analysis.migration import init_points, init_statements

    entry, ctx = facts.entry, facts.ctx
    dests = {
        flag.dest
        for flag in entry.seed_flags
        if flag.kind == "argparse" and _defaults_to_none(flag.call)
    }
    holders = {site.args for site in entry.parse_sites if site.args}
    if not dests or not holders or not init_statements(facts):
        return []
    points = init_points(facts, planned=False)
    found = []
    for node in ctx.nodes:
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in dests
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id in holders
        ):
            continue
        parent = ctx.parent(node)
        if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.If)):
            continue  # ``if args.seed is not None:``: a test, not a computation (SEED018)
        if _in_init_call(ctx, node) or _guarded_by_none_test(ctx, node):
            continue
        if facts.flow.served(node, points):
            continue
        line, column = ctx.pos(node)
        found.append(
            Violation(
                "b",
                f"`{ctx.source_of(node)}` is read before seeder.init while the option defaults "
                "to None",
                line,
                column + 1,
                "default:" + node.attr,
            )
        )
    return found


def _in_init_call(ctx, node: ast.AST) -> bool:
    """``node`` is (part of) an argument of ``seeder.init``: read by it, not before it."""
    return any(
        isinstance(up, ast.Call) and ctx.is_seeder_call(up, "init") for up in ctx.ancestors(node)
    )


def _guarded_by_none_test(ctx, node: ast.AST) -> bool:
    """``node`` is read only where a test of the same expression against ``None`` let it
    through: ``args.seed if args.seed is not None else 0``, ``args.seed or 0``."""
    text = ctx.source_of(node)
    for up in ctx.ancestors(node):
        if isinstance(up, ast.IfExp):
            test = up.test
        elif isinstance(up, ast.BoolOp):
            test = up.values[0]
        else:
            continue
        if any(ctx.source_of(sub) == text for sub in ast.walk(test) if sub is not node):
            return True
    return False


def _defaults_to_none(call: ast.Call) -> bool:
    default = next((k.value for k in call.keywords if k.arg == "default"), None)
    return default is None or (isinstance(default, ast.Constant) and default.value is None)


def _is_seed_dest(dest: str) -> bool:
    from seedmigrate.analysis.seeding import SEED_NAME

    return bool(SEED_NAME.match(dest))


def _init_reads_defined_option(facts: FileFacts) -> list[Violation]:
    """``init(master_seed=args.seed)`` with ``args`` from a parser that has no ``--seed``."""
    entry, ctx = facts.entry, facts.ctx
    parser = entry.main_parser
    holders = {site.args for site in entry.parse_sites if site.args}
    if parser is None or not holders:
        return []
    found = []
    for call in _init_calls(facts):
        seed = master_seed(call)
        if isinstance(seed, ast.Name) and seed.id in holders:
            line, column = ctx.pos(call)
            found.append(
                Violation(
                    "b",
                    f"seeder.init is given the whole parsed arguments `{seed.id}`, not a seed",
                    line,
                    column + 1,
                    "init:" + seed.id,
                )
            )
            continue
        if not (
            isinstance(seed, ast.Attribute)
            and isinstance(seed.value, ast.Name)
            and seed.value.id in holders
        ):
            continue
        dests = {entry.argparse_dest(c) for c in parser.add_arguments}
        subs = parser.subparsers
        defined = seed.attr in dests or (
            subs
            and all(seed.attr in {entry.argparse_dest(c) for c in s.add_arguments} for s in subs)
        )
        if not defined and not _dest_set_elsewhere(facts, seed):
            line, column = ctx.pos(call)
            found.append(
                Violation(
                    "b",
                    f"seeder.init reads `{ctx.source_of(seed)}`, which the parser does not define",
                    line,
                    column + 1,
                    "init:" + seed.attr,
                )
            )
    return found


def _dest_set_elsewhere(facts: FileFacts, seed: ast.Attribute) -> bool:
    """``args.seed = ...`` / ``parser.set_defaults(seed=...)`` somewhere in the file."""
    for node in facts.ctx.nodes:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == seed.attr for t in node.targets
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "set_defaults"
            and any(k.arg == seed.attr for k in node.keywords)
        ):
            return True
    return False


def _init_calls(facts: FileFacts) -> list[ast.Call]:
    return [call for call, _ in facts.ctx.calls if facts.ctx.is_seeder_call(call, "init")]


def master_seed(call: ast.Call) -> ast.expr | None:
    """The ``master_seed`` argument of ``seeder.init(...)``."""
    for keyword in call.keywords:
        if keyword.arg == "master_seed":
            return keyword.value
    return call.args[0] if call.args else None


# -- c: reseeds only in outermost training loops ---------------------------------------------


def _outermost_reseeds(facts: FileFacts) -> list[Violation]:
    ctx, flow = facts.ctx, facts.flow
    loops = {id(t.loop) for t in facts.training._candidates}
    tasks: Counter[str] = Counter()
    found = []
    for call, _ in ctx.calls:
        if not ctx.is_seeder_call(call, "reseed") or not call.args:
            continue
        task = call.args[0]
        if isinstance(task, ast.Constant) and task.value == 0:
            continue  # ``reseed(0, 0)`` right after init
        loop = next(
            (
                a
                for a in ctx.ancestors(call)
                if isinstance(a, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef))
            ),
            None,
        )
        if loop is None or isinstance(loop, ast.FunctionDef):
            continue
        problem = None
        if flow.in_loop(loop):
            problem = "runs inside another loop, so its (task, epoch) seeds repeat"
        elif id(loop) not in loops:
            problem = "is in a loop over steps, not epochs or iterations"
        else:
            tasks[ctx.source_of(task)] += 1
            if tasks[ctx.source_of(task)] == 2:
                problem = "reuses a task number another training loop reseeds with"
        if problem:
            line, column = ctx.pos(call)
            found.append(
                Violation(
                    "c",
                    f"`{ctx.source_of(call)}` {problem}",
                    line,
                    column + 1,
                    _normal(ctx.source_of(call)),
                )
            )
    return found


# -- c2, e: seeded paths stay seeded, with the same seed -------------------------------------


def _seeded_paths(before: FileFacts, after: FileFacts) -> list[Violation]:
    from seedmigrate.analysis.migration import (
        UNKNOWN_SEED,
        _external_seed,
        init_points,
        is_flag_expression,
        seeding_sites,
        strip_rank,
    )

    sites = seeding_sites(before)
    if not sites:
        return []
    new_lines = _line_map(before.ctx.text, after.ctx.text)
    points = init_points(after, planned=False)
    seeds = [master_seed(c) for c in _init_calls(after)]
    found: list[Violation] = []
    for stmt, seed in sites:
        end = stmt.end_lineno or stmt.lineno
        if any(new_lines.get(n) is not None for n in range(stmt.lineno, end + 1)):
            continue  # still there: the script seeds by hand as before
        text = before.ctx.source_of(stmt).splitlines()[0] if before.ctx.source_of(stmt) else ""
        position = (stmt.lineno, before.ctx.pos(stmt)[1] + 1)
        if _covered_by_entries(before, stmt):
            continue  # a library function: the entry scripts that run it init, with its seed
        if not _covered(before, after, stmt, new_lines, points):
            found.append(
                Violation(
                    "c2",
                    f"`{text.strip()}` seeded this path, and no seeder.init runs on it now",
                    *position,
                    text=f"site:{stmt.lineno}",
                    in_original=True,
                )
            )
            continue
        if seed is None:
            continue
        if seed is UNKNOWN_SEED:
            found.append(
                Violation(
                    "e",
                    f"the seed `{text.strip()}` passes on cannot be traced to seeder.init",
                    *position,
                    text=f"site:{stmt.lineno}",
                    in_original=True,
                )
            )
            continue
        wanted = strip_rank(before, seed)
        wanted_texts = _spellings(before, wanted)
        flag_or_constant = isinstance(wanted, ast.Constant) or not _external_seed(before, wanted)
        ok = False
        for got in seeds:
            if got is None:
                continue
            if _spellings(after, got) & wanted_texts:
                ok = True
            elif flag_or_constant and is_flag_expression(after, got):
                ok = not is_flag_expression(before, wanted) or (
                    _flag_attr(wanted) == _flag_attr(got)
                )
        if not ok:
            found.append(
                Violation(
                    "e",
                    f"the seed `{before.ctx.source_of(seed)}` no longer reaches seeder.init",
                    *position,
                    text=f"site:{stmt.lineno}",
                    in_original=True,
                )
            )
    return found


def _spellings(facts: FileFacts, seed: ast.AST) -> set[str]:
    """The texts a seed expression stands for: itself, and for a name assigned once in
    its function, the value (``seed = int(os.environ["SEED"])``; ``seed``), rank
    arithmetic stripped (``seed = args.seed + rank``: ``args.seed``)."""
    from seedmigrate.analysis.migration import strip_rank, through_rank_variable

    texts = {_normal(facts.ctx.source_of(seed))}
    if isinstance(seed, ast.expr):
        traced = strip_rank(facts, through_rank_variable(facts, seed))
        texts.add(_normal(facts.ctx.source_of(traced)))
    if isinstance(seed, ast.Name):
        scope = facts.flow.scope_of_node(seed) if hasattr(seed, "lineno") else facts.ctx.tree
        values = [
            node.value
            for node in facts.ctx.scope_nodes(scope)
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == seed.id
        ]
        if len(values) == 1:
            texts.add(_normal(facts.ctx.source_of(values[0])))
    return texts


def _flag_attr(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Call, ast.BoolOp)):
        node = node.args[0] if isinstance(node, ast.Call) else node.values[0]
    return node.attr if isinstance(node, ast.Attribute) else None


def _covered_by_entries(before: FileFacts, stmt: ast.stmt) -> bool:
    """``stmt`` is in a library function every entry script that runs it calls
    ``seeder.init`` for (their own analysis checks the seed they pass reaches it)."""
    home = before.flow.scope_of_node(stmt)
    return (
        before.project is not None
        and home is not before.ctx.tree
        and before.project.run_by_initialising_entries(home, before.ctx)
    )


def _covered(
    before: FileFacts, after: FileFacts, stmt: ast.stmt, new_lines: dict[int, int | None], points
) -> bool:
    """What ran after ``stmt`` (the seeding that went) runs after an ``init`` of ``after``
    on every path: nothing that used to be seeded is left unseeded."""
    flow = after.flow
    scope_name = _scope_name(before, stmt)
    home = _find_scope(after, scope_name)
    if home is None:
        return True  # the whole function went (a helper that only seeded): its calls count
    following = _following_statement(before, after, stmt, new_lines, home)
    active = flow.first_active(following)
    if active is not None:
        return flow.served(active, points)
    if home is after.ctx.tree:
        return True  # the end of the module: nothing ran after it
    sites = [site for site, kind in flow.callers(home) if kind == "call"]
    if not sites:
        return any(flow.scope(p) is home and flow.unconditional(p) for p in points)
    return all(
        (statement := after.ctx.statement_of(site)) is not None
        and flow.seeded_after(statement, points)
        for site in sites
    )


def _scope_name(facts: FileFacts, node: ast.AST) -> str:
    parts = []
    for ancestor in facts.ctx.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts.append(ancestor.name)
    return ".".join(reversed(parts))


def _find_scope(facts: FileFacts, name: str) -> ast.AST | None:
    if not name:
        return facts.ctx.tree
    for node in facts.ctx.nodes:
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (_scope_name(facts, node) + "." + node.name).lstrip(".") == name
        ):
            return node
    return None


def _following_statement(
    before: FileFacts, after: FileFacts, stmt: ast.stmt, new_lines, home: ast.AST
) -> ast.stmt | None:
    """The statement of ``after`` that runs right after where ``stmt`` was (the first
    of those that came after it in ``before`` that is still there), in its function."""
    starts = {
        (node.lineno, node.col_offset): node
        for node in after.ctx.nodes
        if isinstance(node, ast.stmt) and after.flow.scope_of_node(node) is home
    }
    current = before.flow.next_statement(stmt)
    while current is not None:
        new_line = new_lines.get(current.lineno)
        if new_line is not None and (new_line, current.col_offset) in starts:
            return starts[(new_line, current.col_offset)]
        current = before.flow.next_statement(current)
    return None


def _line_map(old: str, new: str) -> dict[int, int | None]:
    """Old line number -> new line number for lines kept unchanged (else ``None``)."""
    import difflib

    from seedmigrate.analysis.context import source_lines

    a, b = source_lines(old), source_lines(new)
    mapping: dict[int, int | None] = {n: None for n in range(1, len(a) + 1)}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                mapping[i1 + offset + 1] = j1 + offset + 1
    return mapping


# -- f: comments -----------------------------------------------------------------------------


def comments(text: str) -> Counter[str]:
    """Every comment of a source text (``#`` to the end of its line, trailing blanks off)."""
    found: Counter[str] = Counter()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found[token.string.rstrip()] += 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for match in re.finditer(r"#[^\r\n]*", text):  # approximate; never crashes
            found[match.group().rstrip()] += 1
    return found


#: Texts at least this long have their comments compared only where lines changed.
_COMPARE_ALL_BELOW = 200_000


def _comments(before: FileFacts, after: FileFacts) -> list[Violation]:
    old, new = before.ctx.text, after.ctx.text
    if len(old) < _COMPARE_ALL_BELOW:
        lost = comments(old) - comments(new)
    else:
        lost = _changed_comments(before, after)
    if not lost:
        return []
    lines = old.splitlines()
    found = []
    for comment in lost:
        number = next((i for i, line in enumerate(lines, 1) if comment in line), 1)
        found.append(
            Violation(
                "f",
                f"the comment `{comment}` would be lost",
                number,
                1,
                text=f"comment:{number}",
                in_original=True,
            )
        )
    return found


def _changed_comments(before: FileFacts, after: FileFacts) -> Counter[str]:
    """Comments of a long text lost where lines changed: the top-level statements (with
    the lines above them) that hold a changed line are tokenized, old and new; a
    top-level statement is always complete, so each tokenizes on its own."""
    import difflib

    from seedmigrate.analysis.context import source_lines

    a, b = source_lines(before.ctx.text), source_lines(after.ctx.text)
    changed_old: set[int] = set()
    changed_new: set[int] = set()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed_old.update(range(i1 + 1, i2 + 2))
            changed_new.update(range(j1 + 1, j2 + 2))
    return _comments_near(a, before.ctx.tree, changed_old) - _comments_near(
        b, after.ctx.tree, changed_new
    )


def _comments_near(lines: list[str], tree: ast.Module, changed: set[int]) -> Counter[str]:
    found: Counter[str] = Counter()
    previous_end = 0
    spans = []
    for stmt in tree.body:
        end = stmt.end_lineno or stmt.lineno
        spans.append((previous_end + 1, end))
        previous_end = end
    spans.append((previous_end + 1, len(lines)))  # comments after the last statement
    for start, end in spans:
        if any(line in changed for line in range(start, end + 1)):
            found += comments("".join(lines[start - 1 : end]))
    return found


def _normal(code: str) -> str:
    return re.sub(r"\s+", "", code)
