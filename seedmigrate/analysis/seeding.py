"""Manual seeding of the global RNGs: which statements go, and what goes with them.

A statement is *removable* when it only seeds global RNGs: a seeding call used as a
statement, a call of the script's own seeding helper, a seed drawn at random for the
seed flag, or an ``if`` with no ``else`` whose body is all removable and whose test
has no side effects. Removal is lifted to the outermost removable statement, so an
``if args.seed is not None:`` guard or an ``if torch.cuda.is_available():`` around
seeding goes as a whole, and a helper that only seeds goes with its calls.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from seedmigrate.analysis.context import SEEDING_FUNCTIONS, FileContext

if TYPE_CHECKING:
    from seedmigrate.analysis.crossmodule import HelperCall, ProjectView

#: Functions whose seeding is deliberate per-thread / per-worker seeding.
_THREAD_FUNCTION = re.compile(r"worker_init|^__getitem__$|^__iter__$|^__call__$|^_?worker")
#: ...and, as a method (a Thread's or Process's), ``run``; a module function ``run(args)``
#: is a script's main.
_THREAD_METHOD = re.compile(r"^run$")
_PURE_CALLS = frozenset({"is_available", "device_count", "len", "isinstance", "hasattr"})
_RANDOM_SOURCES = ("random.", "numpy.random.", "time.", "secrets.", "os.urandom", "torch.seed")
SEED_NAME = re.compile(r"^(random_?|manual_?|global_?|master_?)?seed$", re.IGNORECASE)


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _derives_seed(stmt: ast.stmt) -> bool:
    """``seed = seed + rank`` / ``seed += rank``: a helper's seed derived for its calls."""
    if isinstance(stmt, ast.AugAssign):
        return isinstance(stmt.target, ast.Name) and bool(SEED_NAME.match(stmt.target.id))
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        return (
            isinstance(target, ast.Name)
            and bool(SEED_NAME.match(target.id))
            and isinstance(stmt.value, ast.BinOp)
            and any(isinstance(n, ast.Name) and n.id == target.id for n in ast.walk(stmt.value))
        )
    return False


def body_without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return body[1:] if body and _is_docstring(body[0]) else body


@dataclass(frozen=True)
class SeedingCall:
    """A call of a global seeding function."""

    call: ast.Call
    qualname: str
    statement_level: bool
    in_loop_or_thread: bool


