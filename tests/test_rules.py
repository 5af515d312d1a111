"""Every rule's own examples are its tests (Fixit style): before -> after, invalid, valid."""

from __future__ import annotations

import ast

import pytest
from helpers import migrate

from seedmigrate.config import Config
from seedmigrate.docs import rules_reference
from seedmigrate.engine import analyse_source
from seedmigrate.rules import ALL_RULES, find_rule

EXAMPLES = [
    pytest.param(rule, before, after, id=f"{rule.code}-{i}")
    for rule in ALL_RULES
    for i, (before, after) in enumerate(rule.examples)
]
INVALID = [
    pytest.param(rule, snippet, id=f"{rule.code}-{i}")
    for rule in ALL_RULES
    for i, snippet in enumerate(rule.invalid)
]
VALID = [
    pytest.param(rule, snippet, id=f"{rule.code}-{i}")
    for rule in ALL_RULES
    for i, snippet in enumerate(rule.valid)
]


def codes(source: str, rule) -> list[str]:
    return [f.code for f in analyse_source(source, Config(select=(rule.code,)))]


@pytest.mark.parametrize(("rule", "before", "after"), EXAMPLES)
def test_example_is_fixed(rule, before, after):
    assert rule.code in codes(before, rule)
    assert migrate(before, Config(select=(rule.code,))) == after
    assert rule.code not in codes(after, rule)
    ast.parse(after)


@pytest.mark.parametrize(("rule", "snippet"), INVALID)
def test_invalid_is_flagged(rule, snippet):
    assert rule.code in codes(snippet, rule)


@pytest.mark.parametrize(("rule", "snippet"), VALID)
def test_valid_is_not_flagged(rule, snippet):
    assert rule.code not in codes(snippet, rule)


def test_rules_are_well_formed():
    seen = set()
    for number, rule in enumerate(ALL_RULES):
        assert rule.code == f"SEED{number:03d}"
        module = rule.check.__module__.rsplit(".", 1)[-1]
        assert module == f"{rule.code.lower()}_{rule.slug.replace('-', '_')}", module
        assert rule.slug not in seen
        seen.add(rule.slug)
        assert rule.summary and rule.why and rule.fix
        if rule.fixable:
            assert rule.examples, f"{rule.code} is fixable but shows no before/after example"
        if not rule.pipeline:  # SEED000/SEED022 come from the pipeline, not a check
            assert rule.invalid or rule.examples


def test_find_rule_by_code_or_slug():
    assert find_rule("seed005").slug == "missing-seeder-init"
    assert find_rule("keras-fit-callback").code == "SEED007"
    assert find_rule("SEED999") is None


def test_committed_rule_reference_is_generated():
    from helpers import REPO

    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_reference(), "run: python -m seedmigrate.docs > docs/rules.md"
