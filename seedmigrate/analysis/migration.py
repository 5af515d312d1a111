"""Where the migrated script's seeding starts: the ``seeder.init`` block and its place.

Shared by the seed-flag rules (SEED003/SEED004) and the init rule (SEED005), which
must agree on the parser, the seed flag's name and the insertion point.
"""

from __future__ import annotations

import ast
import re
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
    """Where the script seeds today, in order, with the seed it passes (memoised)."""
    if "seeding_sites" not in facts.memo:
        facts.memo["seeding_sites"] = _find_seeding_sites(facts)
    return facts.memo["seeding_sites"]


def _find_seeding_sites(facts: FileFacts) -> list[tuple[ast.stmt, ast.expr | None]]:
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
            if isinstance(stmt, ast.Expr) and not seeding.in_loop_or_thread(call):
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
    if not seeds or seeds[0] is None:
        return None
    seed = seeds[0]  # several different seeds: the first one becomes the master seed
    if isinstance(seed, ast.Constant) and isinstance(seed.value, int):
        return seed
    if isinstance(seed, (ast.Name, ast.Attribute)):
        return seed
    return None


_DIST_INIT = frozenset(
    {
        "torch.distributed.init_process_group",
        "torch.distributed.distributed_c10d.init_process_group",
    }
)
_ARGS_PARAMS = ("args", "opt", "opts", "hparams", "config", "cfg", "flags")


def _distributed_anchor(facts: FileFacts) -> tuple[ast.stmt, str | None] | None:
    """The statement that starts distributed training, and the rank/size code after it.

    ``hvd.init()``, ``dist.init_process_group(...)`` or ``accelerator = Accelerator()``:
    each process runs it, so ``seeder.init`` placed right after it runs in every worker
    (also those started by ``mp.spawn`` or ``horovod.run``) and can ask for the rank.
    """
    ctx = facts.ctx
    for call, qualname in ctx.calls:
        if not qualname:
            continue
        stmt = ctx.parent(call)
        func = ctx.source_of(call.func)
        prefix = func.rsplit(".", 1)[0] if "." in func else None
        if isinstance(stmt, ast.Expr):
            if qualname.startswith("horovod.") and qualname.endswith(".init"):
                rank = f"ngpus={prefix}.size(), local_rank={prefix}.rank()" if prefix else None
                return stmt, rank
            if qualname in _DIST_INIT:
                rank = None
                if prefix:
                    rank = f"ngpus={prefix}.get_world_size(), local_rank={prefix}.get_rank()"
                return stmt, rank
        if (
            qualname in ("accelerate.Accelerator", "accelerate.accelerator.Accelerator")
            and isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
        ):
            var = stmt.targets[0].id
            return stmt, f"ngpus={var}.num_processes, local_rank={var}.process_index"
    return None


def _binds(function: ast.AST | None, name: str) -> bool:
    """``name`` is a parameter of ``function`` or assigned in it (module: always false)."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    params = [
        a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    ]
    if name in params:
        return True
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
        for node in ast.walk(function)
    )


def _assignable(seed: str | None) -> bool:
    """``args.seed`` / ``seed`` get the drawn seed written back; ``0`` and ``SEED`` don't."""
    return (
        bool(seed) and re.fullmatch(r"[A-Za-z_][\w.]*", seed) is not None and not (seed.isupper())
    )


def _init_code(facts: FileFacts, seed: str | None, rank: str | None, reassign: bool) -> str:
    s = facts.ctx.seeder_name
    arguments = [f"master_seed={seed}"] if seed else []
    if rank:
        arguments.append(rank)
    code = f"{s}.init({', '.join(arguments)})\n"
    if seed and reassign:
        code += f"{seed} = {s}.get_master_seed()\n"
    return code + f"{s}.reseed(0, 0)\n"


