"""Pre-filter tokens: what a source text must contain for an analysis or a rule to fire.

A token is a substring, an :class:`AnyCase` substring or a :class:`Pattern`. A token
set (:data:`Tokens`) is a tuple of alternatives, each a tuple of tokens that must all
be present. Rules declare theirs (``Rule.tokens``) from the vocabulary and combinators
here; ``FileFacts.trains`` uses the same words to skip analyses. This module knows no
rule: it is imported by analysis and rules alike.
"""

from __future__ import annotations

import re
import unicodedata

#: Any one alternative, all tokens of that alternative.
Tokens = tuple[tuple[str, ...], ...]
#: The token set of a rule that may fire on any text.
ALWAYS: Tokens = ((),)
#: The token set of a rule that never fires from a check (reported by the pipeline).
NEVER: Tokens = ()


class AnyCase(str):
    """A pre-filter token matched whatever its case (the rule matches names caselessly)."""


class Pattern(str):
    """A pre-filter token that is a regular expression (searched, not matched)."""


#: What may separate two tokens of one expression: spaces, newlines and comments inside
#: brackets, backslash continuations. A comment runs to the end of its line, so that
#: a row of ``#`` cannot be split into comments in exponentially many ways.
GAP = r"(?:\s|\\|#[^\r\n]*(?![^\r\n]))*"
SEED, EPOCH = AnyCase("seed"), AnyCase("epoch")
#: ``for ep in range(3)``: an epoch loop named ``ep``/``i_ep`` without the word epoch.
EP_LOOP = Pattern(r"(?i)\bfor\b[^\r\n]*?\b(?:i_?)?ep\b")
#: ``x.fit`` / ``x.fit_generator`` as an attribute, not "benefit" or "fits".
FIT_ATTR = Pattern(r"\." + GAP + "fit")
#: A training step (``TrainingAnalysis.has_training_step``): ``loss.backward()``,
#: ``opt.apply_gradients``, ``opt.minimize``, ``model.train_on_batch``, ``optimizer.step()``.
STEP_TOKENS = (
    "backward",
    "apply_gradients",
    "minimize",
    "train_on_batch",
    Pattern(r"\." + GAP + r"step\b"),
)
#: ...in a file that can start a run: a ``__main__`` guard, argument parsing, or a loop at
#: the module's top level (a library's ``loss.backward()`` is run by someone else).
ENTRY_MARKERS = (
    "__main__",
    "parse_args",
    "parse_known_args",
    Pattern(r"(?m)^(?:for|while|async[ \t]+for)\b"),
)
#: A training step that ``FileFacts.trains`` and iteration loops count.
TRAINING_STEP: Tokens = tuple((step, marker) for step in STEP_TOKENS for marker in ENTRY_MARKERS)
#: The file trains (``FileFacts.trains``): seeding calls and helpers, seed variables
#: (caseless ``SEED_NAME``), epoch loops (caseless), or Keras ``fit`` in a TF file.
TRAINS: Tokens = (
    (SEED,),
    (EPOCH,),
    (EP_LOOP,),
    ("fit", "tensorflow", FIT_ATTR),
    ("fit", "keras", FIT_ATTR),
    *TRAINING_STEP,
)
#: Roots of ``FileContext.uses_ml`` (``tf_keras``, ``torchvision``... contain one).
ML_ROOTS = (
    *("torch", "tensorflow", "keras", "lightning", "transformers", "accelerate"),
    *("numpy", "jax", "horovod"),
)


def each_with(alternatives: Tokens, *tokens: str) -> Tokens:
    """Each alternative, with any one of ``tokens`` added."""
    return tuple(alt + (token,) for alt in alternatives for token in tokens)


def any_of(*tokens: str) -> Tokens:
    """Any one of ``tokens``."""
    return tuple((token,) for token in tokens)


def both(first: Tokens, second: Tokens) -> Tokens:
    """An alternative of ``first`` and one of ``second``."""
    return tuple(a + b for a in first for b in second)


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

    def matches(self, alternatives: Tokens) -> bool:
        """Whether the text holds all tokens of one of ``alternatives``."""
        return any(all(self.has(token) for token in alt) for alt in alternatives)


def implies(present: str, needed: str) -> bool:
    """A text containing token ``present`` surely contains token ``needed``."""
    if type(present) is type(needed) and present == needed:
        return True
    return (
        isinstance(needed, AnyCase)
        and not isinstance(present, Pattern)
        and (needed in present.lower())
    )
