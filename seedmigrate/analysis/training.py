"""The training itself: the loops that get a per-epoch (or per-iteration) reseed, and
Keras ``fit`` calls.

A loop gets ``seeder.reseed(task, <counter>)`` only when it is the *outermost* training
loop: reseeding a loop that runs again and again inside another one (a step loop in an
epoch loop, the PPO ``for epoch in range(update_epochs)`` inside the loop over updates)
would replay the same ``(task, counter)`` seeds at every outer iteration. Two kinds:

- *epoch loops*: ``for epoch in ...`` / ``for ep in ...``, or a counting loop over
  ``range(args.epochs)``-like bounds (not ``range(steps_per_epoch)``);
- *iteration loops* (scripts that count iterations, not epochs): a counting loop
  (``range``, ``itertools.count``, ``trange``) or a ``while`` loop with a counter
  incremented in its body, that trains (``loss.backward()``, ``optimizer.step()``,
  ``apply_gradients``...), directly or through a function of the file it calls.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.flow import Flow

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
#: Loop variables that name an epoch (``epoch``, ``cur_epoch``, ``ep``, ``i_ep``).
_EPOCH_VAR = re.compile(r"epoch|^(i_?)?ep$", re.IGNORECASE)
#: ...unless they count something inside an epoch (``epoch_step``, ``batch_in_epoch``).
_INSIDE_EPOCH = re.compile(r"step|batch|iter|sample|minibatch", re.IGNORECASE)
#: Bounds of a loop over the steps of one epoch (``range(steps_per_epoch)``).
_PER_EPOCH_BOUND = re.compile(
    r"per_?epoch|per_?ep\b|steps|batch|loader|len\(|dataset|minibatch", re.IGNORECASE
)
_COUNTING = frozenset({"range", "xrange", "trange", "count"})
_WRAPPERS = frozenset({"tqdm", "enumerate", "iter"})
#: Names of iteration counters, preferred when a ``while`` loop increments several.
_COUNTER_NAME = re.compile(r"iter|step|^it$|^i$|^k$|^t$|update|count|^n_", re.IGNORECASE)
#: Receivers of a training ``.step()`` / ``.minimize()`` (not ``scheduler.step()``,
#: ``scipy.optimize.minimize``).
_OPTIMIZER = re.compile(r"optim(?!ize$)|^opt(_|$)|_opt$|solver|scaler", re.IGNORECASE)


#: Packages whose ``fit`` is not Keras's (and takes no ``callbacks=``).
_NOT_KERAS_ROOTS = frozenset({"sklearn", "xgboost", "lightgbm", "catboost", "statsmodels"})


def _fit_takes_callbacks(cls: ast.ClassDef) -> bool:
    """A class of the file whose ``fit`` can take ``callbacks`` (or subclasses a model)."""
    bases = " ".join(ast.unparse(b) for b in cls.bases)
    if "Model" in bases or "keras" in bases:
        return True
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "fit":
            args = node.args
            names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
            return "callbacks" in names or args.kwarg is not None
    return True  # no fit of its own: inherited, maybe Keras's


@dataclass(frozen=True)
class TrainingLoop:
    """A loop that gets ``seeder.reseed(task, var)`` as its first statement."""

    loop: ast.For | ast.AsyncFor | ast.While
    var: str
    kind: str  # "epoch" | "iteration"


#: The name earlier rules used; an epoch loop is one kind of training loop.
EpochLoop = TrainingLoop


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _call_name(ctx: FileContext, node: ast.AST) -> str:
    if not isinstance(node, ast.Call):
        return ""
    return ctx.source_of(node.func).rsplit(".", 1)[-1]


class TrainingAnalysis:
    """Finds training loops and Keras ``fit`` calls."""

    def __init__(
        self, ctx: FileContext, flow: Flow | None = None, may_train_steps: bool = True
    ) -> None:
        self.ctx = ctx
        self.flow = flow or Flow(ctx)
        #: iteration loops count only in a file that can start a run (FileFacts)
        self.may_train_steps = may_train_steps

    # -- what a loop counts ----------------------------------------------------------

    def _counting_iterable(self, node: ast.AST, loop: ast.AST, depth: int = 0) -> ast.Call | None:
        """The ``range(...)``/``count(...)`` call a loop iterates over, through
        ``tqdm``/``enumerate`` and a name assigned one (``it = trange(n_epochs)``)."""
        if depth > 3:
            return None
        if isinstance(node, ast.Name):
            value = self._assigned_before(node.id, loop)
            return None if value is None else self._counting_iterable(value, loop, depth + 1)
        name = _call_name(self.ctx, node)
        if name in _COUNTING:
            return node  # type: ignore[return-value]
        if name in _WRAPPERS and node.args:  # type: ignore[attr-defined]
            return self._counting_iterable(node.args[0], loop, depth + 1)  # type: ignore[attr-defined]
        return None

    def _assigned_before(self, name: str, loop: ast.AST) -> ast.expr | None:
        """The value last assigned to ``name`` before ``loop`` in the same function."""
        scope = self.ctx.enclosing_function(loop) or self.ctx.tree
        found = None
        for node in self.ctx.scope_nodes(scope):
            if (
                isinstance(node, ast.Assign)
                and node.lineno < loop.lineno  # type: ignore[attr-defined]
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ):
                if found is None or node.lineno > found.lineno:
                    found = node
        return found.value if found is not None else None

    def _counter_of_for(self, loop: ast.For | ast.AsyncFor) -> str | None:
        """The loop variable that holds the count (``i, epoch`` in ``enumerate(range())``)."""
        names = _target_names(loop.target)
        if len(names) == 1:
            return names[0]
        iterable = loop.iter
        if _call_name(self.ctx, iterable) == "enumerate" and len(names) == 2:
            return names[1]
        return None

    def _enumerate_counter(self, loop: ast.AST) -> str | None:
        """``for step, (x, y) in enumerate(dataset):`` -> ``step``."""
        iterable = getattr(loop, "iter", None)
        target = getattr(loop, "target", None)
        if (
            iterable is not None
            and _call_name(self.ctx, iterable) == "enumerate"
            and isinstance(target, ast.Tuple)
            and target.elts
            and isinstance(target.elts[0], ast.Name)
        ):
            return target.elts[0].id
        return None

    def _epoch_var(self, loop: ast.For | ast.AsyncFor) -> str | None:
        names = _target_names(loop.target)
        for name in names:
            if _EPOCH_VAR.search(name) and not _INSIDE_EPOCH.search(name):
                return name
        if any(_INSIDE_EPOCH.search(n) for n in names):
            return None  # ``for step in range(self.steps_per_epoch)``
        if not self._mentions_epochs:
            return None  # no bound can name an epoch count: nothing to look up
        counting = self._counting_iterable(loop.iter, loop)
        if counting is None:
            return None
        bound = self.ctx.source_of(counting)
        if "epoch" in bound.lower() and not _PER_EPOCH_BOUND.search(bound):
            return self._counter_of_for(loop)
        return None

    @cached_property
    def _mentions_epochs(self) -> bool:
        return "epoch" in self.ctx.text.lower()

    def _iteration_var(self, loop: ast.AST) -> str | None:
        """The counter of a loop over iterations, if it is one (training not checked)."""
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            counting = self._counting_iterable(loop.iter, loop)
            if counting is None:
                return None
            if _call_name(self.ctx, counting) != "count":
                names = _target_names(loop.target)
                if any(re.search(r"batch", n, re.IGNORECASE) for n in names):
                    return None
                if _PER_EPOCH_BOUND.search(self.ctx.source_of(counting)) and not re.search(
                    r"iter|num_steps|max_steps|total_steps|train_steps|n_steps",
                    self.ctx.source_of(counting),
                    re.IGNORECASE,
                ):
                    return None
            return self._counter_of_for(loop)
        if isinstance(loop, ast.While):
            return self._while_counter(loop)
        return None

    def _while_counter(self, loop: ast.While) -> str | None:
        """``while it < max_iters:`` / ``while True:`` with ``it += 1`` in the body."""
        increments: list[str] = []
        for node in self._own_statements(loop):
            if (
                isinstance(node, ast.AugAssign)
                and isinstance(node.op, ast.Add)
                and isinstance(node.target, ast.Name)
            ):
                increments.append(node.target.id)
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.BinOp)
                and isinstance(node.value.op, ast.Add)
                and isinstance(node.value.left, ast.Name)
                and node.value.left.id == node.targets[0].id
            ):
                increments.append(node.targets[0].id)
        if not increments:
            return None
        # the counter that ends the loop (``while it < n:``, ``if iter_num > max_iters:
        # break``) is the one a checkpoint restores; ``local_iter_num`` restarts at 0
        tested = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
        for node in self._own_statements(loop):
            if isinstance(node, ast.If) and any(
                isinstance(s, (ast.Break, ast.Return)) for s in node.body
            ):
                tested.update(n.id for n in ast.walk(node.test) if isinstance(n, ast.Name))
        ordered = sorted(set(increments), key=increments.index)
        ranked = sorted(
            ordered,
            key=lambda name: (
                name not in tested,
                name.startswith("local"),
                not _COUNTER_NAME.search(name),
            ),
        )
        return ranked[0]

    def _own_statements(self, loop: ast.AST):
        """Statements of ``loop``'s body, not inside a nested loop or function."""
        stack = list(getattr(loop, "body", []))
        while stack:
            stmt = stack.pop()
            yield stmt
            if isinstance(stmt, (*_LOOPS, *_FUNCTIONS, ast.ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody"):
                stack.extend(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                stack.extend(handler.body)

    # -- does it train? --------------------------------------------------------------
    #
    # Computed once per file from the calls (never by walking a loop or a function
    # again): each training step marks the loops and the function around it, and a
    # call of a function that trains marks the loops and the function around the call.

    def _is_step(self, call: ast.Call) -> bool:
        """``loss.backward()``, ``opt.step()``, ``opt.apply_gradients(...)``, Keras fit."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return False
        attr = func.attr
        if attr in ("backward", "apply_gradients", "train_on_batch"):
            return True
        if attr in ("step", "minimize"):
            receiver = self.ctx.source_of(func.value).rsplit(".", 1)[-1]
            return bool(_OPTIMIZER.search(receiver))
        return attr in ("fit", "fit_generator") and call in self._fit_call_ids

    @cached_property
    def _fit_call_ids(self) -> set[ast.Call]:
        return set(self.fit_calls)

    @cached_property
    def _step_calls(self) -> list[ast.Call]:
        return [call for call, _ in self.ctx.calls if self._is_step(call)]

    def _enclosing(self, node: ast.AST) -> tuple[list[ast.AST], ast.AST | None]:
        """The loops around ``node`` in its function, and that function (``None``: the
        module's own code; a class body counts as no function)."""
        loops: list[ast.AST] = []
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, _LOOPS):
                loops.append(ancestor)
            elif isinstance(ancestor, (*_FUNCTIONS, ast.Lambda)):
                return loops, ancestor
            elif isinstance(ancestor, ast.ClassDef):
                return loops, ancestor
        return loops, None

    @cached_property
    def _training(self) -> tuple[set[int], set[int], bool]:
        """(ids of loops that train, ids of functions that train, module code trains)."""
        loops: set[int] = set()
        functions: set[int] = set()
        module = False
        todo: list[ast.AST] = list(self._step_calls)
        marked_calls: set[int] = set()
        while todo:
            call = todo.pop()
            if id(call) in marked_calls:
                continue
            marked_calls.add(id(call))
            around, function = self._enclosing(call)
            loops.update(id(loop) for loop in around)
            if function is None:
                module = True
            elif isinstance(function, _FUNCTIONS) and id(function) not in functions:
                functions.add(id(function))
                todo.extend(site for site, kind in self.flow.callers(function) if kind == "call")
        return loops, functions, module

    def trains(self, node: ast.AST, depth: int = 0) -> bool:
        """``node`` (a loop or a function) runs a training step, itself or through a
        function of the file."""
        loops, functions, _ = self._training
        return id(node) in loops or id(node) in functions

    @cached_property
    def module_trains(self) -> bool:
        """Module-level code (outside functions and classes) runs a training step."""
        return any(self._enclosing(call)[1] is None for call in self._step_calls)

    @cached_property
    def has_training_step(self) -> bool:
        """The file runs a training step somewhere (``loss.backward()``, ``fit``...)."""
        return bool(self._step_calls)

    @cached_property
    def _generator_loops(self) -> set[int]:
        """Loops that ``yield`` (a generator handing out epochs, not training)."""
        found: set[int] = set()
        for node in self.ctx.nodes:
            if isinstance(node, (ast.Yield, ast.YieldFrom)):
                found.update(id(loop) for loop in self._enclosing(node)[0])
        return found

    # -- the loops -------------------------------------------------------------------

    @cached_property
    def _candidates(self) -> list[TrainingLoop]:
        found = []
        for node in self.ctx.nodes:
            if not isinstance(node, _LOOPS):
                continue
            if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node)):
                continue  # a generator's loop hands out epochs; the loop over it trains
            if isinstance(node, (ast.For, ast.AsyncFor)):
                var = self._epoch_var(node)
                if var:
                    found.append(TrainingLoop(node, var, "epoch"))
                    continue
            if not self.may_train_steps or not self.trains(node):
                continue  # (a set lookup: most loops of a library never train)
            var = self._iteration_var(node)
            if var:
                found.append(TrainingLoop(node, var, "iteration"))
                continue
            # ``for step, (x, y) in enumerate(dataset):`` training at the top of the script
            # (not in a function nothing here calls, such as a library's train_one_epoch,
            # which another module runs once per epoch)
            var = self._enumerate_counter(node)
            if var and self.flow.reached_from_module(node):
                found.append(TrainingLoop(node, var, "iteration"))
        return found

    @cached_property
    def nested_epoch_loops(self) -> list[TrainingLoop]:
        """Epoch loops that run inside another loop, where no outer loop is reseeded."""
        outer = {id(t.loop) for t in self.epoch_loops}
        nested = []
        for candidate in self._candidates:
            if id(candidate.loop) in outer or candidate.kind != "epoch":
                continue
            if any(id(a) in outer for a in self.ctx.ancestors(candidate.loop)):
                continue
            nested.append(candidate)
        return nested

    @cached_property
    def epoch_loops(self) -> list[TrainingLoop]:
        """The outermost training loops (epoch or iteration), in file order."""
        loops = [t for t in self._candidates if not self.flow.in_loop(t.loop)]
        loops.sort(key=lambda t: (t.loop.lineno, t.loop.col_offset))
        return loops

    def reseeds_first(self, loop: ast.AST) -> bool:
        """Whether the loop already starts with ``seeder.reseed(...)``."""
        body = getattr(loop, "body", [])
        first = body[0] if body else None
        return isinstance(first, ast.Expr) and self.ctx.is_seeder_call(first.value, "reseed")

    # -- Keras -----------------------------------------------------------------------

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
            if self._not_keras(func.value, call):
                continue
            found.append(call)
        return found

    def _not_keras(self, receiver: ast.AST, call: ast.Call) -> bool:
        """The receiver is surely no Keras model: an instance of a class of this file
        whose ``fit`` takes no ``callbacks`` (a scikit-learn style wrapper), or of a
        scikit-learn / XGBoost / LightGBM / CatBoost estimator."""
        origin = self._constructor_of(receiver, call)
        if origin is None:
            return False
        qualname = self.ctx.qualify(origin.func) or ""
        if qualname.split(".")[0] in _NOT_KERAS_ROOTS:
            return True
        if isinstance(origin.func, ast.Name):
            for node in self.ctx.tree.body:
                if isinstance(node, ast.ClassDef) and node.name == origin.func.id:
                    return not _fit_takes_callbacks(node)
        return False

    def _constructor_of(self, receiver: ast.AST, call: ast.Call) -> ast.Call | None:
        """``Wrapper()`` for ``est`` in ``est = Wrapper(); est.fit(x)`` (same scope)."""
        if isinstance(receiver, ast.Call):
            return receiver
        if not isinstance(receiver, ast.Name):
            return None
        value = self._assigned_before(receiver.id, call)
        return value if isinstance(value, ast.Call) else None

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
        for node in self.ctx.nodes:
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
