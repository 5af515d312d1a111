"""Analysis: read-only, on the stdlib ``ast``; produces findings with precise locations.

libcst is not imported here: ``check`` pays only for ``ast.parse`` and one walk, and
the fixes (``seedmigrate.transforms``) use libcst only on files they rewrite.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from seedmigrate.analysis.context import FileContext, source_lines

if TYPE_CHECKING:
    from seedmigrate.analysis.crossmodule import ProjectView
from seedmigrate.analysis.model import Finding
from seedmigrate.config import Config


class AnyCase(str):
    """A pre-filter token matched whatever its case (the rule matches names caselessly)."""


class Pattern(str):
    """A pre-filter token that is a regular expression (searched, not matched)."""


#: What may separate two tokens of one expression: spaces, newlines and comments inside
#: brackets, backslash continuations. A comment runs to the end of its line, so that
#: a row of ``#`` cannot be split into comments in exponentially many ways.
_GAP = r"(?:\s|\\|#[^\r\n]*(?![^\r\n]))*"
_SEED, _EPOCH = AnyCase("seed"), AnyCase("epoch")
#: ``for ep in range(3)``: an epoch loop named ``ep``/``i_ep`` without the word epoch.
_EP_LOOP = Pattern(r"(?i)\bfor\b[^\r\n]*?\b(?:i_?)?ep\b")
#: ``x.fit`` / ``x.fit_generator`` as an attribute, not "benefit" or "fits".
_FIT_ATTR = Pattern(r"\." + _GAP + "fit")
#: A training step (``TrainingAnalysis.has_training_step``): ``loss.backward()``,
#: ``opt.apply_gradients``, ``opt.minimize``, ``model.train_on_batch``, ``optimizer.step()``.
_STEP_TOKENS = (
    "backward",
    "apply_gradients",
    "minimize",
    "train_on_batch",
    Pattern(r"\." + _GAP + r"step\b"),
)
#: ...in a file that can start a run: a ``__main__`` guard, argument parsing, or a loop at
#: the module's top level (a library's ``loss.backward()`` is run by someone else).
_ENTRY_MARKERS = (
    "__main__",
    "parse_args",
    "parse_known_args",
    Pattern(r"(?m)^(?:for|while|async[ \t]+for)\b"),
)
#: A training step that ``FileFacts.trains`` and iteration loops count.
_TRAINING_STEP: tuple[tuple[str, ...], ...] = tuple(
    (step, marker) for step in _STEP_TOKENS for marker in _ENTRY_MARKERS
)
#: The file trains (``FileFacts.trains``): seeding calls and helpers, seed variables
#: (caseless ``SEED_NAME``), epoch loops (caseless), or Keras ``fit`` in a TF file.
_TRAINS: tuple[tuple[str, ...], ...] = (
    (_SEED,),
    (_EPOCH,),
    (_EP_LOOP,),
    ("fit", "tensorflow", _FIT_ATTR),
    ("fit", "keras", _FIT_ATTR),
    *_TRAINING_STEP,
)
#: Roots of ``FileContext.uses_ml`` (``tf_keras``, ``torchvision``... contain one).
_ML_ROOTS = (
    *("torch", "tensorflow", "keras", "lightning", "transformers", "accelerate"),
    *("numpy", "jax", "horovod"),
)
#: SEED012 compares a string constant with ``PYTHONHASHSEED`` for equality. Unless it is
#: spelt out, it is built with an escape (``\\x48``, ``\\N{...}``), a backslash-newline
#: between two of its letters, or from adjacent literals, the first of which is then
#: exactly a proper prefix of it (``"PYTHON" "HASHSEED"``).


def _proper_prefixes(word: str) -> str:
    """A regular expression matching exactly the non-empty proper prefixes of ``word``."""
    pattern = word[-2]
    for letter in reversed(word[:-2]):
        pattern = f"{letter}(?:{pattern})?"
    return pattern


_HASHSEED: tuple[tuple[str, ...], ...] = (
    ("PYTHONHASHSEED",),
    (Pattern(r"\\[xuUN0-7]"),),
    (Pattern(r"[PYTHONASE]\\(?:\r\n?|\n)[YTHONASED]"),),
    (Pattern(f"[\"']{_proper_prefixes('PYTHONHASHSEED')}[\"']"),),
)
#: ``random.Random`` / ``numpy.random.RandomState`` called, or imported under an alias.
_RANDOM_USE = Pattern("Random(?:State)?" + _GAP + r"(?:\(|as\b)")
#: ``torch.Generator(``, ``tf.random.Generator.from_seed(``, ``import ... Generator as``.
_GENERATOR_USE = Pattern("Generator" + _GAP + r"(?:\(|\.|as\b|import\b)")


def _with(alternatives: tuple[tuple[str, ...], ...], *tokens: str) -> tuple[tuple[str, ...], ...]:
    return tuple(alt + (token,) for alt in alternatives for token in tokens)


def _any_of(*tokens: str) -> tuple[tuple[str, ...], ...]:
    return tuple((token,) for token in tokens)


def _both(
    first: tuple[tuple[str, ...], ...], second: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], ...]:
    return tuple(a + b for a in first for b in second)


#: For each rule, what a file must contain for the rule to fire on it: any one
#: alternative, all tokens of that alternative (substrings, caseless substrings or
#: regular expressions). Every name a rule resolves appears in the source (an
#: attribute, or the import that binds it), so these are necessary conditions, proved
#: against the rules by tests/test_prefilter.py. Seed-flag names are string constants,
#: which escapes or implicit concatenation can hide, so SEED004 is keyed on the call.
#: A rule missing here always runs and no file is skipped for it.
RULE_TOKENS: dict[str, tuple[tuple[str, ...], ...]] = {
    "SEED000": (),  # read and parse errors come from the pipeline, not from a check
    "SEED001": (("seed",),),  # every SEEDING_FUNCTIONS name ends in ...seed...
    "SEED002": ((_SEED,),),
    "SEED003": _with(_TRAINS, "ArgumentParser"),
    "SEED004": _any_of("ArgumentParser", "DEFINE_", "click"),
    "SEED005": _TRAINS,
    "SEED006": _with(((_EPOCH,), (_EP_LOOP,), *_TRAINING_STEP), *_ML_ROOTS),
    "SEED007": _TRAINS[3:5],
    "SEED008": (("seeder",),),
    "SEED009": ((_SEED,),),
    "SEED010": (("seed",),),
    "SEED011": (("seed",),),
    "SEED012": _both(_any_of("environ", "putenv"), _HASHSEED),
    "SEED013": (
        ("Random", _RANDOM_USE),
        ("default_rng",),
        *_with(_with((("Generator",),), "numpy", "torch", "tensorflow"), _GENERATOR_USE),
    ),
    "SEED014": (("dali",),),
    "SEED015": (("DistributedSampler",),),
    "SEED016": _with(((_EPOCH,),), "save", "Checkpoint"),
    "SEED017": _TRAINS,
    "SEED018": ((_SEED,),),  # tests a seed flag (SEED_NAME, caseless)
    "SEED019": ((_SEED,),),  # every helper name it knows contains "seed"
    "SEED020": ((_SEED, "lightning"),),
    "SEED021": (("DistributedSampler",),),  # seed_everything or seeder, in a Lightning file
    "SEED022": (),  # withheld fixes come from the pipeline, not from a check
}
_ALWAYS: tuple[tuple[str, ...], ...] = ((),)


class TokenIndex:
    """Which pre-filter tokens one source text contains, each looked up at most once."""

    __slots__ = ("_text", "_lower", "_found")
    _compiled: dict[str, re.Pattern[str]] = {}

    def __init__(self, text: str) -> None:
        if not text.isascii():
            # The parser NFKC-normalises identifiers (``ｓｅｅｄ`` is the name ``seed``):
            # look in both spellings, since normalising can also merge an ASCII letter
            # with a following combining mark.
            text = f"{text}\n{unicodedata.normalize('NFKC', text)}"
        self._text = text
        self._lower: str | None = None
        self._found: dict[tuple[str, type], bool] = {}

    def has(self, token: str) -> bool:
        """Whether the text contains ``token`` (see :class:`AnyCase`, :class:`Pattern`)."""
        key = (token, type(token))
        found = self._found.get(key)
        if found is None:
            if isinstance(token, AnyCase):
                if self._lower is None:
                    self._lower = self._text.lower()
                found = token in self._lower
            elif isinstance(token, Pattern):
                regex = self._compiled.get(token)
                if regex is None:
                    regex = self._compiled[token] = re.compile(token)
                found = regex.search(self._text) is not None
            else:
                found = token in self._text
            self._found[key] = found
        return found

    def might_fire(self, code: str) -> bool:
        """False only when rule ``code`` cannot fire on this text."""
        alternatives = RULE_TOKENS.get(code, _ALWAYS)
        return any(all(self.has(token) for token in alt) for alt in alternatives)


def _implies(present: str, needed: str) -> bool:
    """A text containing token ``present`` surely contains token ``needed``."""
    if type(present) is type(needed) and present == needed:
        return True
    return (
        isinstance(needed, AnyCase)
        and not isinstance(present, Pattern)
        and (needed in present.lower())
    )


def _file_alternatives() -> tuple[tuple[str, ...], ...]:
    """Every rule's alternatives, less those another one implies, shortest first.

    ``("seed",)`` goes since ``(AnyCase("seed"),)`` holds whenever it does, and so do
    ``("seeder",)`` and every ``(AnyCase("epoch"), <framework>)``: a file the
    pre-filter rejects is scanned once for each remaining first token, no more.
    """
    unique: dict[tuple[tuple[type, str], ...], tuple[str, ...]] = {}
    for alternatives in RULE_TOKENS.values():
        for alt in alternatives:
            unique.setdefault(tuple((type(t), t) for t in alt), alt)
    kept = [
        alt
        for alt in unique.values()
        if not any(
            other is not alt and all(any(_implies(t, n) for t in alt) for n in other)
            for other in unique.values()
        )
    ]
    return tuple(sorted(kept, key=len))


_FILE_ALTERNATIVES = _file_alternatives()

_SUPPRESS = re.compile(r"#\s*seedmigrate:\s*ignore(?:\[(?P<codes>[A-Z0-9, ]+)\])?")


@dataclass
class FileFacts:
    """The shared analyses of one file, each computed lazily and at most once."""

    ctx: FileContext
    #: The file's pre-filter tokens: lets ``trains`` skip analyses that cannot find anything.
    tokens: TokenIndex | None = None
    #: Results several rules share (``migration.init_plan``...), computed once per file.
    memo: dict = field(default_factory=dict)
    #: The file's view of its project (other modules' helpers and parsers), if any.
    project: ProjectView | None = None

    @cached_property
    def seeding(self):  # -> SeedingAnalysis
        from seedmigrate.analysis.seeding import SeedingAnalysis

        return SeedingAnalysis(self.ctx, self.project)

    @cached_property
    def flow(self):  # -> Flow
        from seedmigrate.analysis.flow import Flow

        return Flow(self.ctx)

    @cached_property
    def entry(self):  # -> EntryAnalysis
        from seedmigrate.analysis.entry import EntryAnalysis

        return EntryAnalysis(self.ctx, self.flow, self.project)

    @cached_property
    def training(self):  # -> TrainingAnalysis
        from seedmigrate.analysis.training import TrainingAnalysis

        return TrainingAnalysis(self.ctx, self.flow, self.may_train_steps)

    @cached_property
    def may_train_steps(self) -> bool:
        """The file holds a training step token and can start a run (_TRAINING_STEP):
        only then do its training steps make it a training script (the same test with or
        without the pre-filter's shortcut, so the two always agree)."""
        tokens = self.tokens or TokenIndex(self.ctx.text)
        return any(all(tokens.has(t) for t in alt) for alt in _TRAINING_STEP)

    @cached_property
    def trains(self) -> bool:
        """The file trains something: it seeds by hand, loops over epochs, calls fit, or
        runs a training step (``loss.backward()``, ``apply_gradients``...).

        Each analysis is skipped where the tokens it needs are absent (see RULE_TOKENS):
        the epoch-loop search walks the whole tree, and most files that get this far
        mention seeds but no epochs, or the other way round.
        """
        tokens = self.tokens
        return bool(
            self.seeding.calls
            or ((tokens is None or tokens.has(_SEED)) and self.seeding.removed_helpers())
            or (
                (tokens is None or tokens.has(_EPOCH) or tokens.has(_EP_LOOP))
                # a loop named epoch trains in an ML file, or one that mentions seeds
                and (self.ctx.uses_ml or _SEED in self.ctx.text.lower())
                and self.training.epoch_loops
            )
            or ((tokens is None or tokens.has("fit")) and self.training.fit_calls)
            or (self.may_train_steps and self.training.has_training_step)
        )


def might_need_analysis(text: str) -> bool:
    """Cheap pre-filter: ``False`` only when no rule can fire on ``text``."""
    tokens = TokenIndex(text)
    return any(all(tokens.has(token) for token in alt) for alt in _FILE_ALTERNATIVES)


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
    text: str,
    tree: ast.Module,
    config: Config | None = None,
    path: str = "",
    project: ProjectView | None = None,
) -> list[Finding]:
    """Run every enabled rule on a parsed file; suppressed findings are dropped."""
    return analyse_facts(make_facts(text, tree, config, project), path)


def make_facts(
    text: str, tree: ast.Module, config: Config | None = None, project: ProjectView | None = None
) -> FileFacts:
    """The shared analyses of one parsed file, computed lazily."""
    return FileFacts(FileContext(text, tree, config or Config()), TokenIndex(text), project=project)


def analyse_facts(facts: FileFacts, path: str = "") -> list[Finding]:
    """Run every enabled rule over ``facts``; suppressed findings are dropped."""
    from seedmigrate.rules import ALL_RULES

    config = facts.ctx.config
    tokens = facts.tokens or TokenIndex(facts.ctx.text)
    text = facts.ctx.text
    suppressions = suppressed_codes(text)
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
