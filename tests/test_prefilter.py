"""The substring pre-filter never hides a finding.

``check`` skips a file without parsing it when ``might_need_analysis`` says no rule can
fire, ``analyse_tree`` skips each rule whose ``Rule.tokens`` are absent, and
``FileFacts.trains`` skips analyses whose tokens are absent. All are only sound if
every token set is a necessary condition, and each check below also compares
``analyse_tree`` with an analysis that takes no shortcut. Proved three ways:
every rule's own snippets pass; over a corpus of real files (installed torch,
TensorFlow and numpy sources, chosen deterministically) and of rule snippets, a rule
forced to run where its tokens are absent finds nothing; and the same over snippets
with tokens removed or re-cased by hypothesis.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import warnings
from pathlib import Path

import pytest

# a test dependency, not a framework: skip rather than error where it is missing
pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.tokens import NEVER, TokenIndex
from seedmigrate.config import Config
from seedmigrate.engine import (
    analyse_source,
    analyse_tree,
    is_suppressed,
    might_fire,
    might_need_analysis,
    suppressed_codes,
)
from seedmigrate.rules import ALL_RULES, RULES_BY_CODE

SNIPPETS = sorted(
    {
        text
        for rule in ALL_RULES
        for text in (*rule.invalid, *rule.valid, *(s for pair in rule.examples for s in pair))
    }
)
FIRING = [
    pytest.param(rule, text, id=f"{rule.code}-{i}")
    for rule in ALL_RULES
    for i, text in enumerate((*rule.invalid, *(before for before, _ in rule.examples)))
]


def _parse(text: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return None


def _silent_rules_are_silent(text: str) -> int:
    """Force every rule whose tokens are absent; none may find anything. Returns count."""
    tree = _parse(text)
    if tree is None:
        return 0
    facts = FileFacts(FileContext(text, tree, Config()))
    tokens = TokenIndex(text)
    forced = 0
    for rule in ALL_RULES:
        if might_fire(rule, tokens):
            continue
        forced += 1
        findings = list(rule.check(facts))
        assert not findings, f"{rule.code} fired on a text without its tokens: {findings[0]}"
    if not might_need_analysis(text):
        assert forced == len(ALL_RULES)
    assert analyse_tree(text, tree) == _ungated_analysis(text, tree)
    return forced


def _ungated_analysis(text: str, tree: ast.Module) -> list:
    """analyse_tree without any token shortcut: every rule, full FileFacts.trains."""
    facts = FileFacts(FileContext(text, tree, Config()))
    suppressions = suppressed_codes(text)
    findings = [
        finding.with_path("")
        for rule in ALL_RULES
        for finding in rule.check(facts)
        if not is_suppressed(finding, suppressions)
    ]
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


# -- the rules' own snippets -----------------------------------------------------------


@pytest.mark.parametrize(("rule", "text"), FIRING)
def test_snippets_that_fire_pass_the_prefilter(rule, text):
    assert might_need_analysis(text)
    assert might_fire(rule, TokenIndex(text))


def test_every_rule_has_tokens():
    """Each rule declares token alternatives; only the pipeline's rules never fire."""
    for rule in ALL_RULES:
        assert isinstance(rule.tokens, tuple), rule.code
        assert all(isinstance(alt, tuple) and alt for alt in rule.tokens), rule.code
        assert all(isinstance(token, str) for alt in rule.tokens for token in alt), rule.code
        assert (rule.tokens == NEVER) == rule.pipeline, rule.code


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_silent_where_tokens_absent(text):
    _silent_rules_are_silent(text)


# -- spellings the pre-filter must see through -----------------------------------------

