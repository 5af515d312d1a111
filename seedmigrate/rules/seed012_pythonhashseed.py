"""SEED012: ``PYTHONHASHSEED`` set from inside the script."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import Pattern, Tokens, any_of, both
from seedmigrate.rules.base import Rule


def _proper_prefixes(word: str) -> str:
    """A regular expression matching exactly the non-empty proper prefixes of ``word``."""
    pattern = word[-2]
    for letter in reversed(word[:-2]):
        pattern = f"{letter}(?:{pattern})?"
    return pattern


#: The rule compares a string constant with ``PYTHONHASHSEED`` for equality. Unless it is
#: spelt out, it is built with an escape (``\\x48``, ``\\N{...}``), a backslash-newline
#: between two of its letters, or from adjacent literals, the first of which is then
#: exactly a proper prefix of it (``"PYTHON" "HASHSEED"``).
_HASHSEED: Tokens = (
    ("PYTHONHASHSEED",),
    (Pattern(r"\\[xuUN0-7]"),),
    (Pattern(r"[PYTHONASE]\\(?:\r\n?|\n)[YTHONASED]"),),
    (Pattern(f"[\"']{_proper_prefixes('PYTHONHASHSEED')}[\"']"),),
)


def _mentions_hashseed(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "PYTHONHASHSEED" for n in ast.walk(node))


def check(facts: FileFacts) -> Iterator[Finding]:
    ctx = facts.ctx
    for node in ctx.nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and ctx.qualify(target.value) == "os.environ"
                    and _mentions_hashseed(target.slice)
                ):
                    yield _finding(facts, node)
        elif isinstance(node, ast.Call) and _mentions_hashseed(node):
            name = ctx.qualify(node.func) or ""
            if name in ("os.environ.setdefault", "os.environ.update", "os.putenv"):
                yield _finding(facts, node)


def _finding(facts: FileFacts, node: ast.AST) -> Finding:
    return facts.ctx.finding(
        "SEED012",
        node,
        "PYTHONHASHSEED set inside the script does not change this interpreter's hashing; "
        "set it in the launcher's environment (it only reaches child processes from here)",
        fixable=False,
    )


RULE = Rule(
    code="SEED012",
    slug="pythonhashseed",
    summary="PYTHONHASHSEED set at run time",
    why=(
        "Python reads PYTHONHASHSEED once, at interpreter start-up; setting "
        "`os.environ['PYTHONHASHSEED']` later only affects child processes, so set and "
        "dict orders still vary between runs of this process."
    ),
    fix="Export PYTHONHASHSEED in the job script or launcher (`PYTHONHASHSEED=0 python train.py`).",
    fixable=False,
    check=check,
    tokens=both(any_of("environ", "putenv"), _HASHSEED),
    invalid=(
        dedent(
            """\
            import os
            os.environ['PYTHONHASHSEED'] = str(0)
            """
        ),
        dedent(
            """\
            import os
            os.environ.setdefault('PYTHONHASHSEED', '0')
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import os
            os.environ['CUDA_VISIBLE_DEVICES'] = '0'
            """
        ),
    ),
)
