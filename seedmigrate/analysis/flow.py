"""Control flow on the stdlib ``ast``, as much as seeding needs.

Three questions, asked by the ``init`` planner before anything is written and by the
post-condition checker (:mod:`seedmigrate.guarantees`) on the rewritten text:

- *dominance*: does a statement (or a place where code will be inserted) run before
  another node on every path through their function? ``with`` bodies, ``try`` bodies
  without handlers, ``finally`` blocks and the ``if __name__ == "__main__":`` block are
  entered whenever the code around them runs; ``if``/``else`` branches, loop bodies and
  ``except`` handlers are not.
- *reach*: which functions of the file call which (direct calls, methods by name,
  functions passed as a callback), and which are started in a fresh process
  (``mp.spawn(main_worker, ...)``, ``Process(target=...)``): a process starts with no
  state, so ``init`` in the parent does not serve it.
- *binding*: is a name bound at a place (so ``master_seed=<expression>`` can go there)?

A :class:`Slot` is a place in one statement list: ``index`` ``i`` is the statement at
``i`` (it has run once control is past it); ``i + 0.5`` is the gap after it, where
``insert_after`` puts code; ``-0.5`` is the top of the list (``prepend_body``).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from seedmigrate.analysis.context import FileContext

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCK_FIELDS = ("body", "orelse", "finalbody")
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
#: Calls whose function argument runs in a new process (no seeding state inherited).
PROCESS_STARTERS = frozenset(
    {
        "torch.multiprocessing.spawn",
        "torch.multiprocessing.start_processes",
        "torch.multiprocessing.Process",
        "torch.multiprocessing.spawn.spawn",
        "multiprocessing.Process",
        "multiprocessing.context.Process",
        "multiprocessing.Pool",
        "horovod.run",
        "torch_xla.distributed.xla_multiprocessing.spawn",
        "concurrent.futures.ProcessPoolExecutor",
    }
)
_PROCESS_ATTRS = frozenset({"spawn", "start_processes", "Process"})
_BUILTINS = frozenset(dir(builtins))
#: Calls that draw no random numbers (distributed, device and logging set-up...).
_INERT_CALL = re.compile(
    r"(^|\.)(init_process_group|init|barrier|set_device|is_available|is_initialized|"
    r"device_count|get_rank|get_world_size|get_local_rank|local_rank|rank|size|device|"
    r"Accelerator|print|info|warning|warn|debug|error|getLogger|basicConfig|get|getenv|"
    r"makedirs|mkdir|exists|join|Path|int|float|str|bool|len|getattr|setattr|hasattr|"
    r"isinstance|format|SummaryWriter|use_deterministic_algorithms|set_num_threads|"
    r"set_printoptions|parse_args|parse_known_args|vars|dict|min|max)$"
)
_INERT_STATEMENTS = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.If,
    ast.Pass,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Assert,
    ast.With,
    ast.Try,
)


@dataclass(frozen=True)
class Slot:
    """A place in the statement list ``getattr(owner, field)`` (see module docstring)."""

    owner: ast.AST
    field: str
    index: float

    def same_list(self, other: Slot) -> bool:
        return self.owner is other.owner and self.field == other.field


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _binds(stmt: ast.stmt, name: str) -> bool:
    """``stmt`` binds ``name`` whenever it completes (both branches of an ``if``...)."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
            return False
        return any(_target_binds(t, name) for t in targets)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return any(
            (alias.asname or alias.name.split(".")[0]) == name
            for alias in stmt.names
            if alias.name != "*"
        )
    if isinstance(stmt, (*_FUNCTIONS, ast.ClassDef)):
        return stmt.name == name
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return any(
            item.optional_vars is not None and _target_binds(item.optional_vars, name)
            for item in stmt.items
        ) or any(_binds(s, name) for s in stmt.body)
    if isinstance(stmt, ast.If):
        return (
            bool(stmt.orelse)
            and any(_binds(s, name) for s in stmt.body)
            and any(_binds(s, name) for s in stmt.orelse)
        )
    if isinstance(stmt, ast.Try):
        return any(_binds(s, name) for s in stmt.body + stmt.finalbody) and all(
            any(_binds(s, name) for s in handler.body) for handler in stmt.handlers
        )
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.NamedExpr):
        return stmt.value.target.id == name
    return False


