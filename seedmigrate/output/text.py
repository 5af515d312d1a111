"""Human-readable findings: rich colours on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from seedmigrate.analysis.model import Finding


def format_finding(finding: Finding) -> str:
    """``path:line:col: CODE message [*]`` (``[*]``: ``apply`` fixes it), like ruff."""
    mark = " [*]" if finding.fixable else ""
    return (
        f"{finding.where}:{finding.line}:{finding.column}: {finding.code} {finding.message}{mark}"
    )


def _console(stream: TextIO):
    from rich.console import Console  # lazy: rich costs ~50 ms to import

    return Console(file=stream, highlight=False, soft_wrap=True)


def write_findings(findings: Sequence[Finding], stream: TextIO, color: bool | None = None) -> None:
    """One line per finding, coloured when ``stream`` is a terminal."""
    color = stream.isatty() if color is None else color
    if not color:
        for finding in findings:
            stream.write(format_finding(finding) + "\n")
        return
    from rich.markup import escape

    console = _console(stream)
    for f in findings:
        mark = " [cyan][*][/cyan]" if f.fixable else ""
        style = "bold yellow" if f.fixable else "bold red"  # red: a human must act
        console.print(
            f"[bold]{escape(f.where)}[/bold]:{f.line}:{f.column}: "
            f"[{style}]{f.code}[/{style}] {escape(f.message)}{mark}"
        )


def write_statistics(findings: Sequence[Finding], stream: TextIO) -> None:
    """Counts per rule, most frequent first (``--statistics``)."""
    from seedmigrate.rules import RULES_BY_CODE

    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fixable}
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = RULES_BY_CODE.get(code)
        slug = rule.slug if rule else ""
        mark = "[*]" if code in fixable else "[ ]"
        stream.write(f"{count:5d}\t{code}\t{mark} {slug}\n")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def check_summary(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.code == "SEED000")
    fixable = sum(1 for f in findings if f.fixable)
    manual = len(findings) - fixable - errors
    if not findings:
        return f"All checks passed ({plural(files, 'file')} checked)."
    parts = [
        f"Found {plural(len(findings) - errors, 'finding')} in {plural(files, 'file')} checked"
    ]
    if fixable:
        parts.append(f"{fixable} fixable with `seedmigrate apply`")
    if manual:
        parts.append(f"{manual} need a human")
    if errors:
        parts.append(f"{plural(errors, 'file')} could not be read or parsed")
    return "; ".join(parts) + "."


def write_summary(line: str, stream: TextIO = sys.stderr) -> None:
    stream.write(line + "\n")
