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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from seedmigrate import __version__
from seedmigrate.analysis.model import Finding
from seedmigrate.output.github import split_cell

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

#: ``finding -> (path, text before, text after)`` of the file, or ``None`` without a fix.
FixTexts = Callable[[Finding], "tuple[str, str, str] | None"]

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


def _result(finding: Finding, rule_index: dict[str, int], fix: FixTexts | None) -> dict:
    file, cell = split_cell(finding.path)
    message = finding.message
    location: dict[str, Any] = {"artifactLocation": artifact_location(file)}
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
        message = f"{cell}:{finding.line}:{finding.column}: {message}"
        result["properties"] = {
            "cell": int(cell[5:]),
            "cellLine": finding.line,
            "cellColumn": finding.column,
        }
    result["message"] = {"text": message}
    result["locations"] = [{"physicalLocation": location}]
    texts = fix(finding) if fix is not None and finding.fixable else None
    if texts is not None:
        path, before, after = texts
        changes = replacements(before, after)
        if changes:
            result["fixes"] = [
                {
                    "description": {"text": f"seedmigrate apply: {finding.code}"},
                    "artifactChanges": [
                        {"artifactLocation": artifact_location(path), "replacements": changes}
                    ],
                }
            ]
    return result


def sarif_log(findings: Sequence[Finding], fix: FixTexts | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
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
                "results": [_result(f, rule_index, fix) for f in findings],
            }
        ],
    }


def write_sarif(findings: Sequence[Finding], stream: TextIO, fix: FixTexts | None = None) -> None:
    """Write the SARIF log; ``fix`` gives a fixable finding's file text before/after."""
    json.dump(sarif_log(findings, fix), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
