"""Where the migrated script's seeding starts: the ``seeder.init`` block and its place.

Shared by the seed-flag rules (SEED003/SEED004), the init rule (SEED005) and the rules
that add uses of the runtime (SEED006/007/020/021), which must agree on the parser, the
seed flag's name, the insertion point, and whether a use will run after ``init``.

``init`` must run, on every path, before every ``reseed`` and callback, and on every
path that used to seed by hand (see :mod:`seedmigrate.guarantees`). Candidate places,
in order of preference:

1. after the distributed set-up (``init_process_group``, ``hvd.init()``,
   ``Accelerator()``), lifted out of the conditional block that holds it (``if
   args.distributed:``) to its function's own body: every worker process runs it, and
   a single-process run, which skips the block, still gets ``init``. The runtime reads
   rank and world size from the initialised group, Horovod or the launcher's
   environment, and is rank 0 of 1 otherwise, so no rank arithmetic is written;
2. after the arguments are parsed;
3. where the script seeded by hand, lifted out of conditionals (``if cuda:``);
4. at the top of the ``if __name__ == "__main__":`` block; after the imports.

The first candidate that runs before every use and on every seeded path, and where the
seed expression is bound, wins; when none does, the first one is planned and the
uses it cannot serve are reported instead of fixed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import SAMPLERS
from seedmigrate.analysis.flow import Flow, Slot, is_main_guard
from seedmigrate.analysis.model import Edit, EditKind


@dataclass(frozen=True)
class InitPlan:
    """The edits that start seeding, the places ``init`` will run, and its seed."""

    anchor: ast.AST
    edits: tuple[Edit, ...]
    points: tuple[Slot, ...] = ()
    seed: str | None = None  # the ``master_seed=`` expression (source text)
    uses_flag: bool = False  # the seed is the seed option (SEED003 adds it if missing)


def has_init(facts: FileFacts) -> bool:
    return any(facts.ctx.is_seeder_call(call, "init") for call, _ in facts.ctx.calls)


def is_entry_script(facts: FileFacts) -> bool:
    """The file starts a training run (as opposed to a trainer module it imports).

    In a project (``facts.project``), a module the project index does not count as an
    entry script (no ``__main__`` guard, not a console script) is a library module,
    unless its own top-level code trains or seeds (a script run as ``python train.py``).
    """
    if not facts.trains:
        return False
    project = facts.project
    if project is not None and project.module is not None and not project.is_entry_script:
        return _module_level_activity(facts)
    if facts.entry.parse_sites or _main_guard(facts) is not None:
        return True
    if _seeding_sites(facts):
        return True
    training = [loop.loop for loop in facts.training.epoch_loops] + facts.training.fit_calls
    if any(facts.ctx.enclosing_function(node) is None for node in training):
        return True
    return facts.training.module_trains


def _module_level_activity(facts: FileFacts) -> bool:
    """The module's own top-level code trains, seeds or parses the arguments, itself or
    through functions it calls (``main()`` at the end of a script without a guard): a
    library module does none of that when it is imported."""
    nodes = [loop.loop for loop in facts.training.epoch_loops] + facts.training.fit_calls
    nodes += [site for site, _ in seeding_sites(facts)]
    nodes += [site.stmt for site in facts.entry.parse_sites]
    return facts.training.module_trains or any(
        facts.flow.reached_from_module(node) for node in nodes
    )


def seed_dest(facts: FileFacts) -> str:
    flag = facts.entry.seed_flag
    if flag is not None:
        return flag.dest
    remote = facts.entry.remote_seed_option
    return remote.dest if remote is not None else "seed"


def _main_guard(facts: FileFacts) -> ast.If | None:
    for stmt in facts.ctx.tree.body:
        if is_main_guard(stmt):
            return stmt  # type: ignore[return-value]
    return None


# -- where the script seeds today ---------------------------------------------------------


def seeding_sites(facts: FileFacts) -> list[tuple[ast.stmt, ast.expr | None]]:
    """Where the script seeds today, in order, with the seed it passes (memoised).

    A site is a removed seeding statement, or a call statement of a function of the
    file that seeds (a helper such as ``set_seed(args.seed)``, removed or kept). Seeding
    inside such helpers is not a site: ``init`` belongs where the helper is called.
    """
    return facts.seeding_sites


_seeding_sites = seeding_sites


def find_seeding_sites(facts: FileFacts) -> list[tuple[ast.stmt, ast.expr | None]]:
    """:func:`seeding_sites`, computed afresh (``FileFacts.seeding_sites`` keeps it)."""
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
    for helper_call in seeding.project_calls:  # other modules' helpers
        if helper_call.helper.seed_param is None:
            continue  # seeds with a value of its own: stays, SEED019 says so
        stmt = ctx.parent(helper_call.call)
        sites.append((seeding.removal_target(stmt), helper_call.seed))
    for name, function in seeding_functions.items():
        for call, _ in ctx.calls:
            if not (isinstance(call.func, ast.Name) and call.func.id == name):
                continue
            stmt = ctx.parent(call)
            if isinstance(stmt, ast.Expr) and not seeding.in_loop_or_thread(call):
                target = seeding.removal_target(stmt)
                sites.append((target, _helper_seed(facts, function, call)))
    sites.sort(key=lambda site: (site[0].lineno, site[0].col_offset))
    return sites


#: A seed ``apply`` cannot trace (a helper that seeds with something other than one of
#: its parameters or a constant): ``init`` cannot be given it, guarantee e says so.
UNKNOWN_SEED = ast.Name(id="<untraced seed>", ctx=ast.Load())


def _helper_seed(facts: FileFacts, function: ast.FunctionDef, call: ast.Call) -> ast.expr | None:
    """The seed a call of the file's own seeding helper passes on to the seeding calls
    inside it: ``set_seed(args)`` with ``torch.manual_seed(args.seed)`` inside is
    ``args.seed`` at the call site; a constant inside is that constant."""
    inner = [
        c.call.args[0]
        for c in facts.seeding.calls
        if c.call.args and facts.ctx.enclosing_function(c.call) is function
    ]
    if not inner:
        return call.args[0] if call.args else None
    seed = strip_rank(facts, inner[0])
    if isinstance(seed, ast.Constant):
        return seed
    head = seed
    attributes = []
    while isinstance(head, ast.Attribute):
        attributes.append(head.attr)
        head = head.value
    if not isinstance(head, ast.Name):
        return UNKNOWN_SEED
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    argument: ast.expr | None = None
    for keyword in call.keywords:
        if keyword.arg == head.id:
            argument = keyword.value
    if argument is None and head.id in params:
        index = params.index(head.id)
        if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args):
            argument = call.args[index]
    if argument is None:
        defaults = function.args.defaults
        offset = len(params) - len(defaults)
        if head.id in params and params.index(head.id) >= offset:
            argument = defaults[params.index(head.id) - offset]  # the parameter's default
        else:
            return UNKNOWN_SEED
    if not attributes:
        return argument
    text = ".".join([ast.unparse(argument), *reversed(attributes)])
    node = ast.parse(text, mode="eval").body
    for sub in ast.walk(node):
        for name in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            if hasattr(sub, name):
                delattr(sub, name)
    return node


def _first_removal(facts: FileFacts) -> ast.stmt | None:
    sites = seeding_sites(facts)
    return sites[0][0] if sites else None


#: Parts of a seed expression that stand for the rank (``seed + rank``, ``1337 +
#: seed_offset``): the runtime separates ranks itself, so they never reach ``init``.
_RANK_NAME = re.compile(
    r"rank|seed_offset|process_index|worker_id|local_process_index|^gpu$", re.IGNORECASE
)


def _is_rank_term(facts: FileFacts, node: ast.AST, scope: ast.AST, depth: int = 0) -> bool:
    if isinstance(node, ast.Call):
        func = facts.ctx.source_of(node.func).rsplit(".", 1)[-1]
        if _RANK_NAME.search(func):
            return True
        return func == "int" and bool(node.args) and _is_rank_term(facts, node.args[0], scope)
    if isinstance(node, ast.Subscript):  # os.environ["RANK"]
        key = node.slice
        return (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and (bool(_RANK_NAME.search(key.value)))
        )
    if isinstance(node, ast.Attribute):
        return bool(_RANK_NAME.search(node.attr))
    if isinstance(node, ast.Name):
        if _RANK_NAME.search(node.id):
            return True
        if depth < 2:
            values = [
                n.value
                for n in facts.ctx.scope_nodes(scope)
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
            ]
            ranks = [v for v in values if _is_rank_term(facts, v, scope, depth + 1)]
            zeros = [v for v in values if isinstance(v, ast.Constant) and v.value == 0]
            return bool(ranks) and len(ranks) + len(zeros) == len(values)
    return False


def strip_rank(facts: FileFacts, seed: ast.expr) -> ast.expr:
    """``seed + rank`` -> ``seed`` (see ``_RANK_NAME``)."""
    scope = facts.ctx.enclosing_function(seed) or facts.ctx.tree
    while isinstance(seed, ast.BinOp) and isinstance(seed.op, ast.Add):
        if _is_rank_term(facts, seed.right, scope):
            seed = seed.left
        elif _is_rank_term(facts, seed.left, scope):
            seed = seed.right
        else:
            break
    return seed


def seed_expression(facts: FileFacts) -> ast.expr | None:
    """The seed the first site passes, rank arithmetic stripped (``None``: no seed)."""
    seeds = [seed for _, seed in seeding_sites(facts)]
    if not seeds or seeds[0] is None or seeds[0] is UNKNOWN_SEED:
        return None
    seed = strip_rank(facts, through_rank_variable(facts, seeds[0]))
    if isinstance(seed, ast.Starred) or _is_rank_term(facts, seed, facts.ctx.tree):
        return None
    return seed


def through_rank_variable(facts: FileFacts, seed: ast.expr) -> ast.expr:
    """``seed`` in ``seed = args.seed + get_rank(); torch.manual_seed(seed)`` is
    ``args.seed + get_rank()`` (then stripped of its rank like the inline form); a name
    assigned anything without a rank term stays as it is."""
    if not isinstance(seed, ast.Name) or not hasattr(seed, "lineno"):
        return seed
    scope = facts.flow.scope_of_node(seed)
    values = [
        node.value
        for node in facts.ctx.scope_nodes(scope)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == seed.id
    ]
    if len(values) == 1 and strip_rank(facts, values[0]) is not values[0]:
        return values[0]
    return seed


_FLAG_HOLDERS = frozenset({"args", "opt", "opts", "hparams", "flags", "FLAGS", "options"})


def is_flag_expression(facts: FileFacts, node: ast.AST | None) -> bool:
    """``args.seed`` / ``opt.manualSeed`` / ``FLAGS.seed``: the seed option of the parsed
    arguments (not ``cfg.seed`` from a config file the tool cannot follow)."""
    from seedmigrate.analysis.seeding import SEED_NAME

    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        if facts.ctx.source_of(node.func) in ("int", "np.int64", "numpy.int64"):
            return is_flag_expression(facts, node.args[0])  # ``int(opt.seed)``
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # ``args.seed or 0``
        first, *rest = node.values
        return is_flag_expression(facts, first) and all(isinstance(v, ast.Constant) for v in rest)
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return False
    flag = facts.entry.seed_flag
    if node.attr != (flag.dest if flag else None) and not SEED_NAME.match(node.attr):
        return False
    holders = {site.args for site in facts.entry.parse_sites if site.args} | _FLAG_HOLDERS
    return node.value.id in holders


# -- the candidates ------------------------------------------------------------------------


_DIST_INIT = frozenset(
    {
        "torch.distributed.init_process_group",
        "torch.distributed.distributed_c10d.init_process_group",
        "deepspeed.init_distributed",
        "torch.distributed.launcher.api.launch_agent",
    }
)
_ACCELERATORS = frozenset(
    {
        "accelerate.Accelerator",
        "accelerate.accelerator.Accelerator",
        "lightning.fabric.Fabric",
        "lightning.Fabric",
        "lightning_fabric.Fabric",
    }
)
#: Project helpers that set up distribution (``utils.init_distributed_mode(args)``).
_DIST_HELPER = re.compile(r"^(init|setup|set_up)_?(dist|distributed|ddp)\w*$|^dist_init$")
_ARGS_PARAMS = ("args", "opt", "opts", "hparams", "config", "cfg", "flags")


def _distributed_statements(facts: FileFacts) -> list[ast.stmt]:
    """Statements that start distributed training, in file order."""
    ctx = facts.ctx
    found: list[ast.stmt] = []
    for call, qualname in ctx.calls:
        stmt = ctx.parent(call)
        name = ctx.source_of(call.func).rsplit(".", 1)[-1]
        if isinstance(stmt, ast.Expr) and (
            (qualname and qualname.startswith("horovod.") and qualname.endswith(".init"))
            or qualname in _DIST_INIT
            or _DIST_HELPER.match(name)
        ):
            found.append(stmt)
        elif qualname in _ACCELERATORS and isinstance(stmt, ast.Assign):
            found.append(stmt)
    found.sort(key=lambda s: (s.lineno, s.col_offset))
    return found


def _uses(facts: FileFacts, *, samplers: bool = True) -> list[ast.AST]:
    """Nodes that need ``init`` to have run: loops to reseed, fit calls, samplers,
    Lightning trainers, and the runtime calls the file already makes."""
    ctx = facts.ctx
    nodes: list[ast.AST] = [loop.loop for loop in facts.training.epoch_loops]
    nodes += facts.training.fit_calls
    if samplers:
        nodes += [c for c, q in ctx.calls if q in SAMPLERS]
    nodes += [
        c
        for c, q in ctx.calls
        if q and q.endswith(".Trainer") and q.split(".")[0] in ("lightning", "pytorch_lightning")
    ]
    for attr in ("reseed", "SeederCB", "SeederCallback", "sampler_seed", "worker_init_fn"):
        nodes += [c for c, _ in ctx.calls if ctx.is_seeder_call(c, attr)]
    return nodes


def _lift_clear_of(facts: FileFacts, stmt: ast.stmt, uses: list[ast.AST]) -> ast.stmt:
    """``stmt``, or the outermost statement of its function holding it that holds no use
    (out of ``if args.distributed:``, ``try:``, ``with``), never out of the main guard."""
    ctx = facts.ctx
    use_ids = {id(u) for u in uses}
    current = stmt
    for slot in facts.flow.ancestry(stmt):
        compound = slot.owner
        if isinstance(compound, ast.ExceptHandler):
            compound = ctx.parent(compound)  # the ``try`` statement
        if isinstance(compound, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
            break
        if is_main_guard(compound) or any(id(n) in use_ids for n in ast.walk(compound)):
            break
        current = compound
    return current


def _lifted_before(facts: FileFacts, stmt: ast.stmt, needed: set[str]) -> tuple[ast.stmt, str]:
    """Where ``init`` goes for a seeding site ``stmt``: before it, lifted out of
    ``if``/``with``/``try`` to its function's body; after the block instead when the
    block binds a name the seed needs (``if ddp: seed_offset = ...``)."""
    ctx, flow = facts.ctx, facts.flow
    current = stmt
    for slot in flow.ancestry(stmt):
        owner = slot.owner
        if isinstance(owner, ast.ExceptHandler):
            owner = ctx.parent(owner)
        if is_main_guard(owner) or isinstance(owner, _STOP_LIFT):
            break
        binds = any(
            isinstance(n, ast.Name) and n.id in needed and isinstance(n.ctx, ast.Store)
            for n in ast.walk(owner)
        )
        if binds:
            return owner, "insert_after"
        current = owner
    return current, "insert_before"


_STOP_LIFT = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.For, ast.AsyncFor, ast.While)


@dataclass
class _Candidate:
    kind: str  # "insert_after" | "insert_before" | "prepend_body" | "after_imports"
    anchor: ast.stmt
    seed: ast.expr | str | None
    rank: str | None = None
    extra: tuple[tuple[str, ast.stmt, ast.expr | str | None, str | None], ...] = ()

    def point(self, flow: Flow, facts: FileFacts) -> Slot:
        if self.kind == "insert_after":
            return flow.after(self.anchor)
        if self.kind == "insert_before":
            return flow.before(self.anchor)
        if self.kind == "prepend_body":
            return flow.top_of(self.anchor)
        return Slot(facts.ctx.tree, "body", _after_imports_index(facts) - 0.5)


def _after_imports_index(facts: FileFacts) -> int:
    index = 0
    for i, stmt in enumerate(facts.ctx.tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
            i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        ):
            index = i + 1
        elif isinstance(stmt, ast.Try) and all(
            isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body
        ):
            index = i + 1
        else:
            break
    return index


def _args_in(facts: FileFacts, function: ast.AST | None, before: ast.stmt) -> str | None:
    """The parsed-arguments variable visible in ``function`` at ``before``."""
    ctx, entry = facts.ctx, facts.entry
    dest = seed_dest(facts)
    for site in entry.parse_sites:
        if site.args is None or site.prepend:
            continue
        if ctx.enclosing_function(site.stmt) is function and site.stmt.lineno <= before.lineno:
            return f"{site.args}.{dest}"
    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
        for site in entry.parse_sites:
            if site.args in params:
                return f"{site.args}.{dest}"
        if entry.parse_sites:
            for param in params:
                if param in _ARGS_PARAMS:
                    return f"{param}.{dest}"
    return None


def _candidates(facts: FileFacts) -> list[_Candidate]:
    ctx, entry = facts.ctx, facts.entry
    uses = _uses(facts)
    found: list[_Candidate] = []
    site_seed = seed_expression(facts)
    flag_plan = uses_flag(facts)
    # 1. after the distributed set-up
    for stmt in _distributed_statements(facts)[:1]:
        function = ctx.enclosing_function(stmt)
        anchor = _lift_clear_of(facts, stmt, uses)
        for site in entry.parse_sites:
            same = ctx.enclosing_function(site.stmt) is function
            if same and not site.prepend and site.stmt.lineno > anchor.lineno:
                anchor = _lift_clear_of(facts, site.stmt, uses)  # hvd.init() first, then args
        seed: ast.expr | str | None = site_seed
        if flag_plan:
            seed = _args_in(facts, function, anchor)
            if seed is None:
                continue  # the flag is not visible there: init where it is parsed
        found.append(_Candidate("insert_after", anchor, seed))
    # 2. after the arguments are parsed
    if flag_plan:
        dest = seed_dest(facts)
        parsed = []
        for site in entry.parse_sites:
            kind = "prepend_body" if site.prepend else "insert_after"
            anchor = site.stmt if site.prepend else _lift_clear_of(facts, site.stmt, uses)
            if site.args is None:  # click: the seed is a parameter of the command
                parsed.append((kind, anchor, dest, None))
            else:
                rank = entry.rank_from_args(site.args)
                parsed.append((kind, anchor, f"{site.args}.{dest}", rank))
        first, *rest = parsed
        found.append(_Candidate(first[0], first[1], first[2], first[3], tuple(rest)))
    # 3. where the script seeded by hand
    first_site = _first_removal(facts)
    if first_site is not None:
        anchor, kind = _lifted_before(facts, first_site, _names(site_seed))
        found.append(_Candidate(kind, anchor, site_seed))
        if kind == "insert_after":
            found.append(_Candidate("insert_before", first_site, site_seed))
    # 4. the main guard, the imports
    guard = _main_guard(facts)
    if guard is not None:
        found.append(_Candidate("prepend_body", guard, site_seed))
    found.append(_Candidate("after_imports", ctx.tree.body[0], site_seed))
    return found


def uses_flag(facts: FileFacts) -> bool:
    """``init`` takes the seed option (``args.seed``), which SEED003 adds when missing:
    the script parses arguments and does not seed from the environment or a config. With
    arguments parsed by another module, that module's parser must have the option."""
    entry = facts.entry
    if not entry.parse_sites or _external_seed(facts, seed_expression(facts)):
        return False
    if entry.remote_parses and entry.main_parser is None:
        return entry.remote_seed_option is not None
    return True


