"""Analysis: read-only, on the stdlib ``ast``; produces findings with precise locations.

libcst is not imported here: ``check`` pays only for ``ast.parse`` and one walk, and
the fixes (``seedmigrate.transforms``) use libcst only on files they rewrite.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from seedmigrate.analysis.context import FileContext, source_lines
from seedmigrate.analysis.model import Finding
from seedmigrate.config import Config

#: Substrings at least one of which every file any rule can fire on contains.
#: A file without any of them is skipped before it is parsed (see tests/test_prefilter.py).
PREFILTER_TOKENS: tuple[str, ...] = (
    "seed",
    "Seed",
    "epoch",
    "fit",
    "Random",
    "default_rng",
    "Generator",
    "dali",
    "DistributedSampler",
    "PYTHONHASHSEED",
    "fwr13y",
)

_SUPPRESS = re.compile(r"#\s*seedmigrate:\s*ignore(?:\[(?P<codes>[A-Z0-9, ]+)\])?")


@dataclass
class FileFacts:
    """The shared analyses of one file, each computed lazily and at most once."""

    ctx: FileContext

    @cached_property
    def seeding(self):  # -> SeedingAnalysis
        from seedmigrate.analysis.seeding import SeedingAnalysis

        return SeedingAnalysis(self.ctx)

    @cached_property
    def entry(self):  # -> EntryAnalysis
        from seedmigrate.analysis.entry import EntryAnalysis

        return EntryAnalysis(self.ctx)

    @cached_property
    def training(self):  # -> TrainingAnalysis
        from seedmigrate.analysis.training import TrainingAnalysis

        return TrainingAnalysis(self.ctx)

    @cached_property
    def trains(self) -> bool:
        """The file trains something: it seeds by hand, loops over epochs or calls fit."""
        return bool(
            self.seeding.calls
            or self.seeding.removed_helpers()
            or self.training.epoch_loops
            or self.training.fit_calls
        )


def might_need_analysis(text: str) -> bool:
    """Cheap pre-filter: ``False`` only when no rule can fire on ``text``."""
    return any(token in text for token in PREFILTER_TOKENS)


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


def _is_suppressed(finding: Finding, suppressions: dict[int, set[str] | None]) -> bool:
    for line in (finding.line, finding.line - 1):
        if line in suppressions:
            codes = suppressions[line]
            if codes is None or finding.code in codes:
                return True
    return False


def analyse_tree(
    text: str, tree: ast.Module, config: Config | None = None, path: str = ""
) -> list[Finding]:
    """Run every enabled rule on a parsed file; suppressed findings are dropped."""
    from seedmigrate.rules import ALL_RULES

    config = config or Config()
    facts = FileFacts(FileContext(text, tree, config))
    suppressions = suppressed_codes(text)
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if not config.enabled(rule.code, path):
            continue
        for finding in rule.check(facts):
            if not _is_suppressed(finding, suppressions):
                findings.append(finding.with_path(path))
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def analyse_source(text: str, config: Config | None = None, path: str = "") -> list[Finding]:
    """Parse ``text`` with ``ast`` and analyse it (``SyntaxError`` propagates)."""
    if not might_need_analysis(text):
        return []
    tree = ast.parse(text, filename=path or "<string>")
    return analyse_tree(text, tree, config, path)
