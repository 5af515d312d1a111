"""SEED018: an ``if args.seed ...`` test that migration makes constant."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import has_init, seed_dest, serves, will_have_init
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import SEED
from seedmigrate.rules.base import Rule


def _tests_seed(test: ast.expr, dest: str) -> bool:
    """``x.seed is not None``, ``x.seed is None``, ``x.seed``, ``not x.seed``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        other = test.comparators[0]
        if isinstance(test.ops[0], (ast.Is, ast.IsNot)) and (
            isinstance(other, ast.Constant) and other.value is None
        ):
            test = test.left
    return isinstance(test, ast.Attribute) and test.attr == dest


def check(facts: FileFacts) -> Iterator[Finding]:
    if not facts.trains and not has_init(facts):
        return
    if not will_have_init(facts):
        return
    dest = seed_dest(facts)
    for node in facts.ctx.nodes:
        if isinstance(node, ast.If) and _tests_seed(node.test, dest):
            if facts.seeding.removable(node):
                continue  # a guard that only seeded is removed (SEED001)
            if not serves(facts, node):
                continue  # it runs before seeder.init: the flag is still as parsed there
            yield facts.ctx.finding(
                "SEED018",
                node.test,
                f"after seeder.init the seed flag `{dest}` is always set, so "
                f"`{facts.ctx.source_of(node.test)}` no longer tells whether a seed was "
                "given; the statements it guards now run (or are skipped) on every run",
                fixable=False,
            )


RULE = Rule(
    code="SEED018",
    slug="seed-guard-always-true",
    summary="Test of the seed flag that migration makes constant",
    why=(
        "`args.seed = seeder.get_master_seed()` writes the drawn seed back into the flag, "
        "so `if args.seed is not None:` is always true afterwards. Whatever else that "
        "block did only for seeded runs (`cudnn.deterministic = True`, a warning) now "
        "happens on every run."
    ),
    fix=(
        "Decide by hand: keep the statements unconditional (seeded runs are now the "
        "default), or test a flag of its own (`--deterministic`), e.g. "
        "`seeder.init(..., deterministic=args.deterministic)`."
    ),
    fixable=False,
    check=check,
    # tests a seed flag (SEED_NAME, caseless)
    tokens=((SEED,),),
    invalid=(
        dedent(
            """\
            import argparse
            import torch
            p = argparse.ArgumentParser()
            p.add_argument('--seed', type=int)
            args = p.parse_args()
            if args.seed is not None:
                torch.manual_seed(args.seed)
                torch.backends.cudnn.deterministic = True
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import argparse
            import torch
            p = argparse.ArgumentParser()
            p.add_argument('--seed', type=int)
            args = p.parse_args()
            if args.seed is not None:
                torch.manual_seed(args.seed)
            """
        ),
    ),
)