def _names(expression: ast.expr | None) -> set[str]:
    if expression is None:
        return set()
    return {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}


def _external_seed(facts: FileFacts, seed: ast.expr | None, depth: int = 0) -> bool:
    """The script seeds from somewhere a ``--seed`` flag would not replace: the
    environment, a config, a function (``int(os.environ["SEED"])``, ``cfg.seed``)."""
    if seed is UNKNOWN_SEED:
        return True
    if seed is None or isinstance(seed, ast.Constant) or is_flag_expression(facts, seed):
        return False
    if isinstance(seed, ast.Name) and depth < 2:
        if facts.entry.seed_flag is not None and facts.entry.seed_flag.kind == "click":
            if seed.id == facts.entry.seed_flag.dest:
                return False
        values = [
            node.value
            for node in facts.ctx.nodes
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == seed.id for t in node.targets)
        ]
        # ``SEED = 0`` / ``seed = args.seed``; a parameter (``def main(seed)``) too
        return bool(values) and all(_external_seed(facts, v, depth + 1) for v in values)
    return True


def _seed_text(facts: FileFacts, seed: ast.expr | str | None) -> str | None:
    if seed is None or isinstance(seed, str):
        return seed
    return facts.ctx.source_of(seed)


def _assignable(seed: str | None) -> bool:
    """``args.seed`` / ``seed`` get the drawn seed written back; ``0`` and ``SEED`` don't."""
    return (
        seed is not None
        and re.fullmatch(r"[A-Za-z_][\w.]*", seed) is not None
        and not seed.isupper()
    )


