"""``[tool.seedmigrate]`` settings from ``pyproject.toml``.

Keys (all optional)::

    [tool.seedmigrate]
    exclude = ["legacy/*", "third_party"]       # glob patterns, added to the defaults
    select = ["SEED0"]                          # code prefixes to report (default: all)
    ignore = ["SEED013"]                        # code prefixes never reported
    runtime = "seeder_runtime"                  # module path the codemod imports
    [tool.seedmigrate.per-file-ignores]
    "tests/*" = ["SEED001"]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """``[tool.seedmigrate]`` holds a value of the wrong kind."""


@dataclass(frozen=True)
class Config:
    """Effective settings: the file's, then the command line's on top."""

    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    runtime_module: str = "seeder_runtime"
    source: Path | None = field(default=None, compare=False)

    def enabled(self, code: str, path: str = "") -> bool:
        """Whether findings of ``code`` are reported for ``path``."""
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        if any(code.startswith(p) for p in self.ignore):
            return False
        for pattern, codes in self.per_file_ignores:
            if path and (fnmatch(path, pattern) or fnmatch(Path(path).name, pattern)):
                if any(code.startswith(c) for c in codes):
                    return False
        return True


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    start = start.resolve()
    for folder in [start, *start.parents] if _is_dir(start) else start.parents:
        candidate = folder / "pyproject.toml"
        if _is_file(candidate):
            return candidate
    return None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # no permission to look: as if absent
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _strings(value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"[tool.seedmigrate] {key} must be a string or a list of strings")


def load_config(pyproject: Path | None) -> Config:
    """Read ``[tool.seedmigrate]`` from ``pyproject`` (defaults when absent)."""
    if pyproject is None:
        return Config()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from exc
    table = data.get("tool", {}).get("seedmigrate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.seedmigrate] must be a table")
    per_file = table.get("per-file-ignores", table.get("per_file_ignores", {}))
    if not isinstance(per_file, dict):
        raise ConfigError(f"{pyproject}: [tool.seedmigrate.per-file-ignores] must be a table")
    runtime = table.get("runtime", "seeder_runtime")
    if not isinstance(runtime, str) or not runtime.replace(".", "").replace("_", "").isalnum():
        raise ConfigError(f"{pyproject}: [tool.seedmigrate] runtime must be a module path")
    known = {"exclude", "select", "ignore", "runtime", "per-file-ignores", "per_file_ignores"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.seedmigrate] keys: {', '.join(unknown)}")
    return Config(
        exclude=_strings(table.get("exclude", []), "exclude"),
        select=_strings(table.get("select", []), "select"),
        ignore=_strings(table.get("ignore", []), "ignore"),
        per_file_ignores=tuple(
            (pattern, _strings(codes, f"per-file-ignores[{pattern!r}]"))
            for pattern, codes in per_file.items()
        ),
        runtime_module=runtime,
        source=pyproject,
    )
