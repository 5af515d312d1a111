"""The import graph of the two packages (issue 12): no circle between seedmigrate's
parts (its top-level modules and subpackages), and seeder_runtime, which training
scripts import, imports nothing of seedmigrate. Imports under ``if TYPE_CHECKING:``
do not count; imports inside functions do."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("seedmigrate", "seeder_runtime"):
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skipped


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in modules
                    else node.module
                    for alias in node.names
                ]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _part(module: str) -> str:
    """seedmigrate's parts: ``seedmigrate.analysis`` for every analysis module,
    ``seedmigrate.cli``; the package's own ``__init__`` is the part ``seedmigrate``."""
    return ".".join(module.split(".")[:2])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_seedmigrate_parts_import_each_other_without_a_circle():
    modules = _modules()
    parts: dict[str, set[str]] = {}
    for name, targets in _imports(modules).items():
        if not name.startswith("seedmigrate."):
            continue
        for target in targets:
            if target.startswith("seedmigrate.") and _part(target) != _part(name):
                parts.setdefault(_part(name), set()).add(_part(target))
    assert _cycle(parts) is None, " -> ".join(_cycle(parts) or [])


def test_analysis_knows_no_rules_and_the_runtime_no_seedmigrate():
    graph = _imports(_modules())
    for name, targets in graph.items():
        if name.startswith("seedmigrate.analysis"):
            assert not {t for t in targets if t.startswith("seedmigrate.rules")}, name
        if name.startswith("seeder_runtime"):
            assert not {t for t in targets if t.startswith("seedmigrate")}, name


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