def _init_code(facts: FileFacts, seed: str | None, rank: str | None, place: int = 0) -> str:
    """The init block; the ``place``-th one of a plan reseeds ``(0, place)``, so that a
    process that runs two of them (``main()``, then the worker it calls) never replays
    the same ``(task, epoch)``."""
    s = facts.ctx.seeder_name
    arguments = [f"master_seed={seed}"] if seed else []
    if rank:
        arguments.append(rank)
    code = f"{s}.init({', '.join(arguments)})\n"
    if seed and _assignable(seed):
        code += f"{seed} = {s}.get_master_seed()\n"
    return code + f"{s}.reseed(0, {place})\n"


def _points(facts: FileFacts, candidates: list[_Candidate]) -> list[Slot]:
    flow = facts.flow
    points = []
    for candidate in candidates:
        points.append(candidate.point(flow, facts))
        points += [_Candidate(k, a, s).point(flow, facts) for k, a, s, _ in candidate.extra]
    return expand_points(flow, points)


def _score(
    facts: FileFacts, candidates: list[_Candidate], uses: list[ast.AST]
) -> tuple[int, int, bool]:
    """(uses served, seeded paths covered, the first candidate's seed is bound there).

    Samplers are not among ``uses``: one built before the distributed set-up is
    reported rather than served, since an init before the process group could not
    share a drawn seed between the ranks.
    """
    flow = facts.flow
    expanded = _points(facts, candidates)
    serves = sum(flow.served(u, expanded) for u in uses)
    covers = sum(covers_site(flow, expanded, site) for site, _ in seeding_sites(facts))
    seed = candidates[0].seed
    bound = not isinstance(seed, ast.AST) or flow.all_bound_at(expanded[0], seed)
    return serves, covers, bound


