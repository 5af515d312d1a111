"""``--output-format github``: GitHub Actions workflow commands, one per finding.

GitHub turns each ``::error ...::message`` / ``::warning ...::message`` line printed by a
workflow step into an annotation on the pull request's diff. Findings ``apply`` fixes
are warnings; what needs a human (and files that could not be read) are errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from seedmigrate.analysis.model import Finding


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_annotation(finding: Finding) -> str:
    """One workflow command line (without the newline) for ``finding``."""
    level = "warning" if finding.fixable else "error"
    message = finding.message
    if finding.fixable:
        message += " (fixable with `seedmigrate apply`)"
    if finding.cell is None:
        properties = (
            f"file={_escape_property(finding.path)},line={finding.line},col={finding.column},"
            f"endLine={finding.end_line},endColumn={finding.end_column},"
        )
    else:
        # a notebook's lines are counted inside its cells, not in the .ipynb file that
        # GitHub shows: annotate the file and say where in the message
        properties = f"file={_escape_property(finding.path)},"
        message = f"cell_{finding.cell}:{finding.line}:{finding.column}: {message}"
    return f"::{level} {properties}title={_escape_property(finding.code)}::{_escape_data(message)}"


def write_github(findings: Sequence[Finding], stream: TextIO) -> None:
    """Every finding as a GitHub Actions annotation."""
    for finding in findings:
        stream.write(format_annotation(finding) + "\n")
