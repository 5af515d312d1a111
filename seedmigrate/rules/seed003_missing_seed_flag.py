"""SEED003: the training script's argument parser has no seed flag."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.entry import SEED_HELP, block_of
from seedmigrate.analysis.migration import has_init, init_plan, is_entry_script
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import TRAINS, each_with
from seedmigrate.rules.base import Rule


def _quote(facts: FileFacts, calls: list[ast.Call]) -> str:
    """The quote character the file's own ``add_argument`` calls use."""
    for call in calls:
        text = facts.ctx.source_of(call.args[0]) if call.args else ""
        if text[:1] in ("'", '"'):
            return text[0]
    return '"'


def _init_reads_the_flag(facts: FileFacts) -> bool:
    """An existing ``seeder.init(master_seed=args.seed)`` reads the parsed arguments."""
    holders = {site.args for site in facts.entry.parse_sites if site.args}
    for call, _ in facts.ctx.calls:
        if facts.ctx.is_seeder_call(call, "init"):
            seed = next((k.value for k in call.keywords if k.arg == "master_seed"), None)
            seed = seed if seed is not None else (call.args[0] if call.args else None)
            if isinstance(seed, ast.Attribute) and isinstance(seed.value, ast.Name):
                if seed.value.id in holders:
                    return True
    return False


def check(facts: FileFacts) -> Iterator[Finding]:
    entry = facts.entry
    if entry.seed_flag is not None or not is_entry_script(facts):
        return  # one seed option per parser: never a second (groups, helpers, subparsers)
    parser = entry.main_parser
    if parser is None or not entry.parse_sites or parser.parent is not None:
        return
    plan = init_plan(facts)
    if plan is not None and not plan.uses_flag:
        return  # the script seeds from the environment or a config: that seed reaches init
    if plan is None and has_init(facts) and not _init_reads_the_flag(facts):
        return  # migrated already, from another seed: a --seed nothing reads would mislead
    block = block_of(facts.ctx, parser.create_stmt) or []
    anchor: ast.stmt = parser.create_stmt
    for call in parser.add_arguments:
        stmt = facts.ctx.parent(call)
        if isinstance(stmt, ast.Expr) and stmt in block and stmt.lineno > anchor.lineno:
            anchor = stmt
    q = _quote(facts, parser.add_arguments)
    code = (
        f"{parser.var}.add_argument({q}--seed{q}, type=int, default=None, help={q}{SEED_HELP}{q})\n"
    )
    yield facts.ctx.finding(
        "SEED003",
        parser.create,
        f"argument parser `{parser.var}` has no --seed flag to pass a master seed",
        (Edit(EditKind.INSERT_AFTER, facts.ctx.pos(anchor), code),),
    )


RULE = Rule(
    code="SEED003",
    slug="missing-seed-flag",
    summary="Training script has no --seed flag",
    why=(
        "A run is only repeatable when its master seed can be given on the command line; "
        "without a flag the seed is hard-coded (every run identical, so variance is "
        "invisible) or absent (no run can be repeated)."
    ),
    fix=(
        "`apply` adds `--seed` (`type=int, default=None`) after the parser's last "
        "`add_argument` call, in the file's quote style."
    ),
    fixable=True,
    check=check,
    tokens=each_with(TRAINS, "ArgumentParser"),
    examples=(
        (
            dedent(
                """\
                import argparse

                import torch

                parser = argparse.ArgumentParser()
                parser.add_argument('--epochs', type=int, default=3)
                args = parser.parse_args()
                for epoch in range(args.epochs):
                    pass
                """
            ),
            dedent(
                """\
                import argparse

                import torch

                parser = argparse.ArgumentParser()
                parser.add_argument('--epochs', type=int, default=3)
                parser.add_argument('--seed', type=int, default=None, help='master seed (default: drawn at random and logged)')
                args = parser.parse_args()
                for epoch in range(args.epochs):
                    pass
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import argparse
            import torch
            p = argparse.ArgumentParser()
            a = p.parse_args()
            torch.manual_seed(0)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import argparse
            import torch
            p = argparse.ArgumentParser()
            p.add_argument('--random-seed', type=int)
            a = p.parse_args()
            torch.manual_seed(0)
            """
        ),
        dedent(
            """\
            import argparse
            p = argparse.ArgumentParser()
            p.add_argument('--n')
            a = p.parse_args()
            """
        ),
    ),
)