def _choose(facts: FileFacts, candidates: list[_Candidate], uses: list[ast.AST]):
    """The candidate that serves most uses, covers most seeded paths and has its seed
    bound; then, where one place cannot do both (seeding in ``main()`` and the loop in a
    worker that ``mp.spawn`` starts), a second ``init`` for what the first leaves out.
    Two inits agree on the master seed when the seed is given or written back
    (``args.seed = seeder.get_master_seed()``), so a second one is added only then."""
    best = max(candidates, key=lambda c: _score(facts, [c], uses))
    chosen = [best]
    target = (len(uses), len(seeding_sites(facts)))
    if _score(facts, chosen, uses)[:2] != target and _repeatable(facts, best):
        extra = max(
            (c for c in candidates if c is not best and _repeatable(facts, c)),
            key=lambda c: _score(facts, [best, c], uses),
            default=None,
        )
        if extra is not None and _score(facts, [best, extra], uses) > _score(facts, chosen, uses):
            chosen.append(extra)
    return chosen


def _repeatable(facts: FileFacts, candidate: _Candidate) -> bool:
    """A second ``init`` with this seed reaches the same master seed: a constant, an
    expression, or a seed option the first ``init`` writes the drawn seed back into."""
    seed = candidate.seed
    if seed is None:
        return False
    if isinstance(seed, str):
        return _assignable(seed)
    return True


