"""Analysis: read-only, on the stdlib ``ast``; produces findings with precise locations.

libcst is not imported here: ``check`` pays only for ``ast.parse`` and one walk, and
the fixes (``seedmigrate.transforms``) use libcst only on files they rewrite.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from seedmigrate.analysis.context import FileContext, source_lines
from seedmigrate.analysis.model import Finding
from seedmigrate.config import Config


class AnyCase(str):
    """A pre-filter token matched whatever its case (the rule matches names caselessly)."""


_SEED, _EPOCH = AnyCase("seed"), AnyCase("epoch")
#: The file trains (``FileFacts.trains``): seeding calls and helpers, seed variables
#: (caseless ``SEED_NAME``), epoch loops (caseless), or Keras ``fit`` in a TF file.
_TRAINS: tuple[tuple[str, ...], ...] = (
    (_SEED,),
    (_EPOCH,),
    ("fit", "tensorflow"),
    ("fit", "keras"),
)
#: Roots of ``FileContext.uses_ml`` (``tf_keras``, ``torchvision``... contain one).
_ML_ROOTS = (
    *("torch", "tensorflow", "keras", "lightning", "transformers", "accelerate"),
    *("numpy", "jax", "horovod"),
)


def _with(alternatives: tuple[tuple[str, ...], ...], *tokens: str) -> tuple[tuple[str, ...], ...]:
    return tuple(alt + (token,) for alt in alternatives for token in tokens)


#: For each rule, substrings a file must contain for the rule to fire on it: any one
#: alternative, all tokens of that alternative. Every name a rule resolves appears in
#: the source (an attribute, or the import that binds it), so these are necessary
#: conditions, proved against the rules by tests/test_prefilter.py. Seed-flag names and
#: ``PYTHONHASHSEED`` are string constants, which escapes or implicit concatenation can
#: hide, so those rules are keyed on the call instead (``ArgumentParser``, ``environ``).
#: A rule missing here always runs and no file is skipped for it.
RULE_TOKENS: dict[str, tuple[tuple[str, ...], ...]] = {
    "SEED000": (),  # read and parse errors come from the pipeline, not from a check
    "SEED001": (("seed",),),  # every SEEDING_FUNCTIONS name ends in ...seed...
    "SEED002": ((_SEED,),),
    "SEED003": _with(_TRAINS, "ArgumentParser"),
    "SEED004": (("ArgumentParser",), ("DEFINE_",), ("click",)),
    "SEED005": _TRAINS,
    "SEED006": _with(((_EPOCH,),), *_ML_ROOTS),
    "SEED007": (("fit", "tensorflow"), ("fit", "keras")),
    "SEED008": (("seeder",),),
    "SEED009": ((_SEED,),),
    "SEED010": (("seed",),),
    "SEED011": (("seed",),),
    "SEED012": (("environ",), ("putenv",)),
    "SEED013": (
        ("Random",),
        ("default_rng",),
        ("Generator", "numpy"),
        ("Generator", "torch"),
        ("Generator", "tensorflow"),
    ),
    "SEED014": (("dali",),),
    "SEED015": (("DistributedSampler",),),
    "SEED016": _with(((_EPOCH,),), "save", "Checkpoint"),
    "SEED017": _TRAINS,
}
_ALWAYS: tuple[tuple[str, ...], ...] = ((),)


class TokenIndex:
    """Which pre-filter tokens one source text contains, each looked up at most once."""

    __slots__ = ("_text", "_lower", "_found")

    def __init__(self, text: str) -> None:
        if not text.isascii():
            # The parser NFKC-normalises identifiers (``ｓｅｅｄ`` is the name ``seed``):
            # look in both spellings, since normalising can also merge an ASCII letter
            # with a following combining mark.
            text = f"{text}\n{unicodedata.normalize('NFKC', text)}"
        self._text = text
        self._lower: str | None = None
        self._found: dict[tuple[str, bool], bool] = {}

    def has(self, token: str) -> bool:
        """Whether the text contains ``token`` (in any case for :class:`AnyCase`)."""
        caseless = isinstance(token, AnyCase)
        key = (token, caseless)
        found = self._found.get(key)
        if found is None:
            if caseless:
                if self._lower is None:
                    self._lower = self._text.lower()
                found = token in self._lower
            else:
                found = token in self._text
            self._found[key] = found
        return found

    def might_fire(self, code: str) -> bool:
        """False only when rule ``code`` cannot fire on this text."""
        alternatives = RULE_TOKENS.get(code, _ALWAYS)
        return any(all(self.has(token) for token in alt) for alt in alternatives)


#: Rule codes in the order the file pre-filter tries them (widest condition first).
_CODES_BY_REACH = ("SEED002", "SEED005", *sorted(RULE_TOKENS))

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
    tokens = TokenIndex(text)
    # the caseless seed/epoch tokens answer for most rules: try them first
    return any(tokens.might_fire(code) for code in _CODES_BY_REACH)


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
    tokens = TokenIndex(text)
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if not config.enabled(rule.code, path) or not tokens.might_fire(rule.code):
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
