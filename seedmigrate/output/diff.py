"""Unified diffs of the changes ``apply`` would make."""

from __future__ import annotations

import difflib

from seedmigrate.files import split_lines

__all__ = ["split_lines", "unified_diff"]


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git diff``-style unified diff of one file (empty when nothing changes)."""
    lines = difflib.unified_diff(
        split_lines(before),
        split_lines(after),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)
