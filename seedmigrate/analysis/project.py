"""The project index: a project's own modules, resolved across files.

Real training code rarely seeds in the entry script: it calls a helper of its own
project (``utils.fix_random_seeds(args.seed)``, ``from training.utils import
set_seed``), parses its arguments in another module (``args = parse_args()``) and runs
its epoch loop in a library module. The index answers, for a whole project:

- which file a dotted name used in a module stands for (:meth:`ProjectIndex.resolve`),
  through absolute and relative imports, ``src/`` layouts, namespace folders,
  re-exports through ``__init__.py`` (chains and cycles included) and star imports of
  project modules, and why it cannot when it cannot
  (:meth:`ProjectIndex.unresolvable_reason`: outside the project, a star or dynamic
  import);
- which project functions seed the global RNGs, directly or through other helpers to
  any depth, whether they *only* seed, which RNGs, which parameter carries the seed,
  whether they derive a per-rank seed, and the lines to remove
  (:meth:`ProjectIndex.seeding_helper`);
- which functions build an argparse parser with a seed option
  (:meth:`ProjectIndex.argparse_function`);
- which modules are entry scripts, who calls a function, and which entry scripts
  reach it (:attr:`ProjectIndex.entry_scripts`, :meth:`ProjectIndex.callers`,
  :meth:`ProjectIndex.entry_scripts_reaching`).

Cost. The index is of the *project* (the folder of the nearest ``pyproject.toml``),
whatever paths are checked, and it is built from the same cheap ``ast`` pass as the
analysis: a per-file :class:`ModuleSummary` (from that file's text alone, cacheable by
content hash, computable in worker processes: :func:`summary_key`,
:func:`worker_summary`) and a linking step over the summaries. Only files that can
matter are summarised eagerly: those that name a seeding call, a seed option or a
``__main__`` guard (:func:`needs_summary`) and, round by round, those that import (or
read as an attribute) the name of a module-level helper found so far that seeds
directly or only seeds. Any other module is summarised on demand, the first time a
resolution passes through it. So :attr:`ProjectIndex.seeding_helpers` holds every
helper that seeds directly or only seeds, and every seeding function of a summarised
file; a function elsewhere that seeds only through helpers that also do other things is
classified when asked about (:meth:`ProjectIndex.seeding_helper`).
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from fnmatch import fnmatch, translate
from pathlib import Path
from typing import Any

from seedmigrate.analysis.context import SEEDING_FUNCTIONS
from seedmigrate.analysis.module_summary import (
    BUILTIN_NAMES,
    RANK_CALLS,
    SUMMARY_FORMAT,
    Binding,
    CallInfo,
    ExprInfo,
    ModuleSummary,
    ScopeSummary,
    Span,
    StmtInfo,
    summarise_module,
)
from seedmigrate.files import DEFAULT_EXCLUDES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "ArgparseFunction",
    "CallEdge",
    "EntryScript",
    "Location",
    "ModuleSummary",
    "ProjectIndex",
    "RankTerm",
    "SeedOption",
    "SeedParam",
    "SeedingCallSite",
    "SeedingHelper",
    "Symbol",
    "Unresolvable",
    "needs_summary",
    "project_root",
    "summarise_module",
    "summarise_source",
    "summary_key",
    "worker_summary",
]

INDEX_FORMAT = 1
#: The build keeps the project's texts in memory for its name searches up to this size.
_KEEP_TEXTS_BYTES = 256 * 1024 * 1024

#: Which global RNGs each seeding function seeds (``torch.manual_seed`` seeds every
#: device, but only ``torch.cuda.*`` is reported as ``cuda``: the call as written).
_ALL_TORCH = frozenset({"random", "numpy", "torch", "cuda"})
RNGS_OF: dict[str, frozenset[str]] = {}
for _name in SEEDING_FUNCTIONS:
    if _name == "random.seed":
        RNGS_OF[_name] = frozenset({"random"})
    elif _name == "numpy.random.seed":
        RNGS_OF[_name] = frozenset({"numpy"})
    elif _name.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
        keras_all = _name.endswith("utils.set_random_seed")
        RNGS_OF[_name] = frozenset(
            {"random", "numpy", "tensorflow"} if keras_all else {"tensorflow"}
        )
    elif _name.startswith("torch.cuda."):
        RNGS_OF[_name] = frozenset({"cuda"})
    elif _name.startswith("torch."):
        RNGS_OF[_name] = frozenset({"torch"})
    elif _name.startswith("transformers."):
        RNGS_OF[_name] = _ALL_TORCH | {"tensorflow"}
    else:  # accelerate, Lightning
        RNGS_OF[_name] = _ALL_TORCH
#: Last components of the seeding functions: only calls ending in one of these (or in
#: a name a seeding helper is known by) are resolved while classifying.
_SEEDING_LAST = frozenset(name.rsplit(".", 1)[1] for name in SEEDING_FUNCTIONS)
#: Keyword a seeding function takes its seed as (``random.seed(a=...)``).
_SEED_KEYWORDS = ("seed", "a", "new_seed")
#: Sources of a seed drawn at random (``seeding._RANDOM_SOURCES``).
_RANDOM_SOURCES = ("random.", "numpy.random.", "time.", "secrets.", "os.urandom", "torch.seed")
#: Functions whose seeding is deliberate per-thread / per-worker seeding
#: (``seeding._THREAD_FUNCTION``), and the keywords that hand a function to a worker.
_THREAD_FUNCTION = re.compile(r"worker_init|^__getitem__$|^__iter__$|^run$|^_?worker")
_WORKER_KEYWORDS = frozenset({"worker_init_fn", "target", "initializer"})
_DERIVE_CALLS = RANK_CALLS | {"int", "abs", "hash", "get", "getenv"}

#: Identifiers that name a seeding function (``random.seed`` is ``seed``: see below).
_SEEDING_WORDS = frozenset(name.encode() for name in _SEEDING_LAST) - {b"seed"}
_IDENTIFIER = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_MAIN_GUARD = re.compile(
    rb"^if\s+(?:__name__\s*==\s*(['\"])__main__\1|(['\"])__main__\2\s*==\s*__name__)\s*:",
    re.MULTILINE,
)


# -- public records ------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Symbol:
    """A function, method or class of the project: ``module`` (dotted name, see
    :meth:`ProjectIndex.module_name`), ``qualname`` (``set_seed``, ``Trainer.fit``,
    ``outer.<locals>.inner``; ``<module>`` for a module's top-level code), the file and
    the line of its ``def`` / ``class``."""

    module: str
    qualname: str
    path: Path
    line: int

    @property
    def name(self) -> str:
        """The last component of ``qualname`` (what call sites spell)."""
        return self.qualname.rsplit(".", 1)[-1]

    def __str__(self) -> str:
        return f"{self.module}.{self.qualname}"


@dataclass(frozen=True)
class Location:
    """A span in a file: 1-based lines, 0-based character columns (``Edit.pos``'s)."""

    path: Path
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, path: Path, span: Span) -> Location:
        return cls(path, *span)

    @property
    def pos(self) -> tuple[int, int]:
        """``(line, col)``, as :class:`seedmigrate.analysis.model.Edit` addresses nodes."""
        return self.line, self.col


@dataclass(frozen=True)
class SeedParam:
    """The parameter a helper's seed comes from: ``seed`` in ``def set_seed(seed)``
    (``index`` 0: its position among the ``def``'s positional parameters, ``self``
    included; ``None`` when keyword-only), or ``args`` with ``attribute`` ``seed`` in
    ``def set_seed(args): random.seed(args.seed)``. ``default`` is its default's text."""

    name: str
    index: int | None
    attribute: str | None = None
    default: str | None = None


@dataclass(frozen=True)
class RankTerm:
    """A per-rank seed: ``rank`` in ``torch.manual_seed(seed + rank)``.

    ``text`` / ``location``: the rank term; ``expression``: the whole seed argument it is
    part of, and ``without_rank`` that argument's text with the term stripped (``seed``).
    ``param`` / ``index``: the helper's parameter the rank comes from, if any.
    """

    text: str
    location: Location
    expression: Location
    without_rank: str
    param: str | None = None
    index: int | None = None


@dataclass(frozen=True)
class SeedingCallSite:
    """A call inside a helper that seeds: ``target`` is the seeding function's qualified
    name (``torch.manual_seed``) or the project helper's (``pkg.utils.set_seed``)."""

    location: Location
    target: str
    rngs: frozenset[str]
    statement: bool
    helper: Symbol | None = None


@dataclass(frozen=True)
class SeedingHelper:
    """A project function that seeds global RNGs, directly or through other helpers.

    ``kind``: ``only_seeds`` when its body (docstring aside) is only seeding
    statements, seeding guards (``if seed is not None:``), seeds drawn at random, seed
    derivations (``seed = seed + rank``) and calls of other ``only_seeds`` helpers
    (as :meth:`SeedingAnalysis.removable` has it, across modules); ``mixed`` when it
    also does something else (``other`` says what: ``cudnn flags``,
    ``PYTHONHASHSEED``, ``logging``, ``returns a value``...).

    ``statements``: the outermost statements that only seed (guards lifted), so a fix
    can remove just those from a mixed helper; ``location``: the whole ``def``.
    ``per_worker``: deliberate per-worker / per-thread seeding (``worker_init_fn``,
    ``__getitem__``, a function passed as ``worker_init_fn=`` / ``target=``): keep it.
    """

    symbol: Symbol
    kind: str
    rngs: frozenset[str]
    seed_param: SeedParam | None
    rank_term: RankTerm | None
    statements: tuple[Location, ...]
    calls: tuple[SeedingCallSite, ...]
    via: tuple[Symbol, ...]
    location: Location
    per_worker: bool
    other: tuple[str, ...]
    decorators: tuple[str, ...] = ()

    @property
    def only_seeds(self) -> bool:
        return self.kind == "only_seeds"


@dataclass(frozen=True)
class SeedOption:
    """``parser.add_argument("--seed", type=int, default=42)``: the call's location,
    argparse's ``dest``, the option strings, and the text of ``default=`` / ``type=``
    (``None`` when absent)."""

    location: Location
    dest: str
    options: tuple[str, ...]
    default: str | None
    type: str | None


@dataclass(frozen=True)
class ArgparseFunction:
    """A project function that builds an argparse parser.

    ``returns``: ``args`` (returns the parsed arguments), ``parser`` (returns the
    parser) or ``None`` (adds options to the parser passed as ``parser_param``).
    ``seed_option``: where its seed option is defined (possibly in a function it calls
    with the parser), ``None`` when it has none.
    """

    symbol: Symbol
    returns: str | None
    seed_option: SeedOption | None
    parser_param: str | None = None


@dataclass(frozen=True)
class EntryScript:
    """A module that starts a program: ``kind`` is ``main_guard`` (``if __name__ ==
    "__main__":`` at ``line``), ``main_module`` (a ``__main__.py``), ``console_script``
    or ``gui_script`` (named in ``pyproject.toml`` / ``setup.cfg``; ``function`` is the
    entry point's function)."""

    module: str
    path: Path
    kind: str
    function: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class CallEdge:
    """``caller`` calls ``callee`` at ``location`` (``kind`` ``call``), or passes it
    as an argument there (``reference``: ``app.run(main)``, ``Thread(target=f)``)."""

    caller: Symbol
    callee: Symbol
    location: Location
    kind: str
    #: for a reference, the dotted name of the call it is passed to (``mp.Process``)
    via: str = ""


#: Last names of calls that run a function passed to them in a new process.
_PROCESS_CALLS = frozenset({"Process", "spawn", "start_processes", "Pool", "ProcessPoolExecutor"})
#: Method names that run a function in a pool's worker processes (with a receiver only).
_POOL_METHODS = frozenset(
    {"map", "starmap", "imap", "imap_unordered", "apply_async", "map_async", "starmap_async"}
)


def starts_process(dotted: str) -> bool:
    """Whether a call named ``dotted`` runs a function argument in a new process."""
    last = _last(dotted)
    return last in _PROCESS_CALLS or ("." in dotted and last in _POOL_METHODS)


@dataclass(frozen=True)
class Unresolvable:
    """Why a dotted name does not resolve to a project function.

    ``kind``: ``outside_project`` (``detail``: the module, e.g. ``timm.utils``),
    ``star_import`` (``detail``: the star-imported module), ``dynamic_import``,
    ``not_found``, ``local`` (a parameter or local variable), ``builtin``,
    ``not_a_function``, ``cycle``, ``syntax_error`` or ``not_in_project`` (the file is
    not a module of the project).
    """

    kind: str
    detail: str = ""

    def __str__(self) -> str:
        messages = {
            "outside_project": "defined in {d}, outside the project",
            "star_import": "may come from `from {d} import *`, which is outside the project",
            "dynamic_import": "bound by a dynamic import ({d})",
            "not_found": "{d}",
            "local": "{d}",
            "builtin": "a builtin ({d})",
            "not_a_function": "{d}",
            "cycle": "an import cycle ({d})",
            "syntax_error": "{d} cannot be parsed",
            "not_in_project": "{d} is not a module of the project",
        }
        return messages.get(self.kind, "{d}").format(d=self.detail)


@dataclass(frozen=True)
class _Res:
    """A resolution: ``symbol`` (Symbol), ``external`` (qualified name), ``module``
    (module name) or ``unresolved`` (Unresolvable)."""

    kind: str
    value: Any


def _unresolved(kind: str, detail: str = "") -> _Res:
    return _Res("unresolved", Unresolvable(kind, detail))


# -- per-file functions ---------------------------------------------------------------


def summary_key(data: bytes) -> str:
    """The cache key of a file's :class:`ModuleSummary`: its content hash (BLAKE2b,
    128 bits, as the check cache uses) and the summary format."""
    return f"{SUMMARY_FORMAT}:{hashlib.blake2b(data, digest_size=16).hexdigest()}"


def _normalised(data: bytes) -> bytes:
    """Non-ASCII sources also in NFKC form: the parser normalises identifiers."""
    if data.isascii():
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return data + b"\n" + unicodedata.normalize("NFKC", text).encode("utf-8", "replace")


def _names_seeding(data: bytes) -> bool:
    """The text names a seeding function: ``manual_seed`` & co. anywhere, or ``seed``
    imported (``from random import seed``) or read as an attribute that is not assigned
    (``random.seed(0)``, ``np.random.seed`` but not ``args.seed = 1``)."""
    start = data.find(b"seed")
    while start != -1:
        left = start
        while left > 0 and data[left - 1] in _IDENTIFIER:
            left -= 1
        right = start + 4
        while right < len(data) and data[right] in _IDENTIFIER:
            right += 1
        word = data[left:right]
        if word in _SEEDING_WORDS:
            return True
        if word == b"seed":
            line_start = data.rfind(b"\n", 0, left) + 1
            before = data[line_start:left].rstrip()
            if before.endswith(b"."):
                after = data[right : right + 3].lstrip()
                if not (after[:1] in (b".", b"[") or (after[:1] == b"=" and after[1:2] != b"=")):
                    return True
            if b"import" in data[line_start:left]:
                return True
            opening = data.rfind(b"import", 0, left)
            if opening != -1 and data.find(b")", opening, left) == -1:
                if data[opening + 6 : left].lstrip().startswith(b"("):
                    return True
        start = data.find(b"seed", right)
    return False


def needs_summary(data: bytes) -> bool:
    """Whether a file must be summarised for the index to be complete: it names a
    seeding call or function, defines a seed option, or has a ``__main__`` guard.

    Any other file is summarised only when a name it contains turns out to matter.
    """
    if _needs_summary(data):
        return True
    if data.isascii():
        return False
    normalised = _normalised(data)  # ``ｓｅｅｄ`` is the identifier ``seed``
    return normalised is not data and _needs_summary(normalised)


def _needs_summary(data: bytes) -> bool:
    if b"__main__" in data and _MAIN_GUARD.search(data):
        return True
    if b"seed" in data and _names_seeding(data):
        return True
    return b"add_argument" in data and (b"seed" in data or b"Seed" in data or b"SEED" in data)


def summarise_source(data: bytes) -> ModuleSummary | None:
    """The summary of a file's bytes, or ``None`` when they cannot be decoded or parsed.

    A file the summariser itself fails on is treated the same way: one odd file must not
    cost ``check`` the whole project (``summarise_module`` raises, for the tests).
    """
    from seedmigrate.files import SourceError, decode_source

    try:
        text = decode_source(data).text
        return summarise_module(text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    except Exception:  # noqa: BLE001 - see the docstring
        return None


def worker_summary(
    data: bytes, text: str | None = None, tree: ast.Module | None = None
) -> tuple[str, dict | None] | None:
    """For a check worker that has read (and maybe parsed) a file: ``(summary_key,
    summary JSON)`` when the index needs the file's summary (:func:`needs_summary`), else
    ``None``. Pass the ``text`` and ``tree`` it already has: the summary then costs one
    walk. The JSON is what :meth:`ProjectIndex.build`'s ``cache`` holds."""
    if not needs_summary(data):
        return None
    if text is None or tree is None:
        summary = summarise_source(data)
    else:
        try:
            summary = summarise_module(text, tree)
        except (ValueError, RecursionError):
            summary = None
    return summary_key(data), None if summary is None else summary.to_json()


def _summarise_job(path: Path) -> tuple[Path, str | None, dict | None]:
    """Worker job: read and summarise one file (key ``None`` when unreadable)."""
    from seedmigrate.files import SourceError, read_bytes

    try:
        data = read_bytes(path)  # regular files only, never blocks
    except SourceError:
        return path, None, None
    summary = summarise_source(data)
    return path, summary_key(data), None if summary is None else summary.to_json()


# -- the project's files --------------------------------------------------------------


_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")


def project_root(paths: Iterable[Path | str]) -> Path:
    """The project the ``paths`` belong to: the folder of the nearest
    ``pyproject.toml`` (or ``setup.cfg`` / ``setup.py``) at or above their common
    folder, else that common folder (the cwd when no path is given)."""
    resolved = [Path(p).resolve() for p in paths] or [Path.cwd().resolve()]
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    start = common if common.is_dir() else common.parent
    for folder in (start, *start.parents):
        if any((folder / marker).is_file() for marker in _ROOT_MARKERS):
            return folder
    return start


_DEFAULT_EXCLUDED = re.compile("|".join(translate(p) for p in DEFAULT_EXCLUDES))


def _walk(root: Path, exclude: tuple[str, ...]) -> Iterator[Path]:
    """The ``.py`` files under ``root``, skipping DEFAULT_EXCLUDES and ``exclude``."""
    for dirpath, dirnames, filenames in os.walk(root):
        kept = []
        for name in sorted(dirnames):
            if _DEFAULT_EXCLUDED.match(os.path.normcase(name)):
                continue
            if exclude and _excluded(Path(dirpath, name), root, exclude):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = Path(os.path.join(dirpath, name))
                if exclude and _excluded(path, root, exclude):
                    continue
                try:
                    regular = stat.S_ISREG(os.stat(path).st_mode)
                except OSError:
                    continue
                if regular:  # never a FIFO or a device: reading one could wait forever
                    yield path


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    rel = path.relative_to(root).as_posix()
    return any(fnmatch(path.name, p) or fnmatch(rel, p) or fnmatch(rel, p + "/*") for p in patterns)


def _entry_points(root: Path) -> list[tuple[str, str, str]]:
    """``(module, function, kind)`` of the console / GUI scripts the project declares."""
    found: list[tuple[str, str, str]] = []
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    project = data.get("project", {}) if isinstance(data, dict) else {}
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data, dict) else {}
    tables = (
        (project.get("scripts"), "console_script"),
        (project.get("gui-scripts"), "gui_script"),
        (poetry.get("scripts") if isinstance(poetry, dict) else None, "console_script"),
    )
    for table, kind in tables:
        if isinstance(table, dict):
            for value in table.values():
                if isinstance(value, str):
                    found.append(_entry_point(value, kind))
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return found
    if parser.has_section("options.entry_points"):
        for key, kind in (("console_scripts", "console_script"), ("gui_scripts", "gui_script")):
            for line in parser.get("options.entry_points", key, fallback="").splitlines():
                if "=" in line:
                    found.append(_entry_point(line.split("=", 1)[1], kind))
    return found


def _entry_point(value: str, kind: str) -> tuple[str, str, str]:
    module, _, function = value.strip().partition(":")
    return module.strip(), function.split("[")[0].strip(), kind


# -- the index ------------------------------------------------------------------------


class ProjectIndex:
    """The modules of one project and what they define, call and seed (module docstring).

    Build it with :meth:`build` (or :meth:`from_json`); it is picklable, so worker
    processes can receive it whole. Queries that need a module nobody summarised yet
    summarise it then, from disk.
    """

    def __init__(self, root: Path, files: Iterable[Path], *, exclude: Iterable[str] = ()) -> None:
        self.root = root
        self.exclude = tuple(exclude)
        self._files: dict[Path, str] = {}
        self._modules: dict[str, Path] = {}
        self._namespaces: dict[Path, str] = {}
        self._namespace_dirs: dict[str, Path] = {}
        self._summaries: dict[Path, ModuleSummary | None] = {}
        self._keys: dict[Path, str] = {}
        self._eager: set[Path] = set()
        self._entry_candidates: set[Path] = set()
        self._entry_points: list[tuple[str, str, str]] = []
        self._cache: MutableMapping[str, Any] | None = None
        #: Names already searched for in every file (the seeding functions' own names
        #: need no search: :func:`needs_summary` found every file that has them).
        self._scanned_names: set[str] = set(_SEEDING_LAST)
        self._grep_memo: dict[str, frozenset[Path]] = {}
        self._callers_memo: dict[Symbol, tuple[CallEdge, ...]] = {}
        self._resolved: dict[tuple[Path, str, str], _Res] = {}
        self._helpers: dict[Symbol, SeedingHelper] = {}
        self._argparse: dict[Symbol, ArgparseFunction | None] = {}
        self._bases_memo: dict[Path, tuple[Path, ...]] = {}
        self._entry_memo: dict[str, EntryScript] | None = None
        self._link_state: _LinkState | None = None
        self._texts: dict[Path, bytes] | None = None
        self._overrides: dict[Path, bytes] = {}
        self._map_modules(files)

    # -- construction ----------------------------------------------------------------

    @classmethod
    def build(
        cls,
        root: Path | str,
        files: Iterable[Path | str] | None = None,
        *,
        exclude: Iterable[str] = (),
        cache: MutableMapping[str, Any] | None = None,
        summaries: Mapping[Path, ModuleSummary | None] | None = None,
        mapper: Callable[..., Iterable] | None = None,
        texts: Mapping[Path, bytes] | None = None,
    ) -> ProjectIndex:
        """Index the project at ``root`` (see :func:`project_root`).

        The ``.py`` files under ``root`` are walked (skipping
        :data:`seedmigrate.files.DEFAULT_EXCLUDES` and the ``exclude`` glob patterns), so
        the result is the same whichever paths are being checked; ``files`` adds files
        under ``root`` that the walk skips (named explicitly on the command line).
        ``cache`` maps :func:`summary_key` to a summary's JSON form (``None`` for a file
        that cannot be parsed); it is read and filled. ``summaries``: summaries already
        computed, e.g. by the check workers from the trees they parsed. ``mapper``: a
        ``map``-like callable (``ProcessPoolExecutor.map``) to summarise files in
        parallel. ``texts``: files' contents to use instead of what is on disk (``apply``
        indexes the project as it will be once the entry scripts are migrated).
        """
        root = Path(root).resolve()
        exclude = tuple(exclude)
        walked = list(_walk(root, exclude))
        extra = []
        for path in files or ():
            path = Path(path).resolve()
            if path.suffix == ".py" and path.is_relative_to(root):
                extra.append(path)
        index = cls(root, [*walked, *extra], exclude=exclude)
        index._cache = cache
        index._overrides = {Path(p).resolve(): data for p, data in (texts or {}).items()}
        index._entry_points = _entry_points(root)
        given = {Path(p).resolve(): s for p, s in (summaries or {}).items()}
        todo: list[tuple[Path, bytes]] = []
        # Each file is read once: the texts stay in memory while the build searches
        # them for helpers' names, unless the project is very large.
        kept: dict[Path, bytes] | None = {}
        size = 0
        for path in index._files:
            try:
                data = index._read(path)
            except OSError:
                continue
            if kept is not None:
                kept[path] = data
                size += len(data)
                if size > _KEEP_TEXTS_BYTES:
                    kept = None
            if b"__main__" in data and _MAIN_GUARD.search(data):
                index._entry_candidates.add(path)
            relevant = needs_summary(data)
            if path in given:
                # Kept either way, but only what the index would have summarised itself
                # is searched from: the result does not depend on what the caller gave.
                index._summaries[path] = given[path]
                if relevant:
                    index._eager.add(path)
                    index._keys[path] = summary_key(data)
            elif relevant:
                todo.append((path, data))
        index._texts = kept
        try:
            index._summarise_many(todo, mapper)
            index._link()
        finally:
            index._texts = None
        return index

    def _summarise_many(
        self, todo: list[tuple[Path, bytes]], mapper: Callable[..., Iterable] | None
    ) -> None:
        """Summarise ``todo`` (from the cache where possible), mark them eager."""
        missing: list[Path] = []
        if self._overrides:
            mapper = None  # the workers would read the files from disk
        for path, data in todo:
            self._eager.add(path)
            key = summary_key(data)
            self._keys[path] = key
            if not self._from_cache(path, key):
                missing.append(path)
        if not missing:
            return
        if mapper is not None and len(missing) > 1:
            for path, key, data in mapper(_summarise_job, missing):
                self._store(path, key, data)
            return
        for path in missing:
            self._summarise_now(path)

    def _from_cache(self, path: Path, key: str) -> bool:
        if self._cache is None or key not in self._cache:
            return False
        data = self._cache[key]
        try:
            self._summaries[path] = None if data is None else ModuleSummary.from_json(data)
        except (ValueError, KeyError, TypeError, IndexError):
            return False
        return True

    def _store(self, path: Path, key: str | None, data: dict | None) -> None:
        self._summaries[path] = None if data is None else ModuleSummary.from_json(data)
        if key is not None:
            self._keys[path] = key
            if self._cache is not None:
                self._cache[key] = data

    def _read(self, path: Path) -> bytes:
        if path in self._overrides:
            return self._overrides[path]
        if self._texts is not None and path in self._texts:
            return self._texts[path]
        from seedmigrate.files import SourceError, read_bytes

        try:
            return read_bytes(path)  # regular files only, never blocks
        except SourceError as exc:
            raise OSError(exc.message) from exc

    def _summarise_now(self, path: Path) -> ModuleSummary | None:
        try:
            data = self._read(path)
        except OSError:
            self._summaries[path] = None
            return None
        key = summary_key(data)
        self._keys[path] = key
        if self._from_cache(path, key):
            return self._summaries[path]
        summary = summarise_source(data)
        self._summaries[path] = summary
        if self._cache is not None:
            self._cache[key] = None if summary is None else summary.to_json()
        return summary

    def _summary(self, path: Path) -> ModuleSummary | None:
        """The summary of a project file, computed now if nobody asked for it before."""
        if path in self._summaries:
            return self._summaries[path]
        return self._summarise_now(path)

    # -- module map ------------------------------------------------------------------

    def _map_modules(self, files: Iterable[Path]) -> None:
        """Name every file: relative to ``src/`` in a ``src`` layout, else to the root
        (to its parent when the root is itself a package); folders without
        ``__init__.py`` are namespace packages. (Strings, not ``pathlib``: this runs on
        every file of the project.)"""
        sep = os.sep
        root = str(self.root)
        paths = sorted(set(files), key=str)
        strings = [str(p) for p in paths]
        packages = {
            s[: -len("__init__.py") - 1] for s in strings if s.endswith(sep + "__init__.py")
        }
        self._root_is_package = root in packages
        src = os.path.join(root, "src")
        has_src = src not in packages and any(s.startswith(src + sep) for s in strings)
        self._src = self.root / "src" if has_src else None
        self._name_base = self.root.parent if self._root_is_package else self.root
        default_base = str(self._name_base)
        seen: set[str] = set()
        for path, string in zip(paths, strings, strict=True):
            base = src if has_src and string.startswith(src + sep) else default_base
            parts = string[len(base) + 1 : -3].split(sep)
            if parts[-1] == "__init__":
                parts.pop()
            if not parts or not string.endswith(".py"):
                continue
            key = ".".join(parts)
            if key in self._modules and path.name != "__init__.py":
                continue  # pkg/__init__.py and pkg.py: the package wins
            self._files[path] = key
            self._modules[key] = path
            folder = os.path.dirname(string)
            while len(folder) > len(base) and folder not in seen:
                seen.add(folder)
                if folder not in packages:
                    namespace = Path(folder)
                    name = ".".join(folder[len(base) + 1 :].split(sep))
                    self._namespaces[namespace] = name
                    self._namespace_dirs.setdefault(name, namespace)
                folder = os.path.dirname(folder)

    @property
    def modules(self) -> dict[str, Path]:
        """Every module of the project (dotted name -> file)."""
        return dict(self._modules)

    def module_name(self, path: Path | str) -> str | None:
        """The dotted name of a project file (``src/pkg/utils.py`` -> ``pkg.utils``;
        names are relative to ``src/`` in a ``src`` layout, else to the project root, or
        to its parent when the root is itself a package); ``None`` outside the project."""
        return self._files.get(Path(path).resolve())

    def path_of(self, module: str) -> Path | None:
        """The file of module ``module`` (``None`` for a namespace folder or unknown)."""
        return self._modules.get(module)

    def is_project_module(self, module: str) -> bool:
        return module in self._modules or module in self._namespace_dirs

    def _bases(self, path: Path) -> tuple[Path, ...]:
        """Where absolute imports in ``path`` are looked up, in order: the folder above
        its outermost package (a script's own folder is ``sys.path[0]``), ``src/``, and
        the project root."""
        folder = path.parent
        found = self._bases_memo.get(folder)
        if found is not None:
            return found
        top = folder
        while (top / "__init__.py") in self._files and top.parent != top:
            top = top.parent
        bases: list[Path] = []
        for base in (top, self._src, self._name_base, self.root):
            if base is not None and base not in bases:
                bases.append(base)
        self._bases_memo[folder] = found = tuple(bases)
        return found

    def _module_at(self, folder: Path, parts: list[str]) -> str | None:
        target = folder.joinpath(*parts)
        key = self._files.get(target / "__init__.py")
        if key is None:
            key = self._files.get(target.with_name(target.name + ".py"))
        if key is None:
            key = self._namespaces.get(target)
        return key

    def _find_module(self, importer: Path, dotted: str) -> str | None:
        """The project module an absolute import in ``importer`` names, else ``None``."""
        parts = dotted.split(".")
        for base in self._bases(importer):
            key = self._module_at(base, parts)
            if key is not None:
                return key
        return None

    def _relative_module(self, importer: Path, level: int, dotted: str) -> str | None:
        """``from ..x import`` in ``importer``: the project module, else ``None``."""
        folder = importer.parent
        for _ in range(level - 1):
            folder = folder.parent
        if not dotted:
            key = self._files.get(folder / "__init__.py") or self._namespaces.get(folder)
            return key
        return self._module_at(folder, dotted.split("."))

    def _submodule(self, module: str, name: str) -> str | None:
        folder = self._package_folder(module)
        if folder is None:
            return None
        return self._module_at(folder, [name])

    def _package_folder(self, module: str) -> Path | None:
        path = self._modules.get(module)
        if path is not None:
            return path.parent if path.name == "__init__.py" else None
        return self._namespace_dirs.get(module)

    def _symbol(self, module: str, qualname: str) -> Symbol | None:
        path = self._modules.get(module)
        summary = self._summary(path) if path is not None else None
        if summary is None or path is None:
            return None
        function = summary.functions.get(qualname)
        if function is not None:
            return Symbol(module, qualname, path, function.span[0])
        cls = summary.classes.get(qualname)
        if cls is not None:
            return Symbol(module, qualname, path, cls.line)
        if qualname == "<module>":
            return Symbol(module, qualname, path, 1)
        return None

    # -- resolution ------------------------------------------------------------------

    def resolve(self, module: str, dotted: str, line: int | None = None) -> Symbol | None:
        """The project function, method or class ``dotted`` names in ``module``.

        ``dotted`` is a name as written there (``set_seed``, ``utils.fix_random_seeds``,
        ``pkg.utils.set_seed``, ``self.train_epoch``). Without ``line`` resolution is
        scope-insensitive: at module level, else through the imports of the module's
        functions when they all agree. With ``line`` (a line inside a function), that
        function's local imports, parameters, ``self`` and local instances count.
        """
        res = self._resolve_in(module, dotted, line)
        return res.value if res.kind == "symbol" else None

    def resolve_call(self, path: Path | str, dotted: str, line: int | None = None) -> Symbol | None:
        """:meth:`resolve` for a call written in file ``path`` (``None`` outside the project)."""
        module = self.module_name(path)
        return None if module is None else self.resolve(module, dotted, line)

    def qualified_name(self, module: str, dotted: str, line: int | None = None) -> str | None:
        """The fully qualified name ``dotted`` stands for in ``module``: a project
        symbol's ``module.qualname``, or an outside name (``utils.manual_seed`` re-exported
        from torch is ``torch.manual_seed``); ``None`` when it cannot be resolved."""
        res = self._resolve_in(module, dotted, line)
        if res.kind == "symbol":
            return str(res.value)
        if res.kind in ("external", "module"):
            return res.value
        return None

    def unresolvable_reason(
        self, path: Path | str, dotted: str, line: int | None = None
    ) -> Unresolvable | None:
        """Why ``dotted`` in file ``path`` does not name a project function, or ``None``
        when it does: outside the project (``kind`` ``outside_project``, with the
        module), a star import of an outside module, a dynamic import, ...
        (:class:`Unresolvable`)."""
        module = self.module_name(path)
        if module is None:
            return Unresolvable("not_in_project", str(path))
        res = self._resolve_in(module, dotted, line)
        if res.kind == "symbol":
            return None
        if res.kind == "external":
            return Unresolvable("outside_project", res.value.rsplit(".", 1)[0])
        if res.kind == "module":
            return Unresolvable("not_a_function", f"`{dotted}` is the module {res.value}")
        return res.value

    def _resolve_in(self, module: str, dotted: str, line: int | None) -> _Res:
        path = self._modules.get(module)
        if path is None:
            if module in self._namespace_dirs:
                return self._attr_chain(module, dotted.split("."), frozenset())
            return _unresolved("not_in_project", module)
        summary = self._summary(path)
        if line is not None and summary is not None:
            scope = _innermost_function(summary, line)
            return self._resolve(path, dotted, scope, frozenset())
        res = self._resolve(path, dotted, None, frozenset())
        if res.kind != "unresolved" or summary is None or res.value.kind not in ("not_found",):
            return res
        # No line: a name imported inside functions (``def main(): from utils import
        # set_seed``) resolves when every function that imports it agrees.
        head = dotted.split(".", 1)[0]
        found = {
            self._resolve(path, dotted, function.qualname, frozenset())
            for function in summary.functions.values()
            if head in function.imports
        }
        return found.pop() if len(found) == 1 else res

    def _resolve(self, path: Path, dotted: str, scope: str | None, visited: frozenset) -> _Res:
        summary = self._summary(path)
        module = self._files[path]
        if summary is None:
            return _unresolved("syntax_error", str(path))
        head, *rest = dotted.split(".")
        function = summary.functions.get(scope) if scope else None
        while function is not None:
            binding = function.imports.get(head)
            if binding is not None:
                return self._follow(path, summary, binding, rest, visited)
            if head in function.locals:
                return self._local(path, summary, function, head, rest, visited)
            function = summary.functions.get(function.parent) if function.parent else None
        binding = summary.bindings.get(head)
        if binding is not None and binding.kind == "other":
            callee = summary.module_scope.instances.get(head)
            key = (str(path), f"<module>:{head}")
            if callee is not None and rest and key not in visited:
                return self._instance(path, callee, None, rest, visited | {key})
        return self._lookup(module, head, rest, visited)

    def _local(
        self,
        path: Path,
        summary: ModuleSummary,
        function: ScopeSummary,
        head: str,
        rest: list[str],
        visited: frozenset,
    ) -> _Res:
        """A name bound in ``function``: ``self`` / ``cls``, or an instance it created."""
        if (
            function.cls is not None
            and function.params
            and head == function.params[0]
            and "staticmethod" not in function.decorators
            and rest
        ):
            return self._method(self._files[path], function.cls, rest, visited)
        callee = function.instances.get(head)
        key = (str(path), f"{function.qualname}:{head}")
        if callee is not None and rest and key not in visited:
            return self._instance(path, callee, function.qualname, rest, visited | {key})
        return _unresolved("local", f"`{head}` is a local name of {function.qualname}")

    def _instance(
        self, path: Path, callee: str, scope: str | None, rest: list[str], visited: frozenset
    ) -> _Res:
        """``x = Trainer(...); x.fit()``: ``fit`` of the project class ``Trainer``."""
        res = self._resolve(path, callee, scope, visited)
        if res.kind == "symbol":
            symbol = res.value
            summary = self._summary(symbol.path)
            if summary is not None and symbol.qualname in summary.classes:
                return self._method(symbol.module, symbol.qualname, rest, visited)
        if res.kind == "external":
            return _Res("external", ".".join([res.value, *rest]))
        return _unresolved("local", f"`{callee}(...)` is not a project class")

    def _lookup(self, module: str, name: str, rest: list[str], visited: frozenset) -> _Res:
        """Attribute ``name`` of project module ``module`` (then ``rest`` of it)."""
        key = (module, name)
        if key in visited:
            return _unresolved("cycle", f"{module}.{name}")
        visited = visited | {key}
        path = self._modules.get(module)
        summary = self._summary(path) if path is not None else None
        if path is not None and summary is None:
            return _unresolved("syntax_error", str(path))
        if summary is not None:
            binding = summary.bindings.get(name)
            if binding is not None:
                return self._follow(path, summary, binding, rest, visited)  # type: ignore[arg-type]
        sub = self._submodule(module, name)
        if sub is not None:
            return self._attr_chain(sub, rest, visited)
        outside_star = None
        if summary is not None:
            for level, star, _ in reversed(summary.stars):
                target = (
                    self._relative_module(path, level, star)  # type: ignore[arg-type]
                    if level
                    else self._find_module(path, star)  # type: ignore[arg-type]
                )
                if target is None:
                    outside_star = outside_star or star
                    continue
                exported = self._exports(target)
                if exported is None or name in exported:
                    res = self._lookup(target, name, rest, visited)
                    if res.kind != "unresolved" or res.value.kind in (
                        "star_import",
                        "dynamic_import",
                    ):
                        return res
        if outside_star is not None:
            return _unresolved("star_import", outside_star)
        if name in BUILTIN_NAMES and path is not None:
            return _unresolved("builtin", name)
        return _unresolved("not_found", f"{module} has no `{name}`")

    def _exports(self, module: str) -> list[str] | None:
        path = self._modules.get(module)
        if path is None:
            return []  # a namespace package exports nothing by ``*``
        summary = self._summary(path)
        if summary is None:
            return []
        if summary.all_names is not None:
            return summary.all_names
        if summary.stars:
            return None  # re-exports another module's names: look them up
        return summary.exported_names()

    def _attr_chain(self, module: str, parts: list[str], visited: frozenset) -> _Res:
        if not parts:
            return _Res("module", module)
        return self._lookup(module, parts[0], parts[1:], visited)

    def _follow(
        self,
        path: Path,
        summary: ModuleSummary,
        binding: Binding,
        rest: list[str],
        visited: frozenset,
    ) -> _Res:
        module = self._files[path]
        kind = binding.kind
        if kind == "def":
            if rest:
                return _unresolved("not_a_function", f"attribute of function {binding.name}")
            symbol = self._symbol(module, binding.name)
            return _Res("symbol", symbol) if symbol else _unresolved("not_found", binding.name)
        if kind == "class":
            if rest:
                return self._method(module, binding.name, rest, visited)
            symbol = self._symbol(module, binding.name)
            return _Res("symbol", symbol) if symbol else _unresolved("not_found", binding.name)
        if kind == "import":
            target = self._find_module(path, binding.module)
            if target is None:
                return _Res("external", ".".join([binding.module, *rest]))
            return self._attr_chain(target, rest, visited)
        if kind == "from":
            if binding.level:
                base = self._relative_module(path, binding.level, binding.module)
                if base is None:
                    dots = "." * binding.level + binding.module
                    folder = (
                        path.parents[binding.level - 1]
                        if binding.level <= len(path.parents)
                        else None
                    )
                    if folder is not None and folder.is_relative_to(self.root):
                        return _unresolved("not_found", f"no module {dots} next to {path.name}")
                    return _unresolved("outside_project", dots)
            else:
                base = self._find_module(path, binding.module)
                if base is None:
                    return _Res("external", ".".join([binding.module, binding.name, *rest]))
            return self._lookup(base, binding.name, rest, visited)
        if kind == "alias":
            if (module, "=" + binding.name) in visited:
                return _unresolved("cycle", binding.name)
            return self._resolve(
                path,
                ".".join([binding.name, *rest]),
                None,
                visited | {(module, "=" + binding.name)},
            )
        if kind == "dynamic":
            return _unresolved("dynamic_import", binding.name or "importlib")
        return _unresolved("not_a_function", f"`{binding.name or 'name'}` is not a function")

    def _method(self, module: str, cls: str, rest: list[str], visited: frozenset) -> _Res:
        """Method ``rest[0]`` of project class ``cls`` in ``module``, or of its bases."""
        key = (module, cls + "#")
        if key in visited or len(rest) != 1:
            return _unresolved("not_found", f"{cls}.{'.'.join(rest)}")
        visited = visited | {key}
        path = self._modules.get(module)
        summary = self._summary(path) if path is not None else None
        if summary is None or cls not in summary.classes:
            return _unresolved("not_found", cls)
        record = summary.classes[cls]
        if rest[0] in record.methods:
            symbol = self._symbol(module, f"{cls}.{rest[0]}")
            if symbol is not None:
                return _Res("symbol", symbol)
        for base in record.bases:
            res = self._resolve(path, base, None, visited)  # type: ignore[arg-type]
            if res.kind == "symbol":
                found = self._method(res.value.module, res.value.qualname, rest, visited)
                if found.kind == "symbol":
                    return found
        return _unresolved("not_found", f"{cls} has no method `{rest[0]}`")

    def _resolve_call(self, path: Path, scope: ScopeSummary, dotted: str) -> _Res:
        """Resolution of a callee written in ``scope`` of ``path`` (memoised)."""
        key = (path, dotted, scope.qualname)
        res = self._resolved.get(key)
        if res is None:
            qualname = None if scope.qualname == "<module>" else scope.qualname
            res = self._resolved[key] = self._resolve(path, dotted, qualname, frozenset())
        return res

    def _qualify(self, path: Path, scope: ScopeSummary, dotted: str) -> str | None:
        res = self._resolve_call(path, scope, dotted)
        if res.kind == "symbol":
            return str(res.value)
        if res.kind in ("external", "module"):
            return res.value
        return None

    # -- linking: seeding helpers ----------------------------------------------------

    def _link(self) -> None:
        """Find the seeding helpers: resolve the calls that may seed, close the set of
        names a helper is known by over the project's text, and classify each helper.

        Only calls whose last name is a seeding function's or a seeding helper's (or an
        alias of one) are resolved. The names of module-level helpers that seed directly
        or only seed are searched for in every file (as imported or attribute names,
        :meth:`_grep`); a file that uses one is summarised and joins the search. The
        state is kept, so a file summarised later (:meth:`seeding_helper` on a function
        nobody summarised) resumes the search where it stopped.
        """
        state = self._link_state
        if state is None:
            state = self._link_state = _LinkState(names=set(_SEEDING_LAST))
        names, grep_names = state.names, state.grep_names
        while True:
            before = len(names)
            for path in sorted(self._eager - state.indexed):
                state.indexed.add(path)
                _index_calls(self._summaries.get(path), path, state.calls, state.aliases)
            _close_aliases(names, grep_names, state.aliases)
            for name in sorted(names):
                found = state.calls.get(name, ())
                for path, function, number in found[state.consumed.get(name, 0) :]:
                    self._classify_call(path, function, number, state.direct, state.helper_calls)
                state.consumed[name] = len(found)
            self._direct, self._helper_calls = state.direct, state.helper_calls
            self._seeding = self._seeding_closure(state.direct, state.helper_calls)
            only = self._only_seeding(sorted(self._seeding))
            for owner in self._seeding:
                name = owner[1].rsplit(".", 1)[-1]
                names.add(name)
                if "." not in owner[1] and (owner in state.direct or only[owner]):
                    grep_names.add(name)
            _close_aliases(names, grep_names, state.aliases)
            unscanned = grep_names - self._scanned_names
            if unscanned:
                self._grow(unscanned)
            elif len(names) == before and not (self._eager - state.indexed):
                break
        self._names = names
        self._classify()

    def _classify_call(
        self,
        path: Path,
        function: ScopeSummary,
        number: int,
        direct: dict[tuple[Path, str], list[tuple[int, str]]],
        helper_calls: dict[tuple[Path, str], list[tuple[int, Symbol]]],
    ) -> None:
        owner = (path, function.qualname)
        res = self._resolve_call(path, function, function.calls[number].dotted)
        target = str(res.value) if res.kind == "symbol" else res.value
        if res.kind in ("external", "symbol") and target in SEEDING_FUNCTIONS:
            # (inside torch itself, torch.manual_seed is a project function)
            direct.setdefault(owner, []).append((number, target))
        elif res.kind == "symbol" and self._is_function(res.value):
            helper_calls.setdefault(owner, []).append((number, res.value))

    def _is_function(self, symbol: Symbol) -> bool:
        summary = self._summary(symbol.path)
        return summary is not None and symbol.qualname in summary.functions

    def _grow(self, names: set[str]) -> None:
        """Summarise (eagerly) the files that contain any of ``names`` as a word."""
        self._scanned_names |= names
        for path in sorted(self._grep(names)):
            if path not in self._eager:
                self._eager.add(path)
                self._summary(path)

    def _grep(self, names: Iterable[str]) -> set[Path]:
        """Project files that can use any of ``names`` from another module: they import
        it, read it as an attribute (``utils.name``), or call it under a star import
        (memoised per name)."""
        wanted = sorted(n for n in names if n not in self._grep_memo)
        if wanted:
            words = [(n, n.encode()) for n in wanted]
            hits: dict[str, set[Path]] = {n: set() for n in wanted}
            for path in self._files:
                try:
                    data = _normalised(self._read(path))
                except OSError:
                    continue
                for name, raw in words:
                    if raw in data and _uses(data, raw):
                        hits[name].add(path)
            for name, found in hits.items():
                self._grep_memo[name] = frozenset(found)
        result: set[Path] = set()
        for name in names:
            result |= self._grep_memo.get(name, frozenset())
        return result

    def _seeding_closure(
        self,
        direct: dict[tuple[Path, str], list[tuple[int, str]]],
        helper_calls: dict[tuple[Path, str], list[tuple[int, Symbol]]],
    ) -> set[tuple[Path, str]]:
        """Functions that seed directly, or call one that does, to any depth."""
        seeding = set(direct)
        changed = True
        while changed:
            changed = False
            for owner, calls in helper_calls.items():
                if owner not in seeding and any((s.path, s.qualname) in seeding for _, s in calls):
                    seeding.add(owner)
                    changed = True
        return seeding

    def _only_seeding(self, owners: list[tuple[Path, str]]) -> dict[tuple[Path, str], bool]:
        """Which seeding functions only seed: the greatest fixpoint (helpers calling each
        other may all only seed)."""
        only = {owner: True for owner in owners}
        changed = True
        while changed:
            changed = False
            for owner in owners:
                if only[owner] and not self._only_seeds(owner, only):
                    only[owner] = False
                    changed = True
        return only

    def _classify(self) -> None:
        owners = sorted(self._seeding)
        only = self._only_seeding(owners)
        self._helpers = {}
        rngs: dict[tuple[Path, str], set[str]] = {
            owner: {r for _, q in self._direct.get(owner, []) for r in RNGS_OF.get(q, ())}
            for owner in owners
        }
        changed = True
        while changed:
            changed = False
            for owner in owners:
                for _, callee in self._helper_calls.get(owner, []):
                    extra = rngs.get((callee.path, callee.qualname), set()) - rngs[owner]
                    if extra:
                        rngs[owner] |= extra
                        changed = True
        self._rngs = {owner: frozenset(found) for owner, found in rngs.items()}
        workers = self._worker_targets()
        building: set[tuple[Path, str]] = set()
        for owner in owners:
            self._helper_info(owner, only, workers, building)

    def _function(self, owner: tuple[Path, str]) -> ScopeSummary:
        summary = self._summaries[owner[0]]
        assert summary is not None
        return summary.functions[owner[1]]

    def _seeding_call_kinds(self, owner: tuple[Path, str]) -> dict[int, tuple[str, Any]]:
        """Call number -> ("external", qualname) / ("helper", Symbol) for seeding calls."""
        found: dict[int, tuple[str, Any]] = {}
        for number, qualname in self._direct.get(owner, []):
            found[number] = ("external", qualname)
        for number, symbol in self._helper_calls.get(owner, []):
            if (symbol.path, symbol.qualname) in self._seeding:
                found[number] = ("helper", symbol)
        return found

    def _only_seeds(self, owner: tuple[Path, str], only: dict) -> bool:
        function = self._function(owner)
        if not function.body:
            return False
        kinds = self._seeding_call_kinds(owner)
        path = owner[0]

        def removable(stmt: StmtInfo) -> bool:
            if stmt.kind == "call":
                kind = kinds.get(stmt.call)
                if kind is None:
                    return False
                if kind[0] == "helper":
                    return only.get((kind[1].path, kind[1].qualname), False)
                return True
            if stmt.kind == "generated":
                return self._is_generated(path, function, stmt) or self._is_derivation(
                    function, stmt
                )
            if stmt.kind == "other" and stmt.what == "an assignment":
                return self._is_derivation(function, stmt)
            if stmt.kind == "if":
                return (
                    stmt.pure
                    and not stmt.orelse
                    and bool(stmt.body)
                    and all(removable(s) for s in stmt.body)
                )
            return False

        return all(removable(stmt) for stmt in function.body)

    def _is_generated(self, path: Path, function: ScopeSummary, stmt: StmtInfo) -> bool:
        """``seed = random.randint(...)``: a seed drawn at random (removable)."""
        return any(
            (self._qualify(path, function, source) or "").startswith(_RANDOM_SOURCES)
            for source in stmt.sources
        )

    def _is_derivation(self, function: ScopeSummary, stmt: StmtInfo) -> bool:
        """``seed = seed + rank`` / ``rank = dist.get_rank()``: only feeds the seeding."""
        for _, line, expr in function.assigns:
            if line == stmt.span[0]:
                calls = re.findall(r"([A-Za-z_][\w.]*)\s*\(", expr.text)
                return all(_last(c) in _DERIVE_CALLS for c in calls)
        return False

    def _worker_targets(self) -> set[Symbol]:
        """Functions handed to workers (``worker_init_fn=f``, ``Thread(target=f)``)."""
        found: set[Symbol] = set()
        for path in sorted(self._eager):
            summary = self._summaries.get(path)
            if summary is None:
                continue
            for scope in (summary.module_scope, *summary.functions.values()):
                for call in scope.calls:
                    for keyword, dotted in call.refs:
                        if keyword in _WORKER_KEYWORDS and _last(dotted) in self._names:
                            res = self._resolve_call(path, scope, dotted)
                            if res.kind == "symbol":
                                found.add(res.value)
        return found

    def _helper_info(
        self, owner: tuple[Path, str], only: dict, workers: set[Symbol], building: set
    ) -> SeedingHelper | None:
        path, qualname = owner
        module = self._files[path]
        symbol = self._symbol(module, qualname)
        assert symbol is not None
        if symbol in self._helpers:
            return self._helpers[symbol]
        if owner in building:
            return None  # a cycle: the callee's details are not needed for the caller's
        building.add(owner)
        function = self._function(owner)
        kinds = self._seeding_call_kinds(owner)
        calls: list[SeedingCallSite] = []
        via: list[Symbol] = []
        seed_param: SeedParam | None = None
        rank: RankTerm | None = None
        for number in sorted(kinds, key=lambda n: function.calls[n].span):
            kind, target = kinds[number]
            call = function.calls[number]
            location = Location.of(path, call.span)
            if kind == "external":
                call_rngs = RNGS_OF.get(target, frozenset())
                calls.append(SeedingCallSite(location, target, call_rngs, call.statement))
                arg = _seed_argument(call, 0, ("seed", "a", "new_seed"))
                inherited_rank = None
            else:
                callee = self._helper_info((target.path, target.qualname), only, workers, building)
                call_rngs = self._rngs.get((target.path, target.qualname), frozenset())
                via.append(target)
                calls.append(
                    SeedingCallSite(location, str(target), call_rngs, call.statement, target)
                )
                arg, inherited_rank = None, None
                if callee is not None and callee.seed_param is not None:
                    shift = 1 if self._bound_call(target, call) else 0
                    index = callee.seed_param.index
                    arg = _seed_argument(
                        call,
                        None if index is None else index - shift,
                        (callee.seed_param.name,),
                    )
                if callee is not None and callee.rank_term is not None:
                    inherited_rank = self._rank_through(path, function, call, callee, target)
            if arg is not None:
                param, arg_rank = self._trace(path, function, arg, call.span[0], 0)
                seed_param = seed_param or param
                rank = rank or arg_rank
            rank = rank or inherited_rank
        statements = tuple(
            Location.of(path, span) for span in self._seeding_statements(function.body, kinds, path)
        )
        other = tuple(
            dict.fromkeys(self._describe(path, function, s, kinds, only) for s in function.body)
        )
        other = tuple(o for o in other if o)
        helper = SeedingHelper(
            symbol=symbol,
            kind="only_seeds" if only.get(owner) else "mixed",
            rngs=self._rngs[owner],
            seed_param=seed_param,
            rank_term=rank,
            statements=statements,
            calls=tuple(calls),
            via=tuple(dict.fromkeys(via)),
            location=Location.of(path, function.span),
            per_worker=bool(_THREAD_FUNCTION.search(function.name)) or symbol in workers,
            other=() if only.get(owner) else other,
            decorators=tuple(function.decorators),
        )
        self._helpers[symbol] = helper
        building.discard(owner)
        return helper

    def _bound_call(self, target: Symbol, call: CallInfo) -> bool:
        """``self.seed_all(x)`` / ``obj.seed_all(x)``: the method's first parameter is bound."""
        summary = self._summaries.get(target.path)
        function = summary.functions.get(target.qualname) if summary else None
        if function is None or function.cls is None or "staticmethod" in function.decorators:
            return False
        head = call.dotted.split(".")[0]
        return head != function.cls.split(".")[0]

    def _rank_through(
        self,
        path: Path,
        function: ScopeSummary,
        call: CallInfo,
        callee: SeedingHelper,
        target: Symbol,
    ) -> RankTerm | None:
        """The rank a caller passes to a helper that takes it as a parameter, or the
        helper's own rank term (``seed + get_rank()`` inside it)."""
        rank = callee.rank_term
        if rank is None:
            return None
        if rank.param is None:
            return rank
        shift = 1 if self._bound_call(target, call) else 0
        index = None if rank.index is None else rank.index - shift
        arg = _seed_argument(call, index, (rank.param,))
        if arg is None:
            return rank
        param = (
            _param_of(function, arg.terms[0].names[0]) if arg.terms and arg.terms[0].names else None
        )
        return RankTerm(
            arg.text,
            Location.of(path, arg.span),
            Location.of(path, arg.span),
            "",
            param[0] if param else None,
            param[1] if param else None,
        )

    def _trace(
        self, path: Path, function: ScopeSummary, expr: ExprInfo, line: int, depth: int
    ) -> tuple[SeedParam | None, RankTerm | None]:
        """Where a seed argument comes from: the parameter, and a rank term added to it."""
        rank: RankTerm | None = None
        ranks = [t for t in expr.terms if t.kind == "rank"]
        if ranks and len(expr.terms) > 1:
            term = ranks[0]
            rest = " + ".join(t.text for t in expr.terms if t is not term)
            rank_param = _param_of(function, term.value) if term.names == (term.value,) else None
            rank = RankTerm(
                term.text,
                Location.of(path, term.span),
                Location.of(path, expr.span),
                rest,
                rank_param[0] if rank_param else None,
                rank_param[1] if rank_param else None,
            )
        for term in expr.terms:
            if term.kind == "rank":
                continue
            if term.kind == "attr":
                head, _, attribute = term.value.partition(".")
                found = _param_of(function, head)
                if found:
                    return (
                        SeedParam(found[0], found[1], attribute, function.defaults.get(head)),
                        rank,
                    )
            for name in term.names:
                assigned = _last_assignment(function, name, line) if depth < 4 else None
                if assigned is not None:  # ``seed = seed + rank`` before the call
                    param, inner = self._trace(path, function, assigned[1], assigned[0], depth + 1)
                    if param is not None or inner is not None:
                        return param, rank or inner
                found = _param_of(function, name)
                if found:
                    return SeedParam(found[0], found[1], None, function.defaults.get(name)), rank
        return None, rank

    def _seeding_statements(
        self, body: Iterable[StmtInfo], kinds: dict[int, tuple[str, Any]], path: Path
    ) -> Iterator[Span]:
        """Outermost statements that only seed (guards lifted), for a targeted removal."""
        for stmt in body:
            if stmt.kind == "call":
                if stmt.call in kinds:
                    yield stmt.span
            elif stmt.kind == "if":
                inner = list(self._seeding_statements(stmt.body, kinds, path))
                whole = (
                    stmt.pure
                    and not stmt.orelse
                    and inner
                    and len(inner) == len(stmt.body)
                    and all(s.kind == "call" for s in stmt.body)
                )
                if whole:
                    yield stmt.span
                else:
                    yield from inner
                    yield from self._seeding_statements(stmt.orelse, kinds, path)
            elif stmt.kind == "block":
                yield from self._seeding_statements(stmt.body, kinds, path)

    def _describe(
        self,
        path: Path,
        function: ScopeSummary,
        stmt: StmtInfo,
        kinds: dict[int, tuple[str, Any]],
        only: dict,
    ) -> str:
        """What a non-seeding statement of a mixed helper does ("" when it seeds)."""
        if stmt.kind == "call":
            kind = kinds.get(stmt.call)
            if kind is None:
                dotted = function.calls[stmt.call].dotted
                return (
                    "logging"
                    if re.search(r"(^|\.)(print|log\w*|logger|warn\w*)$", dotted, re.I)
                    else f"calls {dotted}()"
                )
            if kind[0] == "helper" and not only.get((kind[1].path, kind[1].qualname)):
                return f"calls {kind[1]}(), which does more than seeding"
            return ""
        if stmt.kind == "if":
            parts = [
                self._describe(path, function, s, kinds, only) for s in (*stmt.body, *stmt.orelse)
            ]
            parts = [p for p in parts if p]
            if not parts and not stmt.pure:
                return "a condition with side effects"
            if not parts and stmt.orelse:
                return "an if/else"
            return ", ".join(dict.fromkeys(parts))
        if stmt.kind == "block":
            parts = [self._describe(path, function, s, kinds, only) for s in stmt.body]
            return ", ".join(dict.fromkeys(p for p in parts if p)) or "a with/try block"
        if stmt.kind == "generated":
            seeding = self._is_generated(path, function, stmt) or self._is_derivation(
                function, stmt
            )
            return "" if seeding else "an assignment"
        if stmt.what == "an assignment" and self._is_derivation(function, stmt):
            return ""
        return stmt.what

    # -- public: seeding helpers -----------------------------------------------------

    @property
    def seeding_helpers(self) -> dict[Symbol, SeedingHelper]:
        """Every project function that seeds global RNGs, by symbol."""
        return dict(sorted(self._helpers.items()))

    def seeding_helper(self, symbol: Symbol | None) -> SeedingHelper | None:
        """The classification of ``symbol`` if it seeds global RNGs, else ``None``.

        A function in a file the build did not summarise is classified now (its file is
        summarised and the search resumes from it).
        """
        if symbol is None:
            return None
        if symbol not in self._helpers and symbol.path in self._files:
            if symbol.path not in self._eager:
                self._eager.add(symbol.path)
                self._link()
        return self._helpers.get(symbol)

    # -- public: argparse ------------------------------------------------------------

    def argparse_function(self, symbol: Symbol | None) -> ArgparseFunction | None:
        """``symbol``'s argparse role and seed option, if it builds a parser."""
        if symbol is None:
            return None
        if symbol not in self._argparse:
            self._argparse[symbol] = None  # a cycle of helpers passing parsers around
            self._argparse[symbol] = self._compute_argparse(symbol)
        return self._argparse[symbol]

    @property
    def argparse_functions(self) -> dict[Symbol, ArgparseFunction]:
        """The argparse functions of every summarised module (all those with a seed
        option among them: a seed option is in a summarised file by construction)."""
        found = {}
        for path in sorted(self._summaries):
            summary = self._summaries[path]
            if summary is None:
                continue
            for qualname, function in summary.functions.items():
                if function.argparse is not None:
                    symbol = self._symbol(self._files[path], qualname)
                    info = self.argparse_function(symbol)
                    if info is not None and symbol is not None:
                        found[symbol] = info
        return found

    def _compute_argparse(self, symbol: Symbol) -> ArgparseFunction | None:
        summary = self._summary(symbol.path)
        function = summary.functions.get(symbol.qualname) if summary else None
        if function is None or function.argparse is None:
            return None
        info = function.argparse
        path = symbol.path
        params = [
            p
            for p in (*function.params, *function.kwonly)
            if p in info.receivers or p in info.groups.values()
        ]
        if not (info.parsers or params or info.returns_parse_of or info.parsed):
            return None  # touches no parser of its own
        parsers = {
            var
            for var, dotted in info.parsers.items()
            if self._qualify(path, function, dotted) == "argparse.ArgumentParser"
        }
        built_by: dict[str, ArgparseFunction] = {}
        parser_like = {
            *info.receivers,
            *info.groups.values(),
            *info.parsed.values(),
            *info.returns_parse_of,
            *info.returns_names,
        }
        for var, callee in function.instances.items():
            if var in parsers or var not in parser_like:
                continue
            res = self._resolve_call(path, function, callee)
            if res.kind == "symbol":
                other = self.argparse_function(res.value)
                if other is not None and other.returns == "parser":
                    built_by[var] = other
        roots = parsers | set(built_by) | set(params)
        groups = {g for g, owner in info.groups.items() if owner in roots}
        receivers = roots | groups
        option = None
        for found in info.options:
            if found.receiver in receivers:
                option = SeedOption(
                    Location.of(path, found.span),
                    found.dest,
                    found.options,
                    found.default,
                    found.type,
                )
                break
        if option is None:
            option = self._option_from_calls(path, function, receivers)
        if option is None:
            for other in built_by.values():
                if other.seed_option is not None:
                    option = other.seed_option
                    break
        returns = None
        if any(r in roots for r in info.returns_parse_of) or any(
            info.parsed.get(n) in roots for n in info.returns_names
        ):
            returns = "args"
        elif any(n in (parsers | set(built_by)) for n in info.returns_names):
            returns = "parser"
        if returns is None and not params:
            return None
        return ArgparseFunction(symbol, returns, option, params[0] if params else None)

    def _option_from_calls(
        self, path: Path, function: ScopeSummary, receivers: set[str]
    ) -> SeedOption | None:
        """``add_train_args(parser)``: the seed option a callee adds to the parser."""
        for call in function.calls:
            if call.args is None:
                continue
            for position, arg in enumerate(call.args):
                if arg is None or len(arg.terms) != 1 or arg.terms[0].kind != "name":
                    continue
                if arg.terms[0].value not in receivers:
                    continue
                res = self._resolve_call(path, function, call.dotted)
                if res.kind != "symbol":
                    continue
                other = self.argparse_function(res.value)
                callee = self._summary(res.value.path)
                target = callee.functions.get(res.value.qualname) if callee else None
                if other is None or target is None or other.seed_option is None:
                    continue
                shift = 1 if self._bound_call(res.value, call) else 0
                if position + shift < len(target.params) and (
                    target.params[position + shift] == other.parser_param
                ):
                    return other.seed_option
        return None

    # -- public: entry scripts and callers -------------------------------------------

    @property
    def entry_scripts(self) -> dict[str, EntryScript]:
        """Modules that start a program, by module name (see :class:`EntryScript`)."""
        if self._entry_memo is None:
            self._entry_memo = self._find_entry_scripts()
        return dict(self._entry_memo)

    def _find_entry_scripts(self) -> dict[str, EntryScript]:
        found: dict[str, EntryScript] = {}
        for module, function, kind in self._entry_points:
            key = None
            for base in (self._src, self._name_base, self.root):
                if base is not None and key is None:
                    key = self._module_at(base, module.split("."))
            path = self._modules.get(key) if key else None
            if key and path:
                found.setdefault(key, EntryScript(key, path, kind, function or None))
        for path in sorted(self._entry_candidates):
            summary = self._summary(path)
            if summary is not None and summary.main_guard is not None:
                module = self._files[path]
                found.setdefault(
                    module, EntryScript(module, path, "main_guard", None, summary.main_guard)
                )
        for path, module in self._files.items():
            if path.name == "__main__.py":
                found.setdefault(module, EntryScript(module, path, "main_module"))
        return dict(sorted(found.items()))

    def is_entry_script(self, path: Path | str) -> bool:
        """Whether file ``path`` is one of :attr:`entry_scripts`."""
        module = self.module_name(path)
        return module is not None and module in self.entry_scripts

    def callers(self, symbol: Symbol) -> tuple[CallEdge, ...]:
        """Every place in the project that calls ``symbol`` (or passes it as an
        argument), resolved through imports, ``self`` and local instances of project
        classes. Callers at a module's top level are ``Symbol(module, "<module>", ...)``.
        """
        if symbol in self._callers_memo:
            return self._callers_memo[symbol]
        names = {symbol.name}
        files: set[Path] = {symbol.path} if symbol.path in self._files else set()
        todo = set(names)
        while todo:
            files |= self._grep(todo)
            for path in sorted(files):
                self._summary(path)
            before = set(names)
            self._aliases_in(files, names)
            todo = names - before
        edges: list[CallEdge] = []
        for path in sorted(files):
            summary = self._summaries.get(path)
            if summary is None:
                continue
            module = self._files[path]
            for scope in (summary.module_scope, *summary.functions.values()):
                caller = Symbol(
                    module,
                    scope.qualname,
                    path,
                    scope.span[0] if scope.qualname != "<module>" else 1,
                )
                for call in scope.calls:
                    if _last(call.dotted) in names:
                        res = self._resolve_call(path, scope, call.dotted)
                        if res.kind == "symbol" and res.value == symbol:
                            edges.append(
                                CallEdge(caller, symbol, Location.of(path, call.span), "call")
                            )
                    for _, dotted in call.refs:
                        if _last(dotted) in names:
                            res = self._resolve_call(path, scope, dotted)
                            if res.kind == "symbol" and res.value == symbol:
                                edges.append(
                                    CallEdge(
                                        caller,
                                        symbol,
                                        Location.of(path, call.span),
                                        "reference",
                                        call.dotted,
                                    )
                                )
        result = tuple(sorted(edges, key=lambda e: (str(e.location.path), e.location.pos, e.kind)))
        self._callers_memo[symbol] = result
        return result

    def _aliases_in(self, files: Iterable[Path], names: set[str]) -> None:
        for path in files:
            summary = self._summaries.get(path)
            if summary is None:
                continue
            for bindings in (summary.bindings, *(f.imports for f in summary.functions.values())):
                for local, binding in bindings.items():
                    if (binding.kind == "from" and binding.name in names) or (
                        binding.kind == "alias" and _last(binding.name) in names
                    ):
                        names.add(local)

    def _edges_up(self, symbol: Symbol) -> Iterator[CallEdge]:
        """Every call edge on a chain of calls that ends at ``symbol``, walked up level
        by level (each caller once; a module's top level ends a chain)."""
        seen = {symbol}
        level = [symbol]
        while level:
            self._grep({s.name for s in level})  # one pass over the files per level
            following = []
            for current in level:
                for edge in self.callers(current):
                    yield edge
                    caller = edge.caller
                    if caller.qualname != "<module>" and caller not in seen:
                        seen.add(caller)
                        following.append(caller)
            level = following

    def entry_scripts_reaching(self, symbol: Symbol) -> tuple[str, ...]:
        """The entry scripts from whose top-level code (or console-script function) a
        chain of calls reaches ``symbol``, by module name, sorted."""
        entries = self.entry_scripts
        functions = {(e.module, e.function) for e in entries.values() if e.function is not None}
        reached: set[str] = set()
        if (symbol.module, symbol.qualname) in functions:
            reached.add(symbol.module)
        for edge in self._edges_up(symbol):
            caller = edge.caller
            if caller.qualname == "<module>":
                if caller.module in entries:
                    reached.add(caller.module)
            elif (caller.module, caller.qualname) in functions:
                reached.add(caller.module)
        return tuple(sorted(reached))

    def started_in_new_process(self, symbol: Symbol) -> CallEdge | None:
        """A place where ``symbol``, or a function that calls it, is handed to a call
        that runs it in a new process (``mp.Process(target=...)``, ``mp.spawn(...)``,
        ``pool.map(...)``): seeding state set up by the parent does not reach it there.
        ``None`` when there is none."""
        return next(
            (e for e in self._edges_up(symbol) if e.kind == "reference" and starts_process(e.via)),
            None,
        )

    # -- serialisation ---------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The index as plain JSON data (no pickle): the file list, every summary
        computed so far and the declared entry points; :meth:`from_json` relinks it."""
        rel = self._relative
        return {
            "format": INDEX_FORMAT,
            "root": str(self.root),
            "exclude": list(self.exclude),
            "files": [rel(p) for p in self._files],
            "summaries": {
                rel(p): None if s is None else s.to_json()
                for p, s in sorted(self._summaries.items())
            },
            "keys": {rel(p): k for p, k in sorted(self._keys.items())},
            "eager": sorted(rel(p) for p in self._eager),
            "entry_candidates": sorted(rel(p) for p in self._entry_candidates),
            "entry_points": [list(e) for e in self._entry_points],
            "scanned_names": sorted(self._scanned_names),
        }

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectIndex:
        """Rebuild an index from :meth:`to_json` (``ValueError`` for another format)."""
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise ValueError("not a project index of the current format")
        root = Path(data["root"])
        index = cls(root, [root / f for f in data["files"]], exclude=data["exclude"])
        for rel, summary in data["summaries"].items():
            index._summaries[root / rel] = (
                None if summary is None else ModuleSummary.from_json(summary)
            )
        index._keys = {root / rel: key for rel, key in data["keys"].items()}
        index._eager = {root / rel for rel in data["eager"]}
        index._entry_candidates = {root / rel for rel in data["entry_candidates"]}
        index._entry_points = [tuple(e) for e in data["entry_points"]]
        index._scanned_names = set(data["scanned_names"])
        index._link()
        return index

    def file_keys(self) -> dict[Path, str]:
        """:func:`summary_key` of every summarised file: what a cache stores them under."""
        return dict(self._keys)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None  # the caller's cache stays with the caller
        return state


# -- helpers --------------------------------------------------------------------------


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _innermost_function(summary: ModuleSummary, line: int) -> str | None:
    best = None
    best_size = None
    for qualname, function in summary.functions.items():
        start, _, end, _ = function.span
        if start <= line <= end and (best_size is None or end - start < best_size):
            best, best_size = qualname, end - start
    return best


def _param_of(function: ScopeSummary, name: str) -> tuple[str, int | None] | None:
    if name in function.params:
        return name, function.params.index(name)
    if name in function.kwonly:
        return name, None
    return None


def _last_assignment(function: ScopeSummary, name: str, line: int) -> tuple[int, ExprInfo] | None:
    found = None
    for target, assigned_line, expr in function.assigns:
        if target == name and assigned_line < line:
            found = (assigned_line, expr)
    return found


def _seed_argument(call: CallInfo, index: int | None, keywords: tuple[str, ...]) -> ExprInfo | None:
    if call.kwargs:
        for keyword, value in call.kwargs:
            if keyword in keywords:
                return value
    if call.args is not None and index is not None and 0 <= index < len(call.args):
        return call.args[index]
    return None


_STAR_IMPORT = re.compile(rb"import\s*\*")


def _uses(data: bytes, name: bytes) -> bool:
    """Whether ``data`` can use ``name`` from another module: ``x.name``,
    ``import ... name`` (on one line, continued, or parenthesised), or ``name(`` after
    a star import. (A file that merely defines or calls its own ``name`` does not.)"""
    star: bool | None = None
    start = data.find(name)
    while start != -1:
        end = start + len(name)
        if (start == 0 or data[start - 1] not in _IDENTIFIER) and (
            end == len(data) or data[end] not in _IDENTIFIER
        ):
            line_start = data.rfind(b"\n", 0, start) + 1
            before = data[line_start:start].rstrip()
            if before.endswith(b".") and not before.endswith(b".."):
                return True
            if _in_import(data, line_start, start):
                return True
            if not before.endswith(b"."):
                if star is None:
                    star = _STAR_IMPORT.search(data) is not None
                if star and data[end : end + 64].lstrip().startswith(b"("):
                    return True
        start = data.find(name, end)
    return False


def _in_import(data: bytes, line_start: int, position: int) -> bool:
    """The name at ``position`` is part of an import statement."""
    if b"import" in data[line_start:position]:
        return True
    previous = line_start - 1  # a backslash-continued import
    while previous > 0:
        prev_start = data.rfind(b"\n", 0, previous) + 1
        line = data[prev_start:previous].rstrip(b"\r")
        if not line.endswith(b"\\"):
            break
        if b"import" in line:
            return True
        previous = prev_start - 1
    opening = data.rfind(b"import", 0, position)  # from m import (\n a,\n name)
    return (
        opening != -1
        and data[opening + 6 : position].lstrip().startswith(b"(")
        and data.find(b")", opening, position) == -1
    )


@dataclass
class _LinkState:
    """Where the link step's search stands (resumed when more files are summarised)."""

    names: set[str]
    grep_names: set[str] = field(default_factory=set)
    direct: dict[tuple[Path, str], list[tuple[int, str]]] = field(default_factory=dict)
    helper_calls: dict[tuple[Path, str], list[tuple[int, Symbol]]] = field(default_factory=dict)
    calls: dict[str, list[tuple[Path, ScopeSummary, int]]] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    consumed: dict[str, int] = field(default_factory=dict)
    indexed: set[Path] = field(default_factory=set)


def _index_calls(
    summary: ModuleSummary | None,
    path: Path,
    calls: dict[str, list[tuple[Path, ScopeSummary, int]]],
    aliases: dict[str, set[str]],
) -> None:
    """Add a summary's function calls (by callee's last name) and its import aliases
    (by the name they import) to the link step's indexes."""
    if summary is None:
        return
    for function in summary.functions.values():
        for number, call in enumerate(function.calls):
            calls.setdefault(_last(call.dotted), []).append((path, function, number))
    for bindings in (summary.bindings, *(f.imports for f in summary.functions.values())):
        for local, binding in bindings.items():
            if binding.kind == "from":
                source = binding.name
            elif binding.kind == "alias":
                source = _last(binding.name)
            else:
                continue
            if source != local:
                aliases.setdefault(source, set()).add(local)


def _close_aliases(names: set[str], grep_names: set[str], aliases: dict[str, set[str]]) -> None:
    """``from .utils import set_seed as seed_all``: ``seed_all`` is a helper's name too."""
    todo = [n for n in names if n in aliases]
    while todo:
        name = todo.pop()
        for local in aliases.get(name, ()):
            if name in grep_names and local not in grep_names:
                grep_names.add(local)
                todo.append(local)
            if local not in names:
                names.add(local)
                todo.append(local)
