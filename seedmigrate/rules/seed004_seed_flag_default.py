"""SEED004: the seed flag defaults to a fixed value or is not an int."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import has_init, init_plan
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.analysis.tokens import any_of
from seedmigrate.rules.base import Rule


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def check(facts: FileFacts) -> Iterator[Finding]:
    flags = facts.entry.seed_flags
    if not flags:
        return
    plan = init_plan(facts)
    # Without seeder.init turning None into a drawn seed (and writing it back into the
    # flag), a None default would reach the script's own uses of the flag
    # (``PRNGKey(FLAGS.seed)``): report only.
    fixes = has_init(facts) or (plan is not None and plan.uses_flag)
    dest = flags[0].dest
    if not fixes and facts.project is not None:
        # a parser of a library module: fixed when the entry scripts that use it all
        # call seeder.init (which takes the option and writes the drawn seed back)
        function = facts.ctx.enclosing_function(flags[0].call)
        fixes = function is not None and facts.project.run_by_initialising_entries(
            function, facts.ctx
        )
    for flag in flags:
        if flag.dest == dest:  # every definition of the option init reads (subparsers)
            yield from _check_flag(facts, flag, fixes)


def _check_flag(facts: FileFacts, flag, fixes: bool) -> Iterator[Finding]:
    ctx, call = facts.ctx, flag.call
    pos = ctx.pos(call)
    edits: list[Edit] = []
    problems: list[str] = []
    if flag.kind == "absl":
        default = call.args[1] if len(call.args) > 1 else _keyword(call, "default")
        if default is not None and not _is_none(default):
            problems.append(f"defaults to `{ctx.source_of(default)}`")
            if len(call.args) > 1:
                edits.append(Edit(EditKind.SET_POSITIONAL, pos, "None", index=1))
            else:
                edits.append(Edit(EditKind.SET_KEYWORD, pos, "None", name="default"))
    else:
        if _keyword(call, "action") is not None:
            return  # store_const & co: not a value flag we can retype
        default = _keyword(call, "default")
        if default is not None and not _is_none(default):
            problems.append(f"defaults to `{ctx.source_of(default)}`")
            edits.append(Edit(EditKind.SET_KEYWORD, pos, "None", name="default"))
        kind = _keyword(call, "type")
        if not (isinstance(kind, ast.Name) and kind.id == "int"):
            problems.append(
                "is not `type=int`" if kind is None else f"has `type={ctx.source_of(kind)}`"
            )
            edits.append(Edit(EditKind.SET_KEYWORD, pos, "int", name="type"))
    if not problems:
        return
    message = (
        f"seed flag `{flag.dest}` {' and '.join(problems)}; it must be an int defaulting "
        "to None so that an unseeded run draws and logs a fresh seed"
    )
    if not fixes:
        yield ctx.finding(
            "SEED004",
            call,
            message + "; seedmigrate found no place for seeder.init, so it leaves the default",
            fixable=False,
        )
        return
    help_text = _keyword(call, "help")
    if (
        default is not None
        and isinstance(help_text, ast.Constant)
        and isinstance(help_text.value, str)
    ):
        new = _help_without_default(ctx.source_of(help_text), ctx.source_of(default))
        if new is not None:
            edits.append(Edit(EditKind.SET_KEYWORD, pos, new, name="help"))
    yield ctx.finding("SEED004", call, message, edits)


def _help_without_default(source: str, old: str) -> str | None:
    """The help text's ``default: 42`` / ``Default=42`` / ``default 42`` / ``default is
    42`` made ``default: drawn at random and logged`` (capital kept); ``None`` when it
    does not state the old default."""
    pattern = re.compile(
        r"\b([Dd])efault(?:\s*[:=]\s*|\s+is\s+|\s+)" + re.escape(old) + r"(?!\w|\.\d)"
    )
    match = pattern.search(source)
    if match is None:
        return None
    replacement = f"{match.group(1)}efault: drawn at random and logged"
    return source[: match.start()] + replacement + source[match.end() :]


RULE = Rule(
    code="SEED004",
    slug="seed-flag-default",
    summary="Seed flag with a fixed default or without type=int",
    why=(
        "`--seed` with `default=42` makes every run identical, so run-to-run variance, the "
        "signal a regression hides in, is never seen; `seeder.init(master_seed=None)` draws "
        "and logs a seed instead. A seed parsed as a string or float is rejected by "
        "`seeder.init`."
    ),
    fix=(
        "`apply` sets `default=None` and `type=int` (absl: the default argument becomes "
        "`None`) and updates a `(default: 42)` in the help text, but only when the same "
        "migration calls `seeder.init` (which turns `None` into a drawn, logged seed and "
        "writes it back into the flag); otherwise the finding is reported for a human."
    ),
    fixable=True,
    check=check,
    # seed-flag names are string constants, which escapes or implicit concatenation
    # can hide: keyed on the call
    tokens=any_of("ArgumentParser", "DEFINE_", "click"),
    examples=(
        (
            dedent(
                """\
                import argparse

                import torch

                parser = argparse.ArgumentParser()
                parser.add_argument("--seed", default=42, help="seed (default: 42)")
                args = parser.parse_args()
                torch.manual_seed(args.seed)
                """
            ),
            dedent(
                """\
                import argparse

                import torch

                parser = argparse.ArgumentParser()
                parser.add_argument("--seed", default=None, help="seed (default: drawn at random and logged)", type=int)
                args = parser.parse_args()
                torch.manual_seed(args.seed)
                """
            ),
        ),
        (
            dedent(
                """\
                from absl import app, flags
                import tensorflow as tf

                FLAGS = flags.FLAGS
                flags.DEFINE_integer('seed', 1234, 'Random seed.')


                def main(argv):
                    tf.random.set_seed(FLAGS.seed)


                app.run(main)
                """
            ),
            dedent(
                """\
                from absl import app, flags
                import tensorflow as tf

                FLAGS = flags.FLAGS
                flags.DEFINE_integer('seed', None, 'Random seed.')


                def main(argv):
                    tf.random.set_seed(FLAGS.seed)


                app.run(main)
                """
            ),
        ),
    ),
    invalid=(
        dedent(
            """\
            import argparse
            p = argparse.ArgumentParser()
            p.add_argument('--manualSeed', type=int, default=999)
            """
        ),
        dedent(
            """\
            import click

            @click.command()
            @click.option('--seed', default=0, type=int)
            def main(seed):
                pass
            """
        ),
        dedent(
            """\
            from absl import app, flags
            import jax

            flags.DEFINE_integer('seed', 42, 'seed')
            FLAGS = flags.FLAGS


            def main(_):
                key = jax.random.PRNGKey(FLAGS.seed)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import argparse
            p = argparse.ArgumentParser()
            p.add_argument('--seed', type=int)
            """
        ),
    ),
)
