"""One source through the stages: read bytes -> parse -> analyse -> fix -> verify.

Every kind of source (a ``.py`` file, a notebook, stdin) takes the same stages: the
kinds differ only in how their bytes become the code to analyse and back, and where a
finding is shown (:class:`seedmigrate.sources.Source`).

Runs in worker processes for ``-j``; everything it returns is picklable. Nothing is
written here: the CLI decides what to write, and writes atomically.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seedmigrate.analysis import make_facts
from seedmigrate.analysis.context import parse
from seedmigrate.analysis.model import Finding
from seedmigrate.config import Config
from seedmigrate.engine import analyse_facts, might_need_analysis
from seedmigrate.files import SourceError, read_bytes
from seedmigrate.sources import Source, open_source

if TYPE_CHECKING:
    from seedmigrate.analysis.crossmodule import ProjectView
    from seedmigrate.projectrun import ProjectSetup


@dataclass
class FileResult:
    """What happened to one file.

    ``findings`` and ``remaining`` are where the user sees them; ``new_text`` is the
    fixed version of ``source.text``.
    """

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: Finding | None = None  # SEED000
    source: Source | None = None
    new_text: str | None = None  # set by fix() when the file changes
    remaining: list[Finding] = field(default_factory=list)  # after fixing
    digest: str | None = None  # content hash, set by check_file when the bytes were read
    #: The parsed source, kept from analysis to fixing in one process (never sent back).
    tree: ast.Module | None = field(default=None, repr=False, compare=False)
    #: The findings on ``source.code``, before :meth:`Source.locate` (what the fixes
    #: take), kept from analysis to fixing in one process (never sent back).
    analysed: list[Finding] = field(default_factory=list, repr=False, compare=False)
    #: The file calls ``seeder.init``, or will once migrated (entry scripts, for the
    #: library modules whose functions they run).
    initialises: bool = False
    #: The runtime's alias in the file (``seeder``), to spot ``init`` in a fixed text.
    seeder_alias: str = field(default="seeder", repr=False, compare=False)
    #: The analysis consulted the project index (its findings depend on other files).
    used_project: bool = False

    @property
    def changed(self) -> bool:
        return (
            self.new_text is not None
            and self.source is not None
            and (self.new_text != self.source.text)
        )


def _error(
    path: str, message: str, line: int = 1, column: int = 1, cell: int | None = None
) -> Finding:
    return Finding("SEED000", message, line, column, line, column, False, (), path, cell)


def error_result(
    name: str, message: str, line: int = 1, column: int = 1, cell: int | None = None
) -> FileResult:
    """The result for a path that could not be processed at all: one SEED000 error."""
    result = FileResult(name)
    result.error = _error(name, message, line, column, cell)
    return result


def analyse_file(
    path: Path,
    config: Config,
    *,
    data: bytes | None = None,
    display: str | None = None,
    force: bool = False,
    project: ProjectView | None = None,
) -> FileResult:
    """Read and analyse one source (``data`` instead of reading, for stdin), of the
    kind its suffix says (:func:`seedmigrate.sources.open_source`).

    A file without any token a rule looks for is not even parsed, unless ``force``
    (files named on the command line are always parsed, so their syntax errors show).
    """
    name = display or str(path)
    try:
        source = open_source(path, data)
    except SourceError as exc:
        return error_result(name, exc.message, exc.line, exc.column, exc.cell)
    result = FileResult(name, source=source)
    code = source.code
    if not force and not might_need_analysis(code):
        return result
    try:
        tree = parse(code, name)
    except SyntaxError as exc:
        error = _error(name, f"cannot parse: {exc.msg}", exc.lineno or 1, max(exc.offset or 1, 1))
        result.error = source.locate([error], code)[0]
        return result
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, deep nesting
        result.error = source.locate([_error(name, f"cannot parse: {exc}")], code)[0]
        return result
    from seedmigrate.analysis.migration import has_init, init_plan

    facts = make_facts(code, tree, config, project)
    result.analysed = analyse_facts(facts, name)
    result.findings = source.locate(result.analysed, code)
    result.tree = tree
    result.initialises = has_init(facts) or init_plan(facts) is not None
    result.seeder_alias = facts.ctx.seeder_name
    result.used_project = project is not None and project.consulted
    return result


def fix_file(result: FileResult, config: Config, project: ProjectView | None = None) -> FileResult:
    """Apply the fixable findings under the guarantees (:mod:`seedmigrate.fixing`); the
    output is re-parsed and re-analysed.

    If the fixes cannot be applied at all, nothing changes and a SEED000 error says why.
    """
    from seedmigrate.fixing import fix_text
    from seedmigrate.transforms import FixError

    source = result.source
    if source is None or result.error is not None:
        return result
    if not any(finding.fixable for finding in result.analysed):
        result.remaining = list(result.findings)
        return result
    not_applied = f"fix not applied, {source.kind} left unchanged"
    try:
        fixed = fix_text(
            source.code,
            result.analysed,
            config,
            result.path,
            tree=result.tree,
            project=project,
        )
        new_text = source.text_of(fixed.text)
    except (FixError, SyntaxError, SourceError) as exc:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        result.error = _error(result.path, f"{not_applied}: {message}")
        return result
    except RecursionError:
        result.error = _error(
            result.path,
            f"{not_applied}: too deeply nested for the rewriter "
            "(libcst); split the most deeply nested expression",
        )
        return result
    except Exception as exc:  # noqa: BLE001 - a bug in a fix must not cost the user a file
        result.error = _error(
            result.path,
            f"{not_applied}: internal error {type(exc).__name__}: {exc}",
        )
        return result
    # libcst's round trip drops some form feeds: put back those of lines it kept (a
    # finding on such a line may then be one column early)
    result.new_text = new_text
    result.remaining = source.locate(fixed.findings, fixed.text)
    result.initialises = f"{result.seeder_alias}.init(" in fixed.text or (
        result.initialises and not any(f.code == "SEED005" for f in result.findings)
    )
    return result


def process_file(
    path: Path,
    config: Config,
    fix: bool,
    force: bool = False,
    *,
    data: bytes | None = None,
    display: str | None = None,
    project: ProjectView | None = None,
) -> FileResult:
    """Analyse one source (or ``data`` read from stdin, reported as ``display``), and
    fix it when ``fix``: the unit of work for ``-j``. ``project``: the file's view of
    its project.

    An unexpected exception becomes a SEED000 error for this file alone: the other
    files are still processed and no traceback reaches the user.
    """
    name = display or str(path)
    try:
        result = analyse_file(
            path, config, data=data, display=display, force=force, project=project
        )
        if fix:
            result = fix_file(result, config, project)
        result.tree = None  # large, and never needed past this point
        result.analysed = []
        return result
    except RecursionError:
        return error_result(name, "too deeply nested to analyse, file left unchanged")
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed silently
        return error_result(
            name, f"internal error, file left unchanged: {type(exc).__name__}: {exc}"
        )


def content_digest(data: bytes) -> str:
    """The hash a file's cached findings are keyed by (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_file(
    path: Path, config: Config, force: bool = False, project: ProjectView | None = None
) -> FileResult:
    """What ``check`` needs from one file: its findings or error, and its content digest.

    The source is dropped from the result: ``check`` never writes, and sending every
    file's bytes and text back from the worker processes cost more than analysing them.
    ``digest`` stays ``None`` when the file could not be read or analysis failed
    unexpectedly, so that such a result is never cached.
    """
    name = str(path)
    try:
        data = read_bytes(path)
    except SourceError as exc:
        return error_result(name, exc.message, exc.line, exc.column)
    result = process_file(path, config, False, force, data=data, display=name, project=project)
    if result.error is not None and result.error.message.startswith("internal error"):
        return result  # never cached: the next run tries again
    result.source = None
    result.digest = content_digest(data)
    return result


