"""SEED000: a file that could not be read, decoded or parsed."""

from __future__ import annotations

from seedmigrate.analysis.tokens import NEVER
from seedmigrate.rules.base import Rule

RULE = Rule(
    code="SEED000",
    slug="unreadable-file",
    summary="File could not be read, decoded or parsed",
    why=(
        "seedmigrate never guesses: a file it cannot parse (a syntax error, Python 2 code, "
        "bytes that are not valid in the declared encoding) is reported at the exact "
        "line and column and left byte-for-byte untouched. The other files are still "
        "processed; the run exits with code 2."
    ),
    fix="Fix the syntax or encoding error, or exclude the file in `[tool.seedmigrate]`.",
    fixable=False,
    check=lambda facts: (),
    # read and parse errors come from the pipeline, not from a check
    tokens=NEVER,
    pipeline=True,
    invalid=(),
    valid=("x = 1\n",),
)
