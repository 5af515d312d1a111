"""A run over the files of one project, with its index (issue: migrate a repository).

``check`` and ``apply`` index the project the paths belong to
(:func:`seedmigrate.analysis.project.project_root`: the folder of the nearest
``pyproject.toml``/``setup.cfg``/``setup.py``, else the paths' common folder), so that
a call of another module's seeding helper, or arguments parsed by another module, are
followed. Entry scripts are processed first; the library modules then see the project
as the entry scripts leave it: which entry scripts call ``seeder.init`` (so the seeding
inside the functions they run can go) and, for ``apply``, the entry scripts' migrated
text (so a helper nobody calls any more goes too).

Module summaries are cached by content hash in ``.seedmigrate_cache/index-summaries.json``
(independent of the settings), so a second run re-reads only the files that changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seedmigrate.analysis.crossmodule import ProjectView
from seedmigrate.analysis.project import ProjectIndex, project_root
from seedmigrate.files import SourceError, read_bytes

SUMMARY_CACHE = "index-summaries.json"
_INIT_CALL = re.compile(rb"\b\w+\.init\s*\(")


@dataclass
class ProjectSetup:
    """The index of the project a run's files belong to, and what the entry scripts
    processed so far told about themselves."""

    index: ProjectIndex
    initialising: frozenset[str] = frozenset()
    cache: dict = field(default_factory=dict, repr=False)
    #: The index before the entry scripts were migrated (see ProjectView.origin).
    origin: ProjectIndex | None = None
    #: Entry scripts whose result came from the check cache: path -> initialises.
    known: dict[Path, bool] = field(default_factory=dict, repr=False)

    def view(self, path: Path) -> ProjectView | None:
        """``path``'s view of the project (``None`` for a notebook)."""
        if path.suffix != ".py":
            return None
        return ProjectView(self.index, path.resolve(), self.initialising, self.origin)

    def is_library(self, path: Path) -> bool:
        """A module of the project that is not an entry script."""
        if path.suffix != ".py":
            return False
        resolved = path.resolve()
        return self.index.module_name(resolved) is not None and not self.index.is_entry_script(
            resolved
        )

    def after(self, results: Sequence, paths: Sequence[Path]) -> ProjectSetup:
        """The setup for the library modules, once the entry scripts ``results`` (for
        ``paths``) are through: the index over their migrated texts, and which entry
        scripts call ``seeder.init``."""
        texts: dict[Path, bytes] = {}
        initialising = set()
        done: dict[Path, bool] = {}
        for path, result in zip(paths, results, strict=True):
            resolved = path.resolve()
            done[resolved] = result.initialises
            if result.error is None and result.changed:
                texts[resolved] = result.source.encode(result.new_text)
        index = self.index
        if texts:
            index = ProjectIndex.build(
                self.index.root, exclude=self.index.exclude, cache=self.cache, texts=texts
            )
        for module, entry in index.entry_scripts.items():
            initialises = done.get(entry.path.resolve(), self.known.get(entry.path.resolve()))
            if initialises is None:  # not part of this run: as it is on disk
                try:
                    data = read_bytes(entry.path)
                except SourceError:
                    continue
                initialises = bool(_INIT_CALL.search(data)) and (
                    b"seeder_runtime" in data or b"fwr13y" in data
                )
            if initialises:
                initialising.add(module)
        return ProjectSetup(
            index, frozenset(initialising), self.cache, self.origin or self.index, self.known
        )


def build_setup(
    paths: Iterable[Path], exclude: Sequence[str], cache_dir: Path | None
) -> ProjectSetup | None:
    """The setup for a run over ``paths``; ``None`` when none of them is a Python file,
    or the project has no other module (a lone script: nothing to follow)."""
    py = [p for p in paths if p.suffix == ".py" or p.is_dir()]
    if not py:
        return None
    root = project_root(py)
    if _lone_module(root, tuple(exclude)):
        return None
    cache = _load(cache_dir)
    index = ProjectIndex.build(
        root, files=[p for p in py if p.is_file()], exclude=exclude, cache=cache
    )
    setup = ProjectSetup(index, cache=cache)
    _save(cache_dir, cache, index)
    return setup


def _lone_module(root: Path, exclude: tuple[str, ...]) -> bool:
    from seedmigrate.analysis.project import _walk

    found = 0
    for _ in _walk(root, exclude):
        found += 1
        if found > 1:
            return False
    return True


def stat_fingerprint(setup_root: Path, exclude: Sequence[str]) -> str:
    """A cheap hash of the project's ``.py`` files (path, size, mtime): cached findings
    that depended on other files are valid while it is the same."""
    import hashlib
    import os

    from seedmigrate.analysis.project import _walk

    digest = hashlib.blake2b(digest_size=16)
    for path in _walk(setup_root, tuple(exclude)):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _load(cache_dir: Path | None) -> dict:
    if cache_dir is None:
        return {}
    try:
        data = json.loads((cache_dir / SUMMARY_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(cache_dir: Path | None, cache: dict, index: ProjectIndex) -> None:
    """Keep the summaries of the project's current files (best-effort, atomic)."""
    if cache_dir is None:
        return
    from seedmigrate.files import atomic_write

    keep = set(index.file_keys().values())
    pruned = {k: v for k, v in cache.items() if k in keep}
    try:
        cache_dir.mkdir(exist_ok=True)
        atomic_write(cache_dir / SUMMARY_CACHE, json.dumps(pruned).encode(), fsync=False)
    except OSError:
        pass
