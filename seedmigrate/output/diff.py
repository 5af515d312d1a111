"""Unified diffs of the changes ``apply`` would make."""

from __future__ import annotations

import difflib
import re

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def split_lines(text: str) -> list[str]:
    """``text``'s lines as ``git`` and ``patch`` see them: ended by ``\\n`` only, ends kept.

    ``str.splitlines`` also breaks at ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``,
    U+2028 and U+2029, and a diff built on such lines does not apply. A ``\\r`` stays in
    its line (``\\r\\n`` ends one, as both tools read it; a lone ``\\r`` is inside one).
    """
    return _LINE.findall(text)


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
