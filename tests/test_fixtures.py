"""Golden fixtures: tests/fixtures/<case>/input.py -> expected.py, byte for byte.

Each case also proves idempotence (apply on expected.py changes nothing), that
``check`` finds nothing fixable left in expected.py, that the rewrite keeps every
guarantee (seedmigrate.guarantees), and, in ``expected.findings``, exactly which
findings ``check`` reports on input.py and ``apply`` leaves for a human (``code:line:col``;
``pytest tests/test_fixtures.py --regen-findings`` rewrites them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from seedmigrate.config import Config
from seedmigrate.guarantees import check, facts_for
from seedmigrate.pipeline import analyse_file, fix_file

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "input.py").is_file())


def apply_bytes(path: Path) -> tuple[bytes, list]:
    config = Config()
    result = fix_file(analyse_file(path, config, force=True), config)
    assert result.error is None, result.error
    new = result.source.encode(result.new_text) if result.changed else result.source.raw
    return new, result.remaining


@pytest.mark.parametrize("case", CASES)
def test_fixture(case):
    folder = FIXTURES / case
    expected = (folder / "expected.py").read_bytes()
    got, remaining = apply_bytes(folder / "input.py")
    assert got.decode("utf-8", "replace") == expected.decode("utf-8", "replace")
    assert got == expected
    assert not [f for f in remaining if f.fixable], remaining


@pytest.mark.parametrize("case", CASES)
def test_fixture_is_idempotent(case):
    expected_path = FIXTURES / case / "expected.py"
    again, _ = apply_bytes(expected_path)
    assert again == expected_path.read_bytes()


def _findings_text(path: Path) -> str:
    config = Config()
    analysed = analyse_file(path, config, force=True)
    fixed = fix_file(analyse_file(path, config, force=True), config)
    lines = [f"check {f.code}:{f.line}:{f.column}" for f in analysed.findings]
    lines += [f"apply {f.code}:{f.line}:{f.column}" for f in fixed.remaining]
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("case", CASES)
def test_fixture_findings(case, request):
    folder = FIXTURES / case
    got = _findings_text(folder / "input.py")
    expected_path = folder / "expected.findings"
    if request.config.getoption("--regen-findings"):
        expected_path.write_text(got)
    assert got == expected_path.read_text()


@pytest.mark.parametrize("case", CASES)
def test_fixture_keeps_the_guarantees(case):
    folder = FIXTURES / case
    before = (folder / "input.py").read_bytes()
    after = (folder / "expected.py").read_bytes()
    if before == after:
        return
    config = Config()
    old = analyse_file(folder / "input.py", config, force=True).source.text
    new = analyse_file(folder / "expected.py", config, force=True).source.text
    violations = check(facts_for(old, ast.parse(old)), facts_for(new, ast.parse(new)))
    assert violations == []


def test_there_are_enough_fixtures():
    assert len(CASES) >= 40