def plan_init(facts: FileFacts) -> InitPlan | None:
    """:func:`init_plan`, computed afresh (``FileFacts.init_plan`` keeps it); see the
    module docstring."""
    ctx = facts.ctx
    if not is_entry_script(facts):
        return None
    uses = _uses(facts, samplers=False)
    chosen = _choose(facts, _candidates(facts), uses)
    flow = facts.flow
    edits: list[Edit] = list(ctx.import_edit())
    points = []
    places = []
    for candidate in chosen:
        places.append((candidate.kind, candidate.anchor, candidate.seed, candidate.rank))
        places += list(candidate.extra)
    if len(chosen) > 1:  # numbered in the order they read (main() before the worker it runs)
        places.sort(key=lambda place: (place[1].lineno, place[1].col_offset))
    # a second init of the plan is one a process may run after the first
    for number, (kind, anchor, seed, rank) in enumerate(places):
        text = _seed_text(facts, seed)
        point = _Candidate(kind, anchor, seed).point(flow, facts)
        if isinstance(seed, ast.AST) and not flow.all_bound_at(point, seed):
            text = None  # never ``master_seed=<a name not yet bound>``: guarantee (e) reports it
        code = _init_code(facts, text, rank, number if len(chosen) > 1 else 0)
        if kind == "after_imports":
            edits.append(Edit(EditKind.AFTER_IMPORTS, code=code))
        else:
            edits.append(Edit(EditKind(kind), ctx.pos(anchor), code))
        points.append(point)
    first = chosen[0]
    seed_text = _seed_text(facts, first.seed)
    flag = (uses_flag(facts) and isinstance(first.seed, str)) or is_flag_expression(
        facts, first.seed if isinstance(first.seed, ast.AST) else None
    )
    return InitPlan(first.anchor, tuple(edits), tuple(points), seed_text, flag)


