"""The training itself: epoch loops and Keras ``fit`` calls."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from seedmigrate.analysis.context import FileContext


@dataclass(frozen=True)
class EpochLoop:
    loop: ast.For
    var: str


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


class TrainingAnalysis:
    """Finds epoch loops and Keras ``fit`` calls."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def _counts_epochs(self, node: ast.AST, loop: ast.For, depth: int = 0) -> bool:
        """``range(args.epochs)``, ``trange(start_epoch, n_epochs)``, ``tqdm(range(...))``,
        or a name assigned one of those (``train_iterator = trange(num_train_epochs)``).

        ``enumerate(epoch_iterator)`` is not one: that iterates over one epoch's batches.
        """
        if depth > 3:
            return False
        if isinstance(node, ast.Name):
            value = self._assigned_before(node.id, loop)
            return value is not None and self._counts_epochs(value, loop, depth + 1)
        if not isinstance(node, ast.Call):
            return False
        func = self.ctx.source_of(node.func).rsplit(".", 1)[-1]
        if func in ("range", "trange"):
            return "epoch" in self.ctx.source_of(node).lower()
        if func in ("tqdm", "enumerate") and node.args:
            return self._counts_epochs(node.args[0], loop, depth + 1)
        return False

    def _assigned_before(self, name: str, loop: ast.For) -> ast.expr | None:
        """The value last assigned to ``name`` before ``loop`` in the same function."""
        scope = self.ctx.enclosing_function(loop) or self.ctx.tree
        found = None
        for node in ast.walk(scope):
            if (
                isinstance(node, ast.Assign)
                and node.lineno < loop.lineno
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ):
                if found is None or node.lineno > found.lineno:
                    found = node
        return found.value if found is not None else None

    def _epoch_var(self, loop: ast.For) -> str | None:
        names = _target_names(loop.target)
        for name in names:
            if "epoch" in name.lower() or name.lower() in ("ep", "i_ep", "iep"):
                return name
        iterable = loop.iter
        if self._counts_epochs(iterable, loop):
            is_enumerate = isinstance(iterable, ast.Call) and self.ctx.source_of(
                iterable.func
            ).endswith("enumerate")
            if len(names) == 1:
                return names[0]
            if is_enumerate and len(names) == 2:
                return names[1]  # for i, epoch in enumerate(range(n_epochs))
        return None

    @cached_property
    def epoch_loops(self) -> list[EpochLoop]:
        """``for epoch in ...`` loops, outermost only (a step loop inside is not one)."""
        loops: list[EpochLoop] = []
        inside: set[int] = set()
        for node in ast.walk(self.ctx.tree):
            if isinstance(node, ast.For) and id(node) not in inside:
                var = self._epoch_var(node)
                if var:
                    loops.append(EpochLoop(node, var))
                    inside.update(id(n) for n in ast.walk(node))
        loops.sort(key=lambda e: (e.loop.lineno, e.loop.col_offset))
        return loops

    def reseeds_first(self, loop: ast.For) -> bool:
        """Whether the loop already starts with ``seeder.reseed(...)``."""
        first = loop.body[0] if loop.body else None
        return isinstance(first, ast.Expr) and self.ctx.is_seeder_call(first.value, "reseed")

    @cached_property
    def fit_calls(self) -> list[ast.Call]:
        """Keras ``model.fit``/``fit_generator`` calls (not Lightning's ``trainer.fit``)."""
        if not self.ctx.uses_tf:
            return []
        found = []
        for call, _ in self.ctx.calls:
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr in ("fit", "fit_generator")):
                continue
            receiver = self.ctx.source_of(func.value).lower()
            if "trainer" in receiver or "scaler" in receiver or "tokenizer" in receiver:
                continue
            if not call.args and not call.keywords:
                continue  # ``x.fit()`` with nothing to train on is not a Keras fit
            found.append(call)
        return found

    def callbacks_of(self, call: ast.Call) -> ast.expr | None:
        for keyword in call.keywords:
            if keyword.arg == "callbacks":
                return keyword.value
        return None

    def has_seeder_callback(self, call: ast.Call) -> bool:
        callbacks = self.callbacks_of(call)
        if callbacks is None:
            return False
        if isinstance(callbacks, (ast.List, ast.Tuple)):
            return any(self.ctx.is_seeder_call(e, "SeederCB") for e in callbacks.elts)
        if isinstance(callbacks, ast.BinOp):
            return any(
                isinstance(side, (ast.List, ast.Tuple))
                and any(self.ctx.is_seeder_call(e, "SeederCB") for e in side.elts)
                for side in (callbacks.left, callbacks.right)
            )
        if isinstance(callbacks, ast.Name):
            return callbacks.id in self._names_given_seeder_cb
        return False

    @cached_property
    def _names_given_seeder_cb(self) -> set[str]:
        """Variables that get ``seeder.SeederCB()`` appended or added somewhere."""
        names = set()
        for node in ast.walk(self.ctx.tree):
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                if any(self.ctx.is_seeder_call(n, "SeederCB") for n in ast.walk(node.value)):
                    names.add(node.target.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("append", "insert", "extend") and isinstance(
                    node.func.value, ast.Name
                ):
                    if any(self.ctx.is_seeder_call(a, "SeederCB") for a in node.args):
                        names.add(node.func.value.id)
            elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple)):
                if any(self.ctx.is_seeder_call(e, "SeederCB") for e in node.value.elts):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return names
