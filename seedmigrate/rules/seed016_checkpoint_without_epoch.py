"""SEED016: a checkpoint that does not record the epoch."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import EPOCH, each_with
from seedmigrate.rules.base import Rule

_PROGRESS = ("epoch", "step", "iter")


def _records_progress(keys: list[str]) -> bool:
    return any(word in key.lower() for key in keys for word in _PROGRESS)


def check(facts: FileFacts) -> Iterator[Finding]:
    if not facts.training.epoch_loops:
        return
    for call, qualname in facts.ctx.calls:
        if qualname == "torch.save" and call.args and isinstance(call.args[0], ast.Dict):
            keys = [
                k.value
                for k in call.args[0].keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
            if None in call.args[0].keys or _records_progress(keys):
                continue  # ``**state`` may carry the epoch
            yield _finding(facts, call)
        elif (
            qualname == "torch.save"
            and call.args
            and isinstance(call.args[0], ast.Call)
            and isinstance(call.args[0].func, ast.Attribute)
            and call.args[0].func.attr == "state_dict"
        ):
            yield _finding(facts, call)  # the weights alone: neither epoch nor optimizer
        elif qualname in ("tensorflow.train.Checkpoint", "tensorflow.compat.v2.train.Checkpoint"):
            if not _records_progress([k.arg or "" for k in call.keywords]):
                yield _finding(facts, call)


def _finding(facts: FileFacts, node: ast.AST) -> Finding:
    return facts.ctx.finding(
        "SEED016",
        node,
        "checkpoint does not store the epoch; a resumed run cannot call "
        "seeder.reseed(1, epoch) with the right epoch",
        fixable=False,
    )


RULE = Rule(
    code="SEED016",
    slug="checkpoint-without-epoch",
    summary="Checkpoint without the epoch",
    why=(
        "Exact resume reseeds with the epoch it resumes at; a checkpoint that does not say "
        "which epoch it ends makes the resumed run restart its seeds at epoch 0."
    ),
    fix=(
        "Store it: `torch.save({'model': ..., 'optimizer': ..., 'epoch': epoch}, path)`; "
        "for mid-epoch resume also `seeder.state_dict()`."
    ),
    fixable=False,
    check=check,
    tokens=each_with(((EPOCH,),), "save", "Checkpoint"),
    invalid=(
        dedent(
            """\
            import torch
            for epoch in range(3):
                torch.save({'model': m.state_dict()}, 'c.pt')
            """
        ),
        dedent(
            """\
            import torch
            for epoch in range(3):
                torch.save(model.state_dict(), 'm.pth')
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import torch
            for epoch in range(3):
                torch.save({'model': 1, 'epoch': epoch}, 'c')
            """
        ),
    ),
)
