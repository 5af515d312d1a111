"""Where the migrated script's seeding starts: the ``seeder.init`` block and its place.

Shared by the seed-flag rules (SEED003/SEED004) and the init rule (SEED005), which
must agree on the parser, the seed flag's name and the insertion point.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit


@dataclass(frozen=True)
class InitPlan:
    """The edits that start seeding, and the node a finding about them points at."""

    anchor: ast.AST
    edits: tuple[Edit, ...]


def has_init(facts: FileFacts) -> bool:
    return any(facts.ctx.is_seeder_call(call, "init") for call, _ in facts.ctx.calls)


def is_entry_script(facts: FileFacts) -> bool:
    """The file starts a training run (as opposed to a trainer module it imports)."""
    if not facts.trains:
        return False
    if facts.entry.parse_sites or _main_guard(facts) is not None:
        return True
    removals = _first_removal(facts)
    if removals is not None:
        return True
    training = [loop.loop for loop in facts.training.epoch_loops] + facts.training.fit_calls
    return any(facts.ctx.enclosing_function(node) is None for node in training)


def seed_dest(facts: FileFacts) -> str:
    flag = facts.entry.seed_flag
    return flag.dest if flag else "seed"


def _main_guard(facts: FileFacts) -> ast.If | None:
    for stmt in facts.ctx.tree.body:
        if (
            isinstance(stmt, ast.If)
            and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name)
            and stmt.test.left.id == "__name__"
        ):
            return stmt
    return None


def _seeding_sites(facts: FileFacts) -> list[tuple[ast.stmt, ast.expr | None]]:
    """Where the script seeds today, in order, with the seed it passes.

    A site is a removed seeding statement, or a call statement of a function of the
    file that seeds (a helper such as ``set_seed(args.seed)``, removed or kept). Seeding
    inside such helpers is not a site: ``init`` belongs where the helper is called.
    """
    ctx, seeding = facts.ctx, facts.seeding
    seeding_functions: dict[str, ast.FunctionDef] = {}
    sites: list[tuple[ast.stmt, ast.expr | None]] = []
    for call in seeding.calls:
        if not call.statement_level or call.in_loop_or_thread:
            continue
        function = ctx.enclosing_function(call.call)
        if isinstance(function, ast.FunctionDef) and function in ctx.tree.body:
            if function.name in seeding.helpers or "seed" in function.name.lower():
                seeding_functions[function.name] = function
                continue
        target = seeding.removal_target(ctx.parent(call.call))
        sites.append((target, call.call.args[0] if call.call.args else None))
    for name in seeding_functions:
        for call, _ in ctx.calls:
            if not (isinstance(call.func, ast.Name) and call.func.id == name):
                continue
            stmt = ctx.parent(call)
            if isinstance(stmt, ast.Expr) and not seeding._in_loop_or_thread(call):
                target = seeding.removal_target(stmt)
                sites.append((target, call.args[0] if call.args else None))
    sites.sort(key=lambda site: (site[0].lineno, site[0].col_offset))
    return sites


def _first_removal(facts: FileFacts) -> ast.stmt | None:
    sites = _seeding_sites(facts)
    return sites[0][0] if sites else None


def _seed_expression(facts: FileFacts) -> ast.expr | None:
    """The seed every site passes, when they agree (``0``, ``SEED``, ``args.seed``)."""
    seeds = [seed for _, seed in _seeding_sites(facts)]
    if not seeds or any(seed is None for seed in seeds):
        return None
    if len({ast.dump(seed) for seed in seeds}) != 1:
        return None
    seed = seeds[0]
    if isinstance(seed, ast.Constant) and isinstance(seed.value, int):
        return seed
    if isinstance(seed, (ast.Name, ast.Attribute)):
        return seed
    return None


def init_plan(facts: FileFacts) -> InitPlan | None:
    """How to add ``seeder.init``; ``None`` when the file is not an entry script."""
    ctx, entry = facts.ctx, facts.entry
    if not is_entry_script(facts):
        return None
    s = ctx.seeder_name
    edits: list[Edit] = list(ctx.import_edit())
    dest = seed_dest(facts)
    sites = entry.parse_sites
    if sites:
        for site in sites:
            if site.args is None:  # click: the seed is a parameter of the command
                code = f"{s}.init(master_seed={dest})\n{dest} = {s}.get_master_seed()\n"
            else:
                anchor_stmt, rank = entry.distributed_after(site)
                rank = rank or entry.rank_from_args(site.args)
                extra = f", {rank}" if rank else ""
                code = (
                    f"{s}.init(master_seed={site.args}.{dest}{extra})\n"
                    f"{site.args}.{dest} = {s}.get_master_seed()\n"
                )
            code += f"{s}.reseed(0, 0)\n"
            if site.prepend:
                edits.append(Edit("prepend_body", ctx.pos(site.stmt), code))
            else:
                anchor_stmt = entry.distributed_after(site)[0] or site.stmt
                edits.append(Edit("insert_after", ctx.pos(anchor_stmt), code))
        return InitPlan(sites[0].stmt, tuple(edits))
    seed = _seed_expression(facts)
    code = f"{s}.init()\n"
    if seed is not None:
        text = ctx.source_of(seed)
        code = f"{s}.init(master_seed={text})\n"
        if isinstance(seed, ast.Attribute) or (isinstance(seed, ast.Name) and not text.isupper()):
            code += f"{text} = {s}.get_master_seed()\n"
    code += f"{s}.reseed(0, 0)\n"
    first = _first_removal(facts)
    if first is not None:
        edits.append(Edit("insert_before", ctx.pos(first), code))
        return InitPlan(first, tuple(edits))
    guard = _main_guard(facts)
    if guard is not None:
        edits.append(Edit("prepend_body", ctx.pos(guard), code))
        return InitPlan(guard, tuple(edits))
    edits.append(Edit("after_imports", code=code))
    return InitPlan(ctx.tree.body[0], tuple(edits))