class SeedingAnalysis:
    """Everything about manual seeding in one file, computed lazily and once.

    With a project view, calls of other modules' seeding helpers count too
    (:attr:`project_calls`): a call of a helper that only seeds is removable like a
    seeding call.
    """

    def __init__(self, ctx: FileContext, project: ProjectView | None = None) -> None:
        self.ctx = ctx
        self.project = project

    @cached_property
    def project_calls(self) -> list[HelperCall]:
        """Statement-level calls of other modules' seeding helpers (not in loops,
        threads or workers), each with the seed it passes."""
        if self.project is None:
            return []
        found = []
        for call, qualname in self.ctx.calls:
            if qualname in SEEDING_FUNCTIONS or not isinstance(self.ctx.parent(call), ast.Expr):
                continue
            if self.in_loop_or_thread(call):
                continue
            helper_call = self.project.helper_call(call)
            if helper_call is not None:
                found.append(helper_call)
        return found

    @cached_property
    def _removable_project_calls(self) -> set[int]:
        """Calls of helpers that only seed and take the seed as a parameter: removed with
        their statement (a helper seeding with a value of its own stays, for a human)."""
        return {
            id(c.call)
            for c in self.project_calls
            if c.helper.only_seeds and c.helper.seed_param is not None
        }

    @cached_property
    def calls(self) -> list[SeedingCall]:
        found = []
        for call, qualname in self.ctx.calls:
            if qualname in SEEDING_FUNCTIONS:
                parent = self.ctx.parent(call)
                found.append(
                    SeedingCall(
                        call,
                        qualname,
                        isinstance(parent, ast.Expr),
                        self.in_loop_or_thread(call),
                    )
                )
        return found

    def in_loop_or_thread(self, node: ast.AST) -> bool:
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)):
                return True
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                method = isinstance(self.ctx.parent(ancestor), ast.ClassDef)
                return (
                    bool(_THREAD_FUNCTION.search(ancestor.name))
                    or (method and bool(_THREAD_METHOD.search(ancestor.name)))
                    or ancestor.name in self._thread_targets
                )
            if isinstance(ancestor, ast.Lambda):
                return True
        return False

    @cached_property
    def _thread_targets(self) -> set[str]:
        """Functions passed as ``worker_init_fn=`` / ``target=`` / ``initializer=``."""
        names = set()
        for call, _ in self.ctx.calls:
            for keyword in call.keywords:
                if keyword.arg in ("worker_init_fn", "target", "initializer") and isinstance(
                    keyword.value, ast.Name
                ):
                    names.add(keyword.value.id)
        return names

    @cached_property
    def _seeding_statements(self) -> set[int]:
        return {
            id(self.ctx.parent(c.call))
            for c in self.calls
            if c.statement_level and not c.in_loop_or_thread
        }

    def is_seed_flag_target(self, target: ast.AST) -> bool:
        """``args.seed`` / ``opt.manualSeed`` / ``seed``: where a master seed is kept."""
        if isinstance(target, ast.Attribute):
            return bool(SEED_NAME.match(target.attr))
        if isinstance(target, ast.Name):
            return bool(SEED_NAME.match(target.id))
        return False

    def is_generated_seed(self, stmt: ast.stmt) -> bool:
        """``args.seed = random.randint(...)`` / ``seed = int(time.time())``."""
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            return False
        if not self.is_seed_flag_target(stmt.targets[0]):
            return False
        for node in ast.walk(stmt.value):
            if isinstance(node, ast.Call):
                qualname = self.ctx.qualify(node.func) or ""
                if qualname.startswith(_RANDOM_SOURCES):
                    return True
        return False

    def _pure_test(self, test: ast.AST) -> bool:
        for node in ast.walk(test):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in _PURE_CALLS:
                    return False
            elif isinstance(node, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
                return False
        return True

    def removable(self, stmt: ast.stmt, *, with_helpers: bool = True) -> bool:
        """Whether ``stmt`` only seeds global RNGs (see module docstring).

        ``with_helpers=False`` ignores calls of the script's own helpers: that is how the
        helpers themselves are found, without going round in circles.
        """
        key = (id(stmt), with_helpers)
        if key not in self._removable_cache:
            self._removable_cache[key] = self._compute_removable(stmt, with_helpers)
        return self._removable_cache[key]

    def _compute_removable(self, stmt: ast.stmt, with_helpers: bool) -> bool:
        if id(stmt) in self._seeding_statements:
            return True
        if isinstance(stmt, ast.Expr) and id(stmt.value) in self._removable_project_calls:
            return True
        if isinstance(stmt, ast.Expr) and with_helpers:
            name = self._helper_call(stmt.value)
            if name is not None:
                return self._helper_removed(name)
        if self.is_generated_seed(stmt):
            return True
        if isinstance(stmt, ast.If) and not stmt.orelse and self._pure_test(stmt.test):
            return all(self.removable(s, with_helpers=with_helpers) for s in stmt.body)
        return False

    @cached_property
    def _removable_cache(self) -> dict[tuple[int, bool], bool]:
        return {}

    # -- the script's own seeding helpers -------------------------------------------

    @cached_property
    def helpers(self) -> dict[str, ast.FunctionDef]:
        """Module-level functions whose whole body (docstring aside) only seeds."""
        found = {}
        for stmt in self.ctx.tree.body:
            if isinstance(stmt, ast.FunctionDef) and not stmt.decorator_list:
                body = body_without_docstring(stmt.body)
                seeding = [s for s in body if not _derives_seed(s)]
                if seeding and all(self.removable(s, with_helpers=False) for s in seeding):
                    found[stmt.name] = stmt
        return found

    def _helper_call(self, node: ast.AST) -> str | None:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in self.helpers
            and self.ctx.names.lookup(node.func.id, self.ctx.names.scope_for(node.func)) is None
        ):
            return node.func.id
        return None

    @cached_property
    def helper_calls(self) -> dict[str, list[ast.Call]]:
        calls: dict[str, list[ast.Call]] = {name: [] for name in self.helpers}
        for call, _ in self.ctx.calls:
            if isinstance(call.func, ast.Name) and call.func.id in calls:
                calls[call.func.id].append(call)
        # A helper referenced other than by a call (passed as a callback, exported in
        # ``__all__``) must stay: it is emptied instead.
        for node in self.ctx.nodes:
            if isinstance(node, ast.Name) and node.id in calls:
                parent = self.ctx.parent(node)
                if not (isinstance(parent, ast.Call) and parent.func is node):
                    calls[node.id].append(None)  # type: ignore[arg-type]
            elif isinstance(node, ast.Constant) and node.value in calls:
                calls[node.value].append(None)  # type: ignore[arg-type]
        return calls

    def _helper_removed(self, name: str | None) -> bool:
        """A helper is removed with its calls when every use is a plain call statement;
        in a project, one that nothing in the file uses goes when no other module names
        it any more (its callers were migrated)."""
        if name is None:
            return False
        uses = self.helper_calls.get(name, [])
        if not uses:
            return self._unused_in_project(name)
        return bool(uses) and all(
            call is not None
            and isinstance(self.ctx.parent(call), ast.Expr)
            and not self.in_loop_or_thread(call)
            for call in uses
        )

    def _unused_in_project(self, name: str) -> bool:
        project = self.project
        if project is None or name.startswith("__"):
            return False
        return not project.mentioned_elsewhere(name)

    def removed_helpers(self) -> dict[str, ast.FunctionDef]:
        return {n: f for n, f in self.helpers.items() if self._helper_removed(n)}

    # -- where a removal lands -------------------------------------------------------

    def removal_target(self, stmt: ast.stmt) -> ast.stmt:
        """The outermost statement that goes when ``stmt`` goes."""
        target = stmt
        removed = self.removed_helpers()
        while True:
            parent = self.ctx.parent(target)
            if isinstance(parent, ast.If) and target in parent.body and self.removable(parent):
                target = parent
            elif isinstance(parent, ast.FunctionDef) and removed.get(parent.name) is parent:
                target = parent
            else:
                return target
