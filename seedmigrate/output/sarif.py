"""``--output-format sarif``: a SARIF 2.1.0 log for code scanning (GitHub, GitLab, IDEs).

One run, with every rule's metadata taken from its module (summary, why, fix, the
generated Markdown reference) and one result per finding. A fixable finding carries a
``fixes`` entry: the replacements that turn the file into what ``apply`` would write
for that finding, computed from the file's text before and after with :mod:`difflib`
(one ``deletedRegion`` + ``insertedContent`` per changed run of lines).

Columns are counted in Unicode code points (``columnKind``), as seedmigrate counts them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from seedmigrate import __version__
from seedmigrate.analysis.model import Finding

if TYPE_CHECKING:
    from seedmigrate.sources import Source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

_LINES = re.compile(r"[^\n]*\n|[^\n]+")


def _lines(text: str) -> list[str]:
    """Lines with their terminators, split on ``\\n`` only (``\\r\\n`` stays one ending)."""
    return _LINES.findall(text)


def _position(lines: list[str], index: int) -> tuple[int, int]:
    """1-based ``(line, column)`` where line ``index`` (0-based) starts; EOF handled."""
    if index < len(lines) or not lines or lines[-1].endswith("\n"):
        return index + 1, 1
    return len(lines), len(lines[-1]) + 1  # just past a last line without a newline


def replacements(before: str, after: str) -> list[dict[str, Any]]:
    """SARIF ``replacement`` objects that turn ``before`` into ``after``, line hunks."""
    old, new = _lines(before), _lines(after)
    offsets = [0]
    for line in old:
        offsets.append(offsets[-1] + len(line))
    found = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start_line, start_column = _position(old, i1)
        end_line, end_column = _position(old, i2)
        found.append(
            {
                "deletedRegion": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                    "charOffset": offsets[i1],
                    "charLength": offsets[i2] - offsets[i1],
                },
                "insertedContent": {"text": "".join(new[j1:j2])},
            }
        )
    return found


def apply_replacements(before: str, changes: Sequence[dict[str, Any]]) -> str:
    """``before`` with SARIF replacements applied (by ``charOffset``/``charLength``)."""
    text = before
    for change in sorted(changes, key=lambda c: c["deletedRegion"]["charOffset"], reverse=True):
        region = change["deletedRegion"]
        start, length = region["charOffset"], region["charLength"]
        text = text[:start] + change["insertedContent"]["text"] + text[start + length :]
    return text


def artifact_location(path: str) -> dict[str, str]:
    """A relative path under ``%SRCROOT%`` (the current folder), or an absolute file URI."""
    p = Path(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    return {"uri": quote(p.as_posix()), "uriBaseId": SRCROOT}


def _rules() -> list[dict[str, Any]]:
    from seedmigrate.docs import rule_markdown
    from seedmigrate.rules import ALL_RULES

    return [
        {
            "id": rule.code,
            "name": rule.slug,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "help": {"text": rule.fix, "markdown": rule_markdown(rule)},
            "defaultConfiguration": {"level": "warning" if rule.fixable else "error"},
            "properties": {"fixable": rule.fixable, "tags": ["reproducibility"]},
        }
        for rule in ALL_RULES
    ]


def fixed_texts(finding: Finding, source: Source) -> tuple[str, str] | None:
    """The whole file's text before and after ``finding``'s own edits (for a
    notebook, its JSON), or ``None`` when they cannot be applied on their own."""
    from seedmigrate.files import SourceError
    from seedmigrate.transforms import FixError, apply_edits

    if not finding.edits:
        return None
    try:
        fixed = source.text_of(apply_edits(source.code, finding.edits))
        return source.file_text(source.text), source.file_text(fixed)
    except (FixError, SourceError, RecursionError):  # RecursionError: too deep for libcst
        return None


def _result(finding: Finding, rule_index: dict[str, int], sources: Mapping[str, Source]) -> dict:
    cell = finding.cell
    message = finding.message
    location: dict[str, Any] = {"artifactLocation": artifact_location(finding.path)}
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": "warning" if finding.fixable else "error",
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if cell is None:
        location["region"] = {
            "startLine": finding.line,
            "startColumn": finding.column,
            "endLine": finding.end_line,
            "endColumn": finding.end_column,
        }
    else:
        # SARIF has no notion of notebook cells: say where in the message
        message = f"cell_{cell}:{finding.line}:{finding.column}: {message}"
        result["properties"] = {
            "cell": cell,
            "cellLine": finding.line,
            "cellColumn": finding.column,
        }
    result["message"] = {"text": message}
    result["locations"] = [{"physicalLocation": location}]
    source = sources.get(finding.path) if finding.fixable else None
    texts = fixed_texts(finding, source) if source is not None else None
    if texts is not None:
        before, after = texts
        changes = replacements(before, after)
        if changes:
            result["fixes"] = [
                {
                    "description": {"text": f"seedmigrate apply: {finding.code}"},
                    "artifactChanges": [
                        {
                            "artifactLocation": artifact_location(finding.path),
                            "replacements": changes,
                        }
                    ],
                }
            ]
    return result


def sarif_log(
    findings: Sequence[Finding], sources: Mapping[str, Source] | None = None
) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict; a fixable finding in one of ``sources`` (by
    path) carries its fix."""
    rules = _rules()
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "seedmigrate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index, sources or {}) for f in findings],
            }
        ],
    }


def write_sarif(
    findings: Sequence[Finding], stream: TextIO, sources: Mapping[str, Source] | None = None
) -> None:
    """Write the SARIF log; ``sources`` (by path) are the files read, for the fixes."""
    json.dump(sarif_log(findings, sources), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
