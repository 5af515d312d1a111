"""The engine runs rules over facts; analysis knows no rule (no import circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import seedmigrate.analysis

ANALYSIS = Path(seedmigrate.analysis.__file__).parent
_ABOVE_ANALYSIS = ("seedmigrate.rules", "seedmigrate.engine", "seedmigrate.transforms")


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, at its top or lazily inside a function."""
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.extend([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
    return modules


def test_analysis_imports_no_rule():
    offending = {
        path.name: module
        for path in sorted(ANALYSIS.glob("*.py"))
        for module in _imported_modules(path)
        if module.startswith(_ABOVE_ANALYSIS)
    }
    assert not offending


def test_rules_import_no_engine():
    rules = ANALYSIS.parent / "rules"
    offending = {
        path.name: module
        for path in sorted(rules.glob("*.py"))
        for module in _imported_modules(path)
        if module.startswith("seedmigrate.engine")
    }
    assert not offending
