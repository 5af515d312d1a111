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


def _first_removal(facts: FileFacts) -> ast.stmt | None:
    """The first statement that seeding removal takes away, outside removed helpers."""
    seeding = facts.seeding
    removed_helpers = set(map(id, seeding.removed_helpers().values()))
    candidates = []
    for call in seeding.calls:
        if call.statement_level and not call.in_loop_or_thread:
            target = seeding.removal_target(facts.ctx.parent(call.call))
            if id(target) not in removed_helpers:
                candidates.append(target)
    for name in seeding.removed_helpers():
        for call in seeding.helper_calls[name]:
            candidates.append(seeding.removal_target(facts.ctx.parent(call)))
    candidates.sort(key=lambda s: (s.lineno, s.col_offset))
    return candidates[0] if candidates else None


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
    seed = facts.seeding.seed_expression()
    argument = f"master_seed={ctx.source_of(seed)}" if seed is not None else ""
    code = f"{s}.init({argument})\n{s}.reseed(0, 0)\n"
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