def init_plan(facts: FileFacts) -> InitPlan | None:
    """How to add ``seeder.init``; ``None`` when the file is not an entry script.

    Computed once per file (several rules ask: SEED003/004/005/006/018/021).
    """
    return facts.init_plan


def will_have_init(facts: FileFacts) -> bool:
    """The file calls ``seeder.init``, or will once ``apply`` has run."""
    return has_init(facts) or init_plan(facts) is not None


# -- does init run before a use, on a seeded path? -----------------------------------------


def init_statements(facts: FileFacts) -> list[ast.stmt]:
    ctx = facts.ctx
    found = []
    for call, _ in ctx.calls:
        if ctx.is_seeder_call(call, "init"):
            stmt = ctx.statement_of(call)
            if stmt is not None:
                found.append(stmt)
    return found


def expand_points(flow: Flow, points: list[Slot]) -> list[Slot]:
    """``points``, plus every call of a function that runs ``init`` unconditionally (that
    call is where ``init`` runs, for its caller)."""
    result = list(points)
    seen: set[int] = set()
    changed = True
    while changed:
        changed = False
        for point in list(result):
            scope = flow.scope(point)
            if id(scope) in seen or isinstance(scope, ast.Module):
                continue
            if not flow.unconditional(point):
                continue
            seen.add(id(scope))
            for site, kind in flow.callers(scope):
                statement = flow.ctx.statement_of(site)
                if kind == "call" and statement is not None and id(statement) in flow._slots:
                    result.append(flow.slot(statement))
                    changed = True
    return result


