"""SEED006: an epoch loop that does not start with ``seeder.reseed(1, epoch)``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import unserved_reason
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import EP_LOOP, EPOCH, ML_ROOTS, TRAINING_STEP, each_with
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx = facts.ctx
    if not ctx.uses_ml:
        return
    # Task 1 for the first epoch loop, 2 for the next...: two training phases in one
    # script (pre-train, then fine-tune) must not replay each other's per-epoch seeds.
    for task, loop in enumerate(facts.training.epoch_loops, start=1):
        if facts.training.reseeds_first(loop.loop):
            continue
        code = f"{ctx.seeder_name}.reseed({task}, {loop.var})\n"
        what = "epoch loop" if loop.kind == "epoch" else "training loop"
        message = (
            f"{what} over `{loop.var}` does not start with `seeder.reseed({task}, {loop.var})`; "
            "a resumed run would replay other randomness"
        )
        target = _target(loop.loop)
        reason = unserved_reason(facts, loop.loop)
        if reason is None and loop.kind == "iteration" and _tensorflow(facts):
            reason = (
                "reseeding TensorFlow every iteration rebuilds every tf.function on its next "
                "call (about +1800% per step, docs/performance.md); reseed an epoch loop, or "
                "restore seeder.state_dict() from the checkpoint to resume mid-run"
            )
        if reason is not None:
            yield ctx.finding("SEED006", target, f"{message}; not fixed: {reason}", fixable=False)
            continue
        yield ctx.finding(
            "SEED006",
            target,
            message,
            (*ctx.import_edit(), Edit(EditKind.PREPEND_BODY, ctx.pos(loop.loop), code)),
        )
    for loop in facts.training.nested_epoch_loops:
        if facts.training.reseeds_first(loop.loop):
            continue
        yield ctx.finding(
            "SEED006",
            _target(loop.loop),
            f"epoch loop over `{loop.var}` runs inside another loop, so "
            f"`seeder.reseed(task, {loop.var})` would repeat the same seeds at every outer "
            "iteration; reseed the outermost training loop by hand (its counter as the epoch)",
            fixable=False,
        )


def _tensorflow(facts: FileFacts) -> bool:
    module = facts.ctx.seeder_import[1] if facts.ctx.seeder_import else facts.ctx.backend_module
    return module.endswith(".tf")


def _target(loop: ast.AST) -> ast.AST:
    return loop.test if isinstance(loop, ast.While) else loop.target  # type: ignore[attr-defined]


RULE = Rule(
    code="SEED006",
    slug="epoch-loop-reseed",
    summary="Training loop does not reseed",
    why=(
        "Reseeding at each epoch's start makes epoch k's randomness (shuffling, dropout, "
        "augmentation) a function of (master seed, k, rank) alone, so a job killed at epoch "
        "50 and resumed there draws exactly what the uninterrupted run drew. A script that "
        "counts iterations instead (`while True:` with `iter_num += 1`, `for step in "
        "range(num_iterations)`) resumes exactly when each iteration reseeds with its "
        "counter, which the checkpoint stores."
    ),
    fix=(
        "`apply` inserts `seeder.reseed(1, <counter>)` as the first statement of the "
        "outermost training loop: an epoch loop (`for epoch in ...`, `for ep in ...`, "
        "`range(args.epochs)`, `tqdm(range(start_epoch, n_epochs))`), or, where no epoch "
        "loop encloses the training, a loop over iterations that trains (`loss.backward()`, "
        "`optimizer.step()`, `apply_gradients`): `while` with a counter incremented in its "
        "body, `for it in range(...)`, `itertools.count()`. A second training loop in the "
        "same file gets task 2, and so on. Never reseeded: a loop over steps "
        "(`range(steps_per_epoch)`, `enumerate(loader)` in a function called per epoch), a "
        "loop nested in another loop (PPO's `for epoch in range(update_epochs)` inside the "
        "loop over updates: the outer loop gets the reseed) — reseeding them would repeat "
        "`(task, epoch)` seeds. Reported instead of fixed: a loop `seeder.init` would not "
        "run before, and a TensorFlow iteration loop (reseeding TensorFlow every step "
        "rebuilds every `tf.function`)."
    ),
    fixable=True,
    check=check,
    tokens=each_with(((EPOCH,), (EP_LOOP,), *TRAINING_STEP), *ML_ROOTS),
    examples=(
        (
            dedent(
                """\
                import torch


                def train(model, start, n):
                    for epoch in range(start, n):
                        model.step(epoch)
                """
            ),
            dedent(
                """\
                import torch
                import seeder_runtime.torch as seeder


                def train(model, start, n):
                    for epoch in range(start, n):
                        seeder.reseed(1, epoch)
                        model.step(epoch)
                """
            ),
        ),
        (
            dedent(
                """\
                import torch

                model = torch.nn.Linear(2, 1)
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
                iter_num = 0
                while iter_num < 100:
                    loss = model(torch.randn(4, 2)).pow(2).mean()
                    loss.backward()
                    opt.step()
                    iter_num += 1
                """
            ),
            dedent(
                """\
                import torch
                import seeder_runtime.torch as seeder

                model = torch.nn.Linear(2, 1)
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
                iter_num = 0
                while iter_num < 100:
                    seeder.reseed(1, iter_num)
                    loss = model(torch.randn(4, 2)).pow(2).mean()
                    loss.backward()
                    opt.step()
                    iter_num += 1
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import numpy as np
            for ep in range(args.epochs):
                np.zeros(ep)
            """
        ),
        dedent(
            """\
            import torch
            import seeder_runtime.torch as seeder

            for epoch in range(2):
                seeder.reseed(1, epoch)
            for epoch in range(3):
                pass
            """
        ),
        dedent(
            """\
            import torch
            from tqdm import tqdm
            for i in tqdm(range(num_epochs)):
                pass
            """
        ),
        dedent(
            """\
            import torch
            for update in range(10):
                for epoch in range(4):
                    loss.backward()
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch
            for step, batch in enumerate(loader):
                pass
            """
        ),
        dedent(
            """\
            import seeder_runtime.torch as seeder
            for epoch in range(3):
                seeder.reseed(1, epoch)
            """
        ),
        dedent(
            """\
            for epoch in range(3):
                print(epoch)
            """
        ),
        dedent(
            """\
            import torch


            class Agent:
                def collect(self):
                    for step in range(self.steps_per_epoch):
                        torch.rand(1)
            """
        ),
    ),
)
