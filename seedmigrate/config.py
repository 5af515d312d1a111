"""``[tool.seedmigrate]`` settings from ``pyproject.toml``.

Keys (all optional)::

    [tool.seedmigrate]
    exclude = ["legacy/*", "third_party"]       # glob patterns: replace the default excludes
    extend-exclude = ["legacy/*"]               # glob patterns: added to the excludes
    select = ["SEED0"]                          # code prefixes to report (default: all)
    ignore = ["SEED013"]                        # code prefixes never reported
    runtime = "seeder_runtime"                  # module path the codemod imports
    [tool.seedmigrate.per-file-ignores]
    "tests/*" = ["SEED001"]

``exclude`` and ``extend-exclude`` work as ruff's: ``exclude`` replaces the default list
(:data:`seedmigrate.files.DEFAULT_EXCLUDES`), ``extend-exclude`` adds to whatever
``exclude`` is. Every code or prefix given must match at least one rule.
"""

from __future__ import annotations

import difflib
import keyword
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from seedmigrate.files import DEFAULT_EXCLUDES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """``[tool.seedmigrate]`` holds a value of the wrong kind."""


@dataclass(frozen=True)
class Config:
    """Effective settings: the file's, then the command line's on top."""

    exclude: tuple[str, ...] = DEFAULT_EXCLUDES  # the defaults unless replaced
    extend_exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    runtime_module: str = "seeder_runtime"
    source: Path | None = field(default=None, compare=False)

    @property
    def excludes(self) -> tuple[str, ...]:
        """Every glob pattern a folder walk skips: ``exclude`` + ``extend_exclude``."""
        return self.exclude + self.extend_exclude

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


def is_module_path(value: object) -> bool:
    """``pkg.sub`` is; ``1abc``, ``class``, ``a..b`` and ``""`` are not."""
    return isinstance(value, str) and all(
        part.isidentifier() and not keyword.iskeyword(part) for part in value.split(".")
    )


def check_codes(codes: Iterable[str], where: str, known: Iterable[str]) -> None:
    """:class:`ConfigError` unless every code (or prefix) matches at least one of ``known``,
    with the nearest rule code as a hint: ``SEED999`` -> ``did you mean SEED009?``."""
    known = sorted(known)
    for code in codes:
        if any(rule.startswith(code) for rule in known):
            continue
        message = f"unknown rule code {code!r} in {where}"
        scored = [
            (difflib.SequenceMatcher(None, code.upper(), rule).ratio(), rule) for rule in known
        ]
        best = min(scored, key=lambda pair: (-pair[0], pair[1]), default=None)
        if best is not None and best[0] >= 0.6:
            message += f"; did you mean {best[1]}?"
        raise ConfigError(message + " (`seedmigrate rules` lists them)")


def check_config_codes(config: Config, known: Iterable[str]) -> None:
    """:func:`check_codes` for the codes a configuration file holds."""
    known = tuple(known)
    prefix = f"{config.source}: " if config.source else ""
    try:
        check_codes(config.select, "[tool.seedmigrate] select", known)
        check_codes(config.ignore, "[tool.seedmigrate] ignore", known)
        for pattern, codes in config.per_file_ignores:
            check_codes(codes, f"[tool.seedmigrate.per-file-ignores] {pattern!r}", known)
    except ConfigError as exc:
        raise ConfigError(prefix + str(exc)) from exc


_KEYS = {
    "exclude",
    "extend-exclude",
    "extend_exclude",
    "select",
    "ignore",
    "runtime",
    "per-file-ignores",
    "per_file_ignores",
}


def load_config(pyproject: Path | None) -> Config:
    """Read ``[tool.seedmigrate]`` from ``pyproject`` (defaults when absent).

    :class:`ConfigError` for anything malformed, before any file is processed.
    """
    if pyproject is None:
        return Config()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from exc
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: `tool` must be a table ([tool.seedmigrate] ...)")
    table = tool.get("seedmigrate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.seedmigrate] must be a table")
    per_file = table.get("per-file-ignores", table.get("per_file_ignores", {}))
    if not isinstance(per_file, dict):
        raise ConfigError(f"{pyproject}: [tool.seedmigrate.per-file-ignores] must be a table")
    runtime = table.get("runtime", "seeder_runtime")
    if not is_module_path(runtime):
        raise ConfigError(
            f"{pyproject}: [tool.seedmigrate] runtime {runtime!r} is not a module path: "
            "each dotted part must be a Python identifier and not a keyword"
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.seedmigrate] keys: {', '.join(unknown)}")
    exclude = table.get("exclude")
    extend = table.get("extend-exclude", table.get("extend_exclude", []))
    return Config(
        exclude=DEFAULT_EXCLUDES if exclude is None else _strings(exclude, "exclude"),
        extend_exclude=_strings(extend, "extend-exclude"),
        select=_strings(table.get("select", []), "select"),
        ignore=_strings(table.get("ignore", []), "ignore"),
        per_file_ignores=tuple(
            (pattern, _strings(codes, f"per-file-ignores[{pattern!r}]"))
            for pattern, codes in per_file.items()
        ),
        runtime_module=runtime,
        source=pyproject,
    )
