"""Golden fixtures: tests/fixtures/<case>/input.py -> expected.py, byte for byte.

Each case also proves idempotence (apply on expected.py changes nothing) and that
``check`` finds nothing fixable left in expected.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seedmigrate.config import Config
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


def test_there_are_enough_fixtures():
    assert len(CASES) >= 40
