"""The ``check`` result cache: a second run over an unchanged tree is near-instant.

It lives in ``.seedmigrate_cache/`` at the project root (the folder of the
``pyproject.toml`` in use, else the current directory), one JSON file per
configuration. The file's name hashes everything besides a file's bytes that decides
its findings: the seedmigrate version and code, the rule set, and the effective
select / ignore / per-file-ignores / runtime. Inside, each checked file has an entry
under the path it is reported as, holding the hash of its content, whether it was
named on the command line (those are parsed even when the pre-filter would skip
them) and its findings.

Only ``check`` reads the cache; ``apply`` always analyses afresh. A missing, stale or
corrupt cache is ignored, never fatal, and it is written atomically (temporary file +
rename), best-effort: a read-only project still gets checked.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from seedmigrate import __version__
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.config import Config
from seedmigrate.files import SourceError, read_bytes
from seedmigrate.pipeline import FileResult, content_digest

CACHE_DIR_NAME = ".seedmigrate_cache"
#: Set to 1 to make ``check`` neither read nor write the cache (as ``--no-cache``).
NO_CACHE_ENV = "SEEDMIGRATE_NO_CACHE"
_FORMAT = 3  # 3: the runtime import is a REQUIRE_IMPORT request


def cache_disabled(no_cache_flag: bool = False) -> bool:
    """``--no-cache``, or ``SEEDMIGRATE_NO_CACHE`` set to anything but empty/``0``."""
    return no_cache_flag or os.environ.get(NO_CACHE_ENV, "") not in ("", "0")


def cache_root(config: Config) -> Path:
    """The project root: the folder of the ``pyproject.toml`` in use, else the cwd."""
    return config.source.parent if config.source is not None else Path.cwd()


def _code_fingerprint() -> list[list[object]]:
    """Name, size and mtime of every module of seedmigrate: an edited rule is a new rule set."""
    package = Path(__file__).resolve().parent
    rows: list[list[object]] = []
    for folder, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                stat = os.stat(path)
                rows.append([os.path.relpath(path, package), stat.st_size, stat.st_mtime_ns])
    return rows


def config_key(config: Config) -> str:
    """Hash of everything, besides a file's bytes and path, that decides its findings."""
    from seedmigrate.rules import ALL_RULES

    payload = {
        "format": _FORMAT,
        "version": __version__,
        "code": _code_fingerprint(),
        "rules": [rule.code for rule in ALL_RULES],
        "select": list(config.select),
        "ignore": list(config.ignore),
        "per_file_ignores": [[pattern, list(codes)] for pattern, codes in config.per_file_ignores],
        "runtime": config.runtime_module,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def _finding_to_json(finding: Finding) -> dict[str, object]:
    data = finding.to_dict()
    data["path"], data["cell"] = finding.path, finding.cell  # not as reports show them
    data["edits"] = [[e.kind, list(e.pos), e.code, e.name, e.index] for e in finding.edits]
    return data


def _finding_from_json(data: dict) -> Finding:
    edits = tuple(
        Edit(EditKind(kind), (int(pos[0]), int(pos[1])), str(code), str(name), int(index))
        for kind, pos, code, name, index in data["edits"]
    )
    return Finding(
        str(data["code"]),
        str(data["message"]),
        int(data["line"]),
        int(data["column"]),
        int(data["end_line"]),
        int(data["end_column"]),
        bool(data["fixable"]),
        edits,
        str(data["path"]),
        None if data["cell"] is None else int(data["cell"]),
    )


class CheckCache:
    """Findings of files already checked under one configuration, by path and content."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.file = directory / f"check-{key}.json"
        self.key = key
        # path as reported -> [content digest, named explicitly, findings, error, abspath]
        self._entries: dict[str, list] = {}
        self._seen: set[str] = set()
        self._changed = False

    @classmethod
    def open(cls, config: Config) -> CheckCache:
        """The cache for ``config`` in its project root, loaded if present and valid."""
        cache = cls(cache_root(config) / CACHE_DIR_NAME, config_key(config))
        cache._load()
        return cache

    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return
        if (
            isinstance(data, dict)
            and data.get("format") == _FORMAT
            and data.get("key") == self.key
            and isinstance(data.get("files"), dict)
        ):
            self._entries = data["files"]

    def lookup(self, path: Path, force: bool, project: str | None = None) -> FileResult | None:
        """The cached result for ``path`` if its content is unchanged, else ``None``.

        Reads and hashes the file only when it has an entry; anything unexpected in the
        entry (an older layout, a hand-edited file) is a miss. An entry whose findings
        depended on other files of the project is valid only while ``project`` (their
        fingerprint) is what it was.
        """
        name = str(path)
        entry = self._entries.get(name)
        if entry is None:
            return None
        self._seen.add(name)
        try:
            digest, forced, findings, error, _, initialises, depends_on = entry
            if forced != force or digest != content_digest(read_bytes(path)):
                return None
            if depends_on is not None and depends_on != project:
                return None
            result = FileResult(name, [_finding_from_json(f) for f in findings])
            result.error = None if error is None else _finding_from_json(error)
            result.initialises = bool(initialises)
        except (SourceError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # unreadable now: check_file reads it again and reports why
        result.digest = digest
        return result

    def store(self, result: FileResult, force: bool, project: str | None = None) -> None:
        """Remember ``result`` (one whose bytes were read and analysed); ``project``: the
        fingerprint its findings depend on, when they consulted other files."""
        if result.digest is None:
            return
        self._seen.add(result.path)
        self._entries[result.path] = [
            result.digest,
            force,
            [_finding_to_json(f) for f in result.findings],
            None if result.error is None else _finding_to_json(result.error),
            os.path.abspath(result.path),
            result.initialises,
            project if result.used_project else None,
        ]
        self._changed = True

    def _prune(self) -> None:
        """Forget files that were not checked this time and no longer exist."""
        gone = [
            name
            for name, entry in self._entries.items()
            if name not in self._seen and not _exists(entry)
        ]
        for name in gone:
            del self._entries[name]

    def save(self) -> None:
        """Write the cache atomically if anything changed; failures are ignored."""
        if not self._changed:
            return
        self._prune()
        data = {"format": _FORMAT, "key": self.key, "files": self._entries}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                _write_atomic(gitignore, b"# created by seedmigrate\n*\n")
            _write_atomic(self.file, json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            return
        self._changed = False


def _exists(entry: Iterable) -> bool:
    try:
        return os.path.exists(list(entry)[4])
    except (TypeError, IndexError):
        return False


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers never see half a file; no fsync: a crash may lose or truncate the cache,
    which is then ignored as corrupt, costing one full run, never a wrong answer."""
    from seedmigrate.files import atomic_write

    atomic_write(path, data, fsync=False)
