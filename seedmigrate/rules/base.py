"""What every rule declares: code, slug, message, fixability, pre-filter tokens, docs, examples.

Like Fixit's rules, a rule carries its own proof: ``examples`` are (before, after)
pairs for ``apply`` (fixable rules), ``invalid`` snippets must raise the rule and
``valid`` snippets must not. One parametrised test runs them all, and
``docs/rules.md`` is generated from the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seedmigrate.analysis.tokens import Tokens

if TYPE_CHECKING:
    from seedmigrate.analysis import FileFacts
    from seedmigrate.analysis.model import Finding


@dataclass(frozen=True)
class Rule:
    """A ``SEED0xx`` rule."""

    code: str
    slug: str
    summary: str
    why: str
    fix: str
    fixable: bool
    check: Callable[[FileFacts], Iterable[Finding]] = field(repr=False, compare=False)
    #: What a file must contain for the rule to fire on it (see ``analysis.tokens``): any
    #: one alternative, all tokens of it. A necessary condition, never a sufficient one:
    #: ``tests/test_prefilter.py`` proves it. ``NEVER`` for rules the pipeline reports.
    tokens: Tokens = field(repr=False, compare=False)
    examples: tuple[tuple[str, str], ...] = ()
    invalid: tuple[str, ...] = ()
    valid: tuple[str, ...] = ()
    #: Reported by the pipeline (unreadable file, withheld fix), not by ``check``.
    pipeline: bool = False