def init_points(facts: FileFacts, *, planned: bool = True) -> list[Slot]:
    """Where ``init`` runs now, and (``planned``) will after ``apply``, with the calls of
    functions that run it."""
    flow = facts.flow
    points = [flow.slot(s) for s in init_statements(facts) if id(s) in flow._slots]
    plan = init_plan(facts) if planned else None
    if plan is not None:
        points += list(plan.points)
    return expand_points(flow, points)


def serves(facts: FileFacts, node: ast.AST) -> bool:
    """``init`` (existing or planned) runs before ``node`` on every path."""
    library = not has_init(facts) and init_plan(facts) is None
    if library and _library_gap(facts, node) is not None:
        return False  # a new process, or entry scripts that never call init
    return facts.flow.served(node, init_points(facts), library=library)


def _library_gap(facts: FileFacts, node: ast.AST):
    """Why the project's entry scripts' ``init`` does not run before ``node``, a
    statement of a library function: the call that starts the function in a new
    process (a :class:`~seedmigrate.analysis.project.CallEdge`), ``"entries"`` when the
    entry scripts that run it do not (all) call ``init``, now or after apply; ``None``
    when it does run first, or there is no project to tell."""
    project = facts.project
    if project is None or project.module is None:
        return None
    scope = facts.flow.scope_of_node(node)
    if scope is facts.ctx.tree:
        return None
    edge = project.started_in_new_process(scope, facts.ctx)
    if edge is not None:
        return edge
    if project.is_entry_script or project.callers(scope, facts.ctx) is None:
        return None
    return None if project.run_by_initialising_entries(scope, facts.ctx) else "entries"