TRICKY = [
    # identifiers are NFKC-normalised: this is random.seed
    ("import random\nrandom.\uff53\uff45\uff45\uff44(0)\n", "SEED001"),
    # caseless seed variables and epoch loops
    ("import random\ndef f():\n    SEED = random.randint(0, 9)\nf()\n", "SEED002"),
    ("import torch\nfor EPOCH in range(3):\n    pass\n", "SEED006"),
    ("import numpy\nfor i in range(N_EPOCHS):\n    pass\n", "SEED006"),
    # a combining mark that NFKC merges with the h of "epoch"
    ("import torch\nfor x in range(n_epoch\u030c):\n    pass\n", "SEED006"),
    # seed flag and PYTHONHASHSEED hidden in string concatenation / escapes
    (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--se' 'ed', type=int, default=1)\na = p.parse_args()\n",
        "SEED004",
    ),
    ("import os\nos.environ['PYTHON\\x48ASH' 'SEED'] = '0'\n", "SEED012"),
    ("import os\nos.environ['PYTHONHASH' 'SEED'] = '0'\n", "SEED012"),
    ("import os\nos.putenv('PYTHONHASH\\\nSEED', '0')\n", "SEED012"),
    # names split over lines, comments and continuations
    ("import tensorflow as tf\nm = tf.keras.Model()\n(m.  # c\n fit(x))\n", "SEED007"),
    ("import torch\ng = (torch.  # c\n   Generator \\\n ())\n", "SEED013"),
    ("from numpy.random import Generator as G\ng = G(None)\n", "SEED013"),
    ("from tensorflow.random.Generator import from_seed\ng = from_seed(1)\n", "SEED013"),
    ("from random import Random\nr = Random  (1)\n", "SEED013"),
]


def test_gap_pattern_is_linear_on_rows_of_hashes():
    """A comment banner must not make the regular expressions backtrack exponentially."""
    text = "import tensorflow\nx = a.\n" + ("#" * 40 + "\n") * 2000 + "Generator ### x"
    assert not might_fire(RULES_BY_CODE["SEED013"], TokenIndex(text + " torch"))
    assert not might_fire(RULES_BY_CODE["SEED007"], TokenIndex(text))


@pytest.mark.parametrize(("text", "code"), TRICKY)
def test_tricky_spellings_are_found(text, code):
    assert code in [f.code for f in analyse_source(text)]
    _silent_rules_are_silent(text)


# -- real files ------------------------------------------------------------------------


def _corpus(limit: int = 300, max_bytes: int = 60_000) -> list[Path]:
    """Every n-th small ``.py`` file of the installed torch / tensorflow / numpy.

    ``limit`` files in all, shared equally by the packages that are installed: with
    only numpy (no torch, no TensorFlow) the corpus is as big, all from numpy.
    """
    roots = []
    for name in ("torch", "tensorflow", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            roots.append(Path(next(iter(spec.submodule_search_locations))))
    files: list[Path] = []
    for root in roots:
        share = limit // len(roots)
        found = sorted(p for p in root.rglob("*.py") if p.stat().st_size <= max_bytes)
        step = max(1, len(found) // share)
        files.extend(found[::step][:share])
    return files


CORPUS = _corpus()


@pytest.mark.skipif(not CORPUS, reason="no torch/tensorflow/numpy installed")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_file_silent_where_tokens_absent(path):
    text = path.read_bytes().decode("utf-8", "replace")
    _silent_rules_are_silent(text)


def test_corpus_exercises_the_prefilter():
    """The corpus is big enough, and holds both skipped and analysed files."""
    if not CORPUS:
        pytest.skip("no torch/tensorflow/numpy installed")
    verdicts = [might_need_analysis(p.read_bytes().decode("utf-8", "replace")) for p in CORPUS[::5]]
    assert len(CORPUS) >= 200
    assert any(verdicts) and not all(verdicts)


# -- generated token soups -------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIRING_TEXTS = sorted({text for _, text in (p.values for p in FIRING)})


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(_FIRING_TEXTS), st.data())
def test_mutated_snippets_silent_where_tokens_absent(text, data):
    """Drop, truncate or re-case words of a snippet that fires; soundness must hold."""
    words = list(_WORD.finditer(text))
    out, last = [], 0
    for match in words:
        out.append(text[last : match.start()])
        word = match.group()
        action = data.draw(st.sampled_from(["keep", "keep", "drop", "cut", "upper", "title"]))
        if action == "drop":
            word = "x"
        elif action == "cut":
            word = word[: max(1, len(word) // 2)]
        elif action == "upper":
            word = word.upper()
        elif action == "title":
            word = word.title()
        out.append(word)
        last = match.end()
    out.append(text[last:])
    _silent_rules_are_silent("".join(out))