def _statement_names(stmt: ast.stmt) -> list[str]:
    """Names a module-level import, ``def`` or ``class`` binds."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in stmt.names if a.name != "*"]
    if isinstance(stmt, (*_FUNCTIONS, ast.ClassDef)):
        return [stmt.name]
    return []


def _target_binds(target: ast.AST, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_target_binds(t, name) for t in target.elts)
    if isinstance(target, ast.Starred):
        return _target_binds(target.value, name)
    return False


def free_names(node: ast.AST) -> set[str]:
    """Names an expression reads (the heads of ``a.b.c``, call targets, subscripts...)."""
    bound_inside: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.comprehension):
            bound_inside.update(n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name))
        elif isinstance(sub, ast.Lambda):
            bound_inside.update(a.arg for a in sub.args.args)
    return {
        sub.id
        for sub in ast.walk(node)
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)
    } - bound_inside


class Flow:
    """Dominance, reach and bindings for one file (see the module docstring)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    # -- slots -----------------------------------------------------------------------

    @cached_property
    def _slots(self) -> dict[int, Slot]:
        found: dict[int, Slot] = {}
        holders = (ast.stmt, ast.Module, ast.ExceptHandler, ast.match_case)
        for node in self.ctx.nodes:
            if not isinstance(node, holders):
                continue
            for field in _BLOCK_FIELDS:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    for index, stmt in enumerate(value):
                        if isinstance(stmt, ast.stmt):
                            found[id(stmt)] = Slot(node, field, index)
        return found

    def slot(self, stmt: ast.stmt) -> Slot:
        """The slot of a statement that is in the tree."""
        return self._slots[id(stmt)]

    def after(self, stmt: ast.stmt) -> Slot:
        """Where ``insert_after(stmt)`` puts code."""
        s = self.slot(stmt)
        return Slot(s.owner, s.field, s.index + 0.5)

    def before(self, stmt: ast.stmt) -> Slot:
        """Where ``insert_before(stmt)`` puts code."""
        s = self.slot(stmt)
        return Slot(s.owner, s.field, s.index - 0.5)

    @staticmethod
    def top_of(compound: ast.stmt) -> Slot:
        """Where ``prepend_body(compound)`` puts code."""
        return Slot(compound, "body", -0.5)

    def scope(self, slot: Slot) -> ast.AST:
        """The function (or module) whose code the slot is in."""
        owner = slot.owner
        if isinstance(owner, _SCOPES):
            return owner
        return self.ctx.enclosing_function(owner) or self.ctx.tree

    def scope_of_node(self, node: ast.AST) -> ast.AST:
        return self.ctx.enclosing_function(node) or self.ctx.tree

    def _transparent(self, slot: Slot) -> bool:
        """Whether entering the code around ``slot``'s list always enters the list."""
        owner = slot.owner
        if isinstance(owner, (ast.With, ast.AsyncWith)):
            return True
        if isinstance(owner, ast.Try) or type(owner).__name__ == "TryStar":
            return slot.field == "finalbody" or (
                slot.field == "body" and not owner.handlers  # type: ignore[attr-defined]
            )
        if is_main_guard(owner) and slot.field == "body":
            return self.ctx.parent(owner) is self.ctx.tree
        return False

    def lift(self, slot: Slot) -> list[Slot]:
        """``slot``, then the slot of each enclosing statement it surely runs within."""
        chain = [slot]
        while self._transparent(chain[-1]) and id(chain[-1].owner) in self._slots:
            chain.append(self.slot(chain[-1].owner))  # type: ignore[arg-type]
        return chain

    def ancestry(self, node: ast.AST) -> list[Slot]:
        """The slot of every statement holding ``node``, innermost first, up to its scope."""
        chain: list[Slot] = []
        current: ast.AST | None = self.ctx.statement_of(node)
        while current is not None and id(current) in self._slots:
            slot = self._slots[id(current)]
            chain.append(slot)
            if isinstance(slot.owner, _SCOPES):
                break
            current = slot.owner
        return chain

    def _point_ancestry(self, point: Slot) -> list[Slot]:
        if isinstance(point.owner, _SCOPES):
            return [point]
        return [point, *self.ancestry(point.owner)]

    # -- dominance -------------------------------------------------------------------

    def unconditional(self, slot: Slot) -> bool:
        """Code at ``slot`` runs whenever its function (or the module) runs."""
        last = self.lift(slot)[-1]
        return isinstance(last.owner, _SCOPES) and last.field == "body"

    def dominates(self, first: Slot, node: ast.AST) -> bool:
        """Code at ``first`` has run, on every path, by the time ``node`` runs."""
        return self._dominates_chain(first, self.ancestry(node))

    def dominates_point(self, first: Slot, point: Slot) -> bool:
        return self._dominates_chain(first, self._point_ancestry(point))

    def _dominates_chain(self, first: Slot, chain: list[Slot]) -> bool:
        for a in self.lift(first):
            for b in chain:
                if a.same_list(b) and a.index < b.index:
                    return True
        return False

    # -- reach -----------------------------------------------------------------------

    @cached_property
    def functions(self) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
        """Every function and method of the file, by name."""
        found: dict[str, list] = {}
        for node in self.ctx.nodes:
            if isinstance(node, _FUNCTIONS):
                found.setdefault(node.name, []).append(node)
        return found

    @cached_property
    def _classes(self) -> dict[str, list[ast.AST]]:
        """Classes of the file by name -> their ``__init__`` methods."""
        found: dict[str, list[ast.AST]] = {}
        for node in self.ctx.nodes:
            if isinstance(node, ast.ClassDef):
                inits = [s for s in node.body if isinstance(s, _FUNCTIONS) and s.name == "__init__"]
                if inits:
                    found.setdefault(node.name, []).extend(inits)
        return found

    @cached_property
    def _methods(self) -> set[str]:
        return {
            stmt.name
            for node in self.ctx.nodes
            if isinstance(node, ast.ClassDef)
            for stmt in node.body
            if isinstance(stmt, _FUNCTIONS)
        }

    def _is_local_function(self, name: ast.Name) -> bool:
        if name.id not in self.functions:
            return False
        resolver = self.ctx.names
        return resolver.lookup(name.id, resolver.scope_for(name)) is None

    def _starts_process(self, call: ast.Call) -> bool:
        qualname = self.ctx.qualify(call.func) or ""
        if qualname in PROCESS_STARTERS:
            return True
        func = call.func
        return isinstance(func, ast.Attribute) and func.attr in _PROCESS_ATTRS

    @cached_property
    def references(self) -> dict[int, list[tuple[ast.AST, str]]]:
        """``id(function)`` -> ``(site, kind)`` for every place that runs it.

        ``kind`` is ``"call"`` (it runs in this process, there) or ``"process"`` (it is
        the target of a new process). A function passed to any other call (``app.run``,
        ``Thread(target=...)``) runs in this process, at that call.
        """
        refs: dict[int, list[tuple[ast.AST, str]]] = {}

        def add(name: str, site: ast.AST, kind: str) -> None:
            for function in self.functions.get(name, ()):
                refs.setdefault(id(function), []).append((site, kind))

        for call, _ in self.ctx.calls:
            func = call.func
            if isinstance(func, ast.Name) and self._is_local_function(func):
                add(func.id, call, "call")
            elif isinstance(func, ast.Name) and func.id in self._classes:
                for init in self._classes[func.id]:  # ``Trainer(args)`` runs ``__init__``
                    refs.setdefault(id(init), []).append((call, "call"))
            elif isinstance(func, ast.Attribute) and func.attr in self._methods:
                add(func.attr, call, "call")
            passed = [*call.args, *(k.value for k in call.keywords)]
            for arg in passed:
                if isinstance(arg, ast.Starred):
                    arg = arg.value
                if isinstance(arg, ast.Name) and self._is_local_function(arg):
                    add(arg.id, call, "process" if self._starts_process(call) else "call")
                elif (
                    isinstance(arg, ast.Attribute)
                    and isinstance(arg.value, ast.Name)
                    and arg.value.id in ("self", "cls")
                    and arg.attr in self._methods
                ):
                    add(arg.attr, call, "process" if self._starts_process(call) else "call")
        return refs

    def callers(self, function: ast.AST) -> list[tuple[ast.AST, str]]:
        return self.references.get(id(function), [])

    def served(self, node: ast.AST, inits: Iterable[Slot], *, library: bool = False) -> bool:
        """Some ``init`` at one of ``inits`` has run before ``node`` on every path.

        Within ``node``'s function, an ``init`` must dominate it; otherwise every place
        that runs the function must be served in turn (a process target never is). A
        function nothing in the file runs is served only when ``library`` (a module
        whose functions are run by an entry script elsewhere). Each function is judged
        once per question (a memo), so a dense call graph costs linear time.
        """
        inits = list(inits)
        memo: dict[int, bool] = {}
        return self._served(node, inits, library, memo)

    def _served(self, node: ast.AST, inits: list[Slot], library: bool, memo: dict) -> bool:
        scope = self.scope_of_node(node)
        chain = self.ancestry(node)
        if any(self.scope(i) is scope and self._dominates_chain(i, chain) for i in inits):
            return True
        if scope is self.ctx.tree:
            return False
        return self._function_served(scope, inits, library, memo)

    def _function_served(
        self, scope: ast.AST, inits: list[Slot], library: bool, memo: dict
    ) -> bool:
        """Every place that runs ``scope`` is served."""
        key = id(scope)
        if key in memo:
            return memo[key]
        memo[key] = True  # recursion: served where the cycle is entered
        if self._constructor_inits(scope, inits):
            return True
        sites = self.callers(scope)
        if not sites:
            result = library
        else:
            result = all(
                kind == "call" and self._served(site, inits, library, memo) for site, kind in sites
            )
        memo[key] = result
        return result

    def _constructor_inits(self, scope: ast.AST, inits: list[Slot]) -> bool:
        """``scope`` is a method of a class whose own ``__init__`` runs ``init``
        unconditionally: a method runs on an instance, built by that ``__init__`` first
        (``Trainer(args).fit()``)."""
        owner = self.ctx.parent(scope)
        if not isinstance(owner, ast.ClassDef) or getattr(scope, "name", "") == "__init__":
            return False
        for decorator in getattr(scope, "decorator_list", []):
            if isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod"):
                return False
        constructor = next(
            (
                item
                for item in owner.body
                if isinstance(item, _FUNCTIONS) and item.name == "__init__"
            ),
            None,
        )
        return constructor is not None and any(
            self.scope(i) is constructor and self.unconditional(i) for i in inits
        )

    def next_statement(self, stmt: ast.stmt) -> ast.stmt | None:
        """The statement that runs right after ``stmt`` completes normally, in its own
        function: the next one in its block, else the one after the block's compound
        statement (``None`` at the end of a loop body or of the function)."""
        current: ast.AST = stmt
        while id(current) in self._slots:
            slot = self._slots[id(current)]
            block = getattr(slot.owner, slot.field)
            index = int(slot.index) + 1
            if index < len(block):
                return block[index]
            owner = slot.owner
            if isinstance(owner, (*_SCOPES, *_LOOPS)):
                return None
            if isinstance(owner, ast.ExceptHandler):
                parent = self.ctx.parent(owner)
                if parent is None:
                    return None
                owner = parent
            current = owner
        return None

    def inert(self, stmt: ast.stmt) -> bool:
        """``stmt`` draws no random numbers: it sets up distribution, a device or flags,
        logs, or assigns what such calls return (nothing that builds a model or data)."""
        if not isinstance(stmt, _INERT_STATEMENTS):
            return False
        for node in ast.walk(stmt):
            if isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda, *_LOOPS)):
                return False
            if isinstance(node, ast.Call):
                name = self.ctx.qualify(node.func) or self.ctx.source_of(node.func)
                if not _INERT_CALL.search(name):
                    return False
        return True

    def first_active(self, stmt: ast.stmt | None) -> ast.stmt | None:
        """``stmt``, or the first statement from it on that is not :meth:`inert`."""
        while stmt is not None and self.inert(stmt):
            stmt = self.next_statement(stmt)
        return stmt

    def seeded_after(self, stmt: ast.stmt, points: list[Slot], seen: dict | None = None) -> bool:
        """Whatever runs after ``stmt`` (once it goes, in its place) runs after an ``init``
        at ``points``: the next statement that may draw random numbers is served, or
        ``stmt`` ends its function and every call of that function is seeded after in
        turn. Statements that cannot draw (``dist.init_process_group()``, device and
        flag set-up) may run between the seeding that went and ``init``."""
        active = self.first_active(self.next_statement(stmt))
        if active is not None:
            return self.served(active, points)
        # nothing that draws follows in its function: what follows its calls must be seeded
        scope = self.scope_of_node(stmt)
        if scope is self.ctx.tree:
            return True  # the end of the module: nothing runs after it
        seen = {} if seen is None else seen
        if id(scope) in seen:
            return seen[id(scope)]
        seen[id(scope)] = True  # recursion: judged where the cycle is entered
        sites = [site for site, kind in self.callers(scope) if kind == "call"]
        if not sites:
            result = any(self.scope(p) is scope and self.unconditional(p) for p in points)
        else:
            result = all(
                (statement := self.ctx.statement_of(site)) is not None
                and self.seeded_after(statement, points, seen)
                for site in sites
            )
        seen[id(scope)] = result
        return result

    def reaches(self, function: ast.AST, target: ast.AST) -> bool:
        """``function`` runs ``target`` (a function), directly or through others."""
        todo, seen = [function], set()
        while todo:
            current = todo.pop()
            if current is target:
                return True
            if id(current) in seen:
                continue
            seen.add(id(current))
            for node in self.walk_scope(current):
                for callee in self.callees_at(node):
                    todo.append(callee)
        return False

    def walk_scope(self, scope: ast.AST) -> list[ast.AST]:
        """Nodes of ``scope``'s own code (nested functions and classes excluded)."""
        return self.ctx.scope_nodes(scope)

    @cached_property
    def _callees_by_site(self) -> dict[int, list[ast.AST]]:
        found: dict[int, list[ast.AST]] = {}
        for function_id, sites in self.references.items():
            function = next(f for fs in self.functions.values() for f in fs if id(f) == function_id)
            for site, _ in sites:
                found.setdefault(id(site), []).append(function)
        return found

    def callees_at(self, node: ast.AST) -> list[ast.AST]:
        return self._callees_by_site.get(id(node), [])

    def reached_from_module(self, node: ast.AST) -> bool:
        """``node`` is module-level code, or in a function the module's own code runs
        (through any chain of calls in this file)."""
        todo = [self.scope_of_node(node)]
        seen: set[int] = set()
        while todo:
            scope = todo.pop()
            if scope is self.ctx.tree:
                return True
            if id(scope) in seen:
                continue
            seen.add(id(scope))
            todo.extend(self.scope_of_node(site) for site, _ in self.callers(scope))
        return False

    def in_loop(self, node: ast.AST) -> bool:
        """``node`` runs repeatedly: inside a loop of its function, or in a function run
        from inside a loop (in this file)."""
        return self._in_loop(node, self._loop_memo)

    @cached_property
    def _loop_memo(self) -> dict[int, bool]:
        return {}

    def _in_loop(self, node: ast.AST, memo: dict[int, bool]) -> bool:
        child = node
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, ast.While) or (
                isinstance(ancestor, (ast.For, ast.AsyncFor))
                and child is not ancestor.iter  # the iterable is evaluated once
                and child is not ancestor.target
            ):
                return True
            if isinstance(ancestor, (*_FUNCTIONS, ast.Lambda, ast.ClassDef)):
                if not isinstance(ancestor, _FUNCTIONS):
                    return False
                key = id(ancestor)
                if key not in memo:
                    memo[key] = False  # recursion: a cycle alone is no loop
                    memo[key] = any(self._in_loop(site, memo) for site, _ in self.callers(ancestor))
                return memo[key]
            child = ancestor
        return False

    # -- bindings --------------------------------------------------------------------

    def bound_at(self, point: Slot, name: str) -> bool:
        """``name`` is bound, on every path, at ``point`` (a parameter, an earlier
        statement of the same function, anything at module level for code in a
        function, or a builtin)."""
        if name in _BUILTINS:
            return True
        scope = self.scope(point)
        if isinstance(scope, _FUNCTIONS):
            args = scope.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(p is not None and p.arg == name for p in params):
                return True
        for slot in self._point_ancestry(point):
            block = getattr(slot.owner, slot.field)
            for index, stmt in enumerate(block):
                if index >= slot.index:
                    break
                if _binds(stmt, name):
                    return True
        if isinstance(scope, _FUNCTIONS):
            return self._module_binds(name) or self._enclosing_binds(scope, name)
        return False

    @cached_property
    def _module_names(self) -> set[str]:
        """Names bound anywhere in module-level code."""
        names: set[str] = set()
        for node in self.ctx.scope_nodes(self.ctx.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.stmt):
                names.update(_statement_names(node))
        return names

    def _module_binds(self, name: str) -> bool:
        return name in self._module_names

    def _enclosing_binds(self, function: ast.AST, name: str) -> bool:
        outer = self.ctx.enclosing_function(function)
        while outer is not None:
            own = self.ctx.scope_nodes(outer)
            if any(_binds(stmt, name) for stmt in own if isinstance(stmt, ast.stmt)):
                return True
            args = outer.args
            if any(a.arg == name for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]):
                return True
            outer = self.ctx.enclosing_function(outer)
        return False

    def all_bound_at(self, point: Slot, expression: ast.AST) -> bool:
        return all(self.bound_at(point, name) for name in free_names(expression))