def _check_one(job: tuple[Path, bool], config: Config, setup=None) -> FileResult:
    return check_file(job[0], config, job[1], _view(setup, job[0]))


def _process_one(job: tuple[Path, bool], config: Config, fix: bool, setup=None) -> FileResult:
    return process_file(job[0], config, fix, job[1], project=_view(setup, job[0]))


def _view(setup, path: Path) -> ProjectView | None:
    return None if setup is None else setup.view(path)


def _in_order(work, paths: Sequence[Path], forced: Sequence[bool], jobs: int):
    """``work((path, force))`` for every path, in order, on ``jobs`` worker processes.

    A worker that dies (killed, out of memory) costs only the file it was on, which
    gets a SEED000 result; see :mod:`seedmigrate.workers`.
    """
    items = list(zip(paths, forced, strict=True))
    if jobs <= 1 or len(items) < 2:
        yield from map(work, items)
        return
    from seedmigrate.workers import map_in_order

    # Files cost from microseconds (skipped by the pre-filter) to seconds (a huge
    # module): small chunks keep both workers busy to the end.
    chunksize = max(1, min(16, len(items) // (jobs * 4)))
    yield from map_in_order(work, items, jobs, _failed_in_worker, chunksize=chunksize)


def _failed_in_worker(item: tuple[Path, bool], why: str) -> FileResult:
    return error_result(str(item[0]), why)


def check_files(
    paths: Sequence[Path],
    forced: Sequence[bool],
    config: Config,
    jobs: int,
    setup: ProjectSetup | None = None,
) -> Iterator[FileResult]:
    """:func:`check_file` over ``paths``, in order, on ``jobs`` worker processes; with a
    project ``setup``, entry scripts first, then the library modules."""
    from functools import partial

    def work(paths_, forced_, setup_):
        return _in_order(partial(_check_one, config=config, setup=setup_), paths_, forced_, jobs)

    yield from _phased(work, paths, forced, setup)


def process_files(
    paths: Sequence[Path],
    forced: Sequence[bool],
    config: Config,
    fix: bool,
    jobs: int,
    setup: ProjectSetup | None = None,
) -> Iterator[FileResult]:
    """:func:`process_file` over ``paths``, in order, on ``jobs`` worker processes; with
    a project ``setup``, entry scripts first, then the library modules."""
    from functools import partial

    def work(paths_, forced_, setup_):
        return _in_order(
            partial(_process_one, config=config, fix=fix, setup=setup_), paths_, forced_, jobs
        )

    yield from _phased(work, paths, forced, setup)


def _phased(work, paths: Sequence[Path], forced: Sequence[bool], setup: ProjectSetup | None):
    """Run ``work`` over the entry scripts (and files outside the project), then, with
    the project as those leave it (:meth:`ProjectSetup.after`), over the library
    modules: their seeding helpers and parsers are migrated for the entry scripts that
    use them. Results come in ``paths`` order."""
    if setup is None:
        yield from work(paths, forced, None)
        return
    library = [setup.is_library(path) for path in paths]
    first = [i for i, lib in enumerate(library) if not lib]
    second = [i for i, lib in enumerate(library) if lib]
    results: dict[int, FileResult] = {}
    batch = work([paths[i] for i in first], [forced[i] for i in first], setup)
    for i, result in zip(first, batch, strict=True):
        results[i] = result
    if second:
        later = setup.after([results[i] for i in first], [paths[i] for i in first])
        batch = work([paths[i] for i in second], [forced[i] for i in second], later)
        for i, result in zip(second, batch, strict=True):
            results[i] = result
    for i in range(len(paths)):
        yield results[i]
