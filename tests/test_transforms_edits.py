"""Edits have typed kinds: each one made is one the transforms apply, and no other."""

from __future__ import annotations

import inspect

import pytest

import seedmigrate.transforms
from seedmigrate.analysis.model import Edit, EditKind


def test_kind_given_as_text_is_typed():
    assert Edit("remove", (1, 0)).kind is EditKind.REMOVE
    assert Edit("remove", (1, 0)) == Edit(EditKind.REMOVE, (1, 0))


@pytest.mark.parametrize("kind", ["add_decorator", "add_import", "Remove"])
def test_unknown_kind_is_refused_where_the_edit_is_made(kind):
    with pytest.raises(ValueError):
        Edit(kind, (1, 0))


def test_every_kind_is_applied_by_the_transforms():
    source = "".join(
        inspect.getsource(module)
        for module in (seedmigrate.transforms, *_submodules(seedmigrate.transforms))
    )
    missing = [kind for kind in EditKind if f"EditKind.{kind.name}" not in source]
    assert not missing


def _submodules(package):
    import importlib
    import pkgutil

    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