def _distributed_plan(facts: FileFacts) -> InitPlan | None:
    """``init`` right after the distributed set-up, with the seed the scope can see."""
    found = _distributed_anchor(facts)
    if found is None:
        return None
    anchor, rank = found
    ctx, entry = facts.ctx, facts.entry
    function = ctx.enclosing_function(anchor)
    dest = seed_dest(facts)
    seed: str | None = None
    position = anchor
    for site in entry.parse_sites:
        if site.args is None or site.prepend:
            continue
        same_scope = ctx.enclosing_function(site.stmt) is function
        if same_scope or _binds(function, site.args):
            seed = f"{site.args}.{dest}"
            if same_scope and site.stmt.lineno > anchor.lineno:
                position = site.stmt  # hvd.init() first, then the arguments
            break
    if seed is None:
        local = [s for s, value in _seeding_sites(facts) if ctx.enclosing_function(s) is function]
        expression = _seed_expression(facts)
        if local and expression is not None:
            seed = ctx.source_of(expression)
    if seed is None and entry.parse_sites and function is not None:
        params = [a.arg for a in function.args.args]
        candidates = [p for p in params if p in _ARGS_PARAMS]
        if candidates:
            seed = f"{candidates[0]}.{dest}"
    if seed is None and entry.parse_sites:
        return None  # the seed flag is not visible there: init where it is parsed
    code = _init_code(facts, seed, rank, reassign=_assignable(seed))
    edits = [*ctx.import_edit(), Edit("insert_after", ctx.pos(position), code)]
    return InitPlan(position, tuple(edits))


def _enclosing_block_statement(facts: FileFacts, stmt: ast.stmt, seed: ast.expr | None) -> ast.stmt:
    """``stmt``, lifted out of ``if``/``else``/``with``/``try`` to its function's own body:
    ``init`` must run unconditionally (a seed set only under ``if cuda:`` must not leave
    ``init`` skipped on a CPU machine). Never out of ``if __name__ == "__main__":`` (that
    is the script's body), nor out of a block that defines the seed it passes."""
    ctx = facts.ctx
    head = seed
    while isinstance(head, ast.Attribute):
        head = head.value
    needed = head.id if isinstance(head, ast.Name) else None
    current = stmt
    while True:
        parent = ctx.parent(current)
        if isinstance(parent, ast.ExceptHandler):
            parent = ctx.parent(parent)
        compound = isinstance(parent, (ast.If, ast.With, ast.Try, ast.AsyncWith)) or (
            parent is not None and type(parent).__name__ == "TryStar"
        )
        if not compound or parent is _main_guard(facts):
            return current
        if needed and any(
            isinstance(n, ast.Name) and n.id == needed and isinstance(n.ctx, ast.Store)
            for n in ast.walk(parent)
        ):
            return current
        current = parent


def init_plan(facts: FileFacts) -> InitPlan | None:
    """How to add ``seeder.init``; ``None`` when the file is not an entry script.

    Computed once per file (several rules ask: SEED003/004/005/018/021).
    """
    if "init_plan" not in facts.memo:
        facts.memo["init_plan"] = _plan_init(facts)
    return facts.memo["init_plan"]


def will_have_init(facts: FileFacts) -> bool:
    """The file calls ``seeder.init``, or will once ``apply`` has run."""
    return has_init(facts) or init_plan(facts) is not None


def _plan_init(facts: FileFacts) -> InitPlan | None:
    """See :func:`init_plan`.

    In order of preference: right after the distributed set-up (every worker runs it);
    right after the arguments are parsed; where the script seeded by hand; at the top
    of the ``if __name__ == "__main__":`` block; after the imports.
    """
    ctx, entry = facts.ctx, facts.entry
    if not is_entry_script(facts):
        return None
    distributed = _distributed_plan(facts)
    if distributed is not None:
        return distributed
    edits: list[Edit] = list(ctx.import_edit())
    dest = seed_dest(facts)
    sites = entry.parse_sites
    if sites:
        for site in sites:
            if site.args is None:  # click: the seed is a parameter of the command
                code = _init_code(facts, dest, None, reassign=True)
            else:
                rank = entry.rank_from_args(site.args)
                code = _init_code(facts, f"{site.args}.{dest}", rank, reassign=True)
            kind = "prepend_body" if site.prepend else "insert_after"
            edits.append(Edit(kind, ctx.pos(site.stmt), code))
        return InitPlan(sites[0].stmt, tuple(edits))
    seed = _seed_expression(facts)
    text = ctx.source_of(seed) if seed is not None else None
    code = _init_code(facts, text, None, _assignable(text))
    first = _first_removal(facts)
    if first is not None:
        anchor = _enclosing_block_statement(facts, first, seed)
        edits.append(Edit("insert_before", ctx.pos(anchor), code))
        return InitPlan(anchor, tuple(edits))
    guard = _main_guard(facts)
    if guard is not None:
        edits.append(Edit("prepend_body", ctx.pos(guard), code))
        return InitPlan(guard, tuple(edits))
    edits.append(Edit("after_imports", code=code))
    return InitPlan(ctx.tree.body[0], tuple(edits))