def covers_site(flow: Flow, points: list[Slot], stmt: ast.AST) -> bool:
    """A seeding site ``stmt`` can go: what ran after it runs after an ``init`` (in its
    place, or before every call of its function), so nothing that used to be seeded is
    left unseeded."""
    return isinstance(stmt, ast.stmt) and flow.seeded_after(stmt, expand_points(flow, points))


def unserved_reason(facts: FileFacts, node: ast.AST) -> str | None:
    """Why ``init`` would not run before ``node`` (``None`` when it would)."""
    if serves(facts, node):
        return None
    flow = facts.flow
    scope = flow.scope_of_node(node)
    if scope is not facts.ctx.tree and any(k == "process" for _, k in flow.callers(scope)):
        return (
            f"`{scope.name}` runs in a new process (mp.spawn / Process), which does not inherit "
            "seeder.init from its parent; call seeder.init in it, after its distributed set-up"
        )
    gap = _library_gap(facts, node)
    if gap == "entries":
        return (
            "the entry scripts that run it do not call seeder.init (nothing there is "
            "seeded or trained for apply to put it after); add seeder.init to them, then "
            "apply adds this reseed"
        )
    if gap is not None:
        return (
            f"it runs in a new process ({gap.via} at {gap.location.path.name}:"
            f"{gap.location.line}), which does not inherit seeder.init from the entry "
            "script; call seeder.init at the start of that process (apply puts init only "
            "in entry scripts)"
        )
    plan = init_plan(facts)
    where = ""
    if plan is not None and plan.points:
        where = f" (seeder.init goes at line {_line_of(facts, plan)})"
    elif has_init(facts):
        where = f" (seeder.init is at line {init_statements(facts)[0].lineno})"
    return f"seeder.init does not run before it on every path{where}; move seeder.init so it does"


def _line_of(facts: FileFacts, plan: InitPlan) -> int:
    anchor = plan.anchor
    line: int = getattr(anchor, "end_lineno", None) or getattr(anchor, "lineno", None) or 1
    return line
