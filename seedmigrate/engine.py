"""The rule engine: runs the ``SEED0xx`` rules over a file's analysis facts.

Analysis (:mod:`seedmigrate.analysis`) computes facts and knows no rule; each rule
(:mod:`seedmigrate.rules`) reads facts. This module joins the two: it decides from a
text's tokens which rules might fire (and whether any can, before anything is parsed),
runs those that are enabled, and drops the findings silenced inline.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from seedmigrate.analysis import FileFacts, make_facts
from seedmigrate.analysis.context import source_lines
from seedmigrate.analysis.tokens import TokenIndex, Tokens, implies
from seedmigrate.config import Config
from seedmigrate.rules import ALL_RULES
from seedmigrate.rules.base import Rule

if TYPE_CHECKING:
    from seedmigrate.analysis.crossmodule import ProjectView
    from seedmigrate.analysis.model import Finding

__all__ = [
    "analyse_facts",
    "analyse_source",
    "analyse_tree",
    "is_suppressed",
    "might_fire",
    "might_need_analysis",
    "suppressed_codes",
]


def might_fire(rule: Rule, tokens: TokenIndex) -> bool:
    """False only when ``rule`` cannot fire on the text of ``tokens``."""
    return tokens.matches(rule.tokens)


def _file_alternatives(rules: tuple[Rule, ...]) -> Tokens:
    """Every rule's alternatives, less those another one implies, shortest first.

    ``("seed",)`` goes since ``(AnyCase("seed"),)`` holds whenever it does, and so do
    ``("seeder",)`` and every ``(AnyCase("epoch"), <framework>)``: a file the
    pre-filter rejects is scanned once for each remaining first token, no more.
    """
    unique: dict[tuple[tuple[type, str], ...], tuple[str, ...]] = {}
    for rule in rules:
        for alt in rule.tokens:
            unique.setdefault(tuple((type(t), t) for t in alt), alt)
    kept = [
        alt
        for alt in unique.values()
        if not any(
            other is not alt and all(any(implies(t, n) for t in alt) for n in other)
            for other in unique.values()
        )
    ]
    return tuple(sorted(kept, key=len))


_FILE_ALTERNATIVES = _file_alternatives(ALL_RULES)


def might_need_analysis(text: str) -> bool:
    """Cheap pre-filter: ``False`` only when no rule can fire on ``text``."""
    return TokenIndex(text).matches(_FILE_ALTERNATIVES)


_SUPPRESS = re.compile(r"#\s*seedmigrate:\s*ignore(?:\[(?P<codes>[A-Z0-9, ]+)\])?")


def suppressed_codes(text: str) -> dict[int, set[str] | None]:
    """Line -> codes silenced by ``# seedmigrate: ignore[...]`` (``None``: all codes)."""
    found: dict[int, set[str] | None] = {}
    if "seedmigrate:" not in text:
        return found
    for number, line in enumerate(source_lines(text), start=1):
        match = _SUPPRESS.search(line)
        if match:
            codes = match.group("codes")
            found[number] = (
                None if codes is None else {c.strip() for c in codes.split(",") if c.strip()}
            )
    return found


def is_suppressed(finding: Finding, suppressions: dict[int, set[str] | None]) -> bool:
    """``finding`` is silenced on its line or the line above (see :func:`suppressed_codes`)."""
    for line in (finding.line, finding.line - 1):
        if line in suppressions:
            codes = suppressions[line]
            if codes is None or finding.code in codes:
                return True
    return False


def analyse_facts(facts: FileFacts, path: str = "") -> list[Finding]:
    """Run every enabled rule over ``facts``; suppressed findings are dropped."""
    config = facts.ctx.config
    tokens = facts.tokens or TokenIndex(facts.ctx.text)
    suppressions = suppressed_codes(facts.ctx.text)
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if not config.enabled(rule.code, path) or not might_fire(rule, tokens):
            continue
        for finding in rule.check(facts):
            if not is_suppressed(finding, suppressions):
                findings.append(finding.with_path(path))
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def analyse_tree(
    text: str,
    tree: ast.Module,
    config: Config | None = None,
    path: str = "",
    project: ProjectView | None = None,
) -> list[Finding]:
    """Run every enabled rule on a parsed file; suppressed findings are dropped."""
    return analyse_facts(make_facts(text, tree, config, project), path)


def analyse_source(text: str, config: Config | None = None, path: str = "") -> list[Finding]:
    """Parse ``text`` with ``ast`` and analyse it (``SyntaxError`` propagates)."""
    if not might_need_analysis(text):
        return []
    tree = ast.parse(text, filename=path or "<string>")
    return analyse_tree(text, tree, config, path)
