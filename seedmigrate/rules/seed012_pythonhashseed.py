"""SEED012: ``PYTHONHASHSEED`` set from inside the script."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import HASHSEED, any_of, both
from seedmigrate.rules.base import Rule


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
    tokens=both(any_of("environ", "putenv"), HASHSEED),
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
