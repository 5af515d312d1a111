"""SEED004's help-text update: the old default named in the help text, in the spellings
real scripts use, becomes "default: drawn at random and logged"."""

import pytest

from seedmigrate.rules.seed004_seed_flag_default import _help_without_default

DRAWN = "default: drawn at random and logged"


@pytest.mark.parametrize(
    ("help_text", "old", "expected"),
    [
        ('"seed (default: 42)"', "42", f'"seed ({DRAWN})"'),
        ('"random seed to use. Default=123"', "123", '"random seed to use. D' + DRAWN[1:] + '"'),
        ('"seed, default 7"', "7", f'"seed, {DRAWN}"'),
        ('"the seed; the default is 42."', "42", f'"the seed; the {DRAWN}."'),
    ],
)
def test_help_naming_the_old_default_is_updated(help_text, old, expected):
    assert _help_without_default(help_text, old) == expected


@pytest.mark.parametrize(
    ("help_text", "old"),
    [
        ('"seed (default: 420)"', "42"),  # another number
        ('"seed (default: 42.5)"', "42"),
        ('"seed for the data order"', "42"),
    ],
)
def test_help_not_naming_the_old_default_is_left(help_text, old):
    assert _help_without_default(help_text, old) is None
