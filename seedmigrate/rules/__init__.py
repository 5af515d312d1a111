"""The ``SEED0xx`` rules: one module per rule, named ``seedNNN_<slug>.py``.

:data:`ALL_RULES` holds every module's ``RULE`` in code order; adding a rule is adding
its module here.
"""

from __future__ import annotations

import importlib
import pkgutil

from seedmigrate.rules.base import Rule

_MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(__path__) if name.startswith("seed"))
ALL_RULES: tuple[Rule, ...] = tuple(
    importlib.import_module(f"{__name__}.{name}").RULE for name in _MODULES
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}


def find_rule(key: str) -> Rule | None:
    """A rule by code (``SEED005``, case-insensitive) or slug (``missing-seeder-init``)."""
    key = key.strip()
    return RULES_BY_CODE.get(key.upper()) or next((r for r in ALL_RULES if r.slug == key), None)
