"""Command-line interface: orchestrates discovery, analysis, fixes, output and writes.

Exit codes (as ruff and flake8), decided by :func:`exit_code`: 0 nothing to do; 1
findings (``check``), changes that would be made (``apply --diff``) or withheld fixes
(SEED022); 2 usage error (found before any file is read), or a file that could not be
read, parsed or written (a SEED000 for that file; the others are still processed).
A source on stdin (``-``) takes the same path as a file. Neither torch nor TensorFlow
is imported on this path.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import TextIO

from seedmigrate import __version__
from seedmigrate.config import (
    Config,
    ConfigError,
    check_codes,
    check_config_codes,
    find_pyproject,
    load_config,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("text", "json", "github", "sarif")


class UsageError(Exception):
    """Bad command-line usage: printed as ``seedmigrate: error: ...``, exit 2."""


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _jobs_value(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"{jobs}: must be 1 or more (0: one per core)")
    return jobs


def _add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: .); - reads stdin"
    )
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="how findings are printed (default: text)",
    )
    parser.add_argument(
        "-o",
        "--output-file",
        type=Path,
        default=None,
        help="write the report to this file instead of the terminal",
    )
    parser.add_argument(
        "--stdin-filename",
        default=None,
        help="with -, the path the source on stdin stands for (messages, config matching)",
    )
    parser.add_argument("--select", type=_codes, default=None, help="only these codes/prefixes")
    parser.add_argument("--ignore", type=_codes, default=None, help="never these codes/prefixes")
    parser.add_argument(
        "--exclude",
        action="append",
        default=None,
        metavar="GLOB",
        help="paths to skip when walking folders, replacing the default excludes and the "
        "config's `exclude` (repeatable)",
    )
    parser.add_argument(
        "--extend-exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="paths to skip when walking folders, besides the excludes (repeatable)",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="pyproject.toml to read (default: nearest)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs_value,
        default=0,
        help="worker processes, at most one per core and per file "
        "(default or 0: one per core; 1: no worker processes)",
    )
    parser.add_argument("--statistics", action="store_true", help="print counts per rule")
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when findings are reported"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level ``seedmigrate`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="seedmigrate",
        description="Migrate ML training scripts to deterministic, resumable seeding.",
    )
    parser.add_argument("--version", action="version", version=f"seedmigrate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="report what still needs migrating (CI linter)")
    _add_file_options(check)
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write .seedmigrate_cache/ (also: SEEDMIGRATE_NO_CACHE=1)",
    )
    check.set_defaults(handler=run_check)

    apply = sub.add_parser("apply", help="migrate files in place (or show the diff)")
    _add_file_options(apply)
    apply.add_argument("--diff", action="store_true", help="print a unified diff, write nothing")
    apply.add_argument(
        "--summary",
        choices=("markdown",),
        default=None,
        help="report a merge-request description of the migration instead of findings",
    )
    apply.add_argument(
        "--interactive",
        action="store_true",
        help="review every hunk before it is written (y/n/a/d/q on stdin)",
    )
    apply.set_defaults(handler=run_apply)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    rules.set_defaults(handler=run_rules)

    rule = sub.add_parser("rule", help="explain one rule (code or slug)")
    rule.add_argument("code")
    rule.set_defaults(handler=run_rule)

    from seedmigrate.verify import command as verify_command

    verify = sub.add_parser("verify", help="prove a training script is deterministic and resumes")
    verify_command.add_arguments(verify)
    verify.set_defaults(handler=verify_command.run)
    return parser


# -- shared plumbing ---------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        pyproject: Path | None = args.config
    else:
        start = args.paths[0] if args.paths else Path.cwd()
        if _reads_stdin(args) and args.stdin_filename:
            start = Path(args.stdin_filename).absolute().parent
        pyproject = find_pyproject(start if os.path.lexists(start) else Path.cwd())
    from seedmigrate.rules import RULES_BY_CODE

    try:
        config = load_config(pyproject)
        check_config_codes(config, RULES_BY_CODE)
        if args.select is not None:
            check_codes(args.select, "--select", RULES_BY_CODE)
            config = replace(config, select=tuple(args.select))
        if args.ignore is not None:
            check_codes(args.ignore, "--ignore", RULES_BY_CODE)
            config = replace(config, ignore=config.ignore + tuple(args.ignore))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if args.exclude is not None:  # as ruff's: replaces the defaults and the config's
        config = replace(config, exclude=tuple(args.exclude))
    if args.extend_exclude:
        config = replace(config, extend_exclude=config.extend_exclude + tuple(args.extend_exclude))
    return config


def _is_dir(path: Path) -> bool:
    """``path.is_dir()`` that answers ``False`` instead of raising (no permission...)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _files(args: argparse.Namespace, config: Config) -> tuple[list[Path], list]:
    """The files to process, and a SEED000 result for each folder that cannot be listed.

    A path that does not exist is a usage error; one that exists but cannot be examined
    (no permission on a folder above it) is processed, so that reading it says why.
    """
    from seedmigrate.files import Unreadable, discover
    from seedmigrate.pipeline import error_result

    paths = args.paths or [Path(".")]
    for path in paths:
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise UsageError(f"no such file or directory: {path}") from exc
        except (OSError, ValueError):
            pass
    root = config.source.parent if config.source else Path.cwd()
    unreadable: list[Unreadable] = []
    files = list(discover(paths, config.excludes, root=root, errors=unreadable))
    return files, [error_result(str(u.path), u.message) for u in unreadable]


def _refuse_output_among(args: argparse.Namespace, files: Sequence[Path]) -> None:
    """Usage error when ``-o`` names one of ``files`` (by any name: links included),
    checked before anything is read, so the report can never replace a source."""
    if args.output_file is None:
        return
    try:
        out = os.stat(args.output_file)
    except (OSError, ValueError):
        return  # a file that does not exist yet is no input
    for path in files:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            continue
        if (info.st_dev, info.st_ino) == (out.st_dev, out.st_ino):
            raise UsageError(
                f"--output-file {args.output_file} is one of the inputs ({path}); "
                "the report would replace it: write it elsewhere"
            )


def _explicit(args: argparse.Namespace) -> set[Path]:
    return {p for p in args.paths if not _is_dir(p)}


def _cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _jobs(requested: int, count: int) -> int:
    """Worker processes for ``count`` files: ``-j`` (0: one per core), never more than
    the cores or the files, since more only cost memory and start-up time."""
    # a pool costs ~50 ms to start; not worth it for a handful of files
    if count < 8:
        return 1
    return max(1, min(requested or _cores(), _cores(), count))


def _process(
    files: Sequence[Path],
    config: Config,
    fix: bool,
    jobs: int,
    explicit: set[Path],
    setup=None,
) -> Iterator:
    """Results per file, in order; files named on the command line are always parsed."""
    from seedmigrate.pipeline import process_files

    forced = [path in explicit for path in files]
    yield from process_files(files, forced, config, fix, jobs, setup)


def _project(args: argparse.Namespace, config: Config, *, cache: bool):
    """The index of the project the paths belong to (``None`` for a lone script)."""
    from seedmigrate.cache import CACHE_DIR_NAME, cache_root
    from seedmigrate.projectrun import build_setup

    cache_dir = cache_root(config) / CACHE_DIR_NAME if cache else None
    return build_setup(args.paths or [Path(".")], config.exclude, cache_dir)


def _display(path: Path) -> str:
    """A path for diff headers: relative to the current folder, never starting with /."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path).lstrip("/")


@contextmanager
def _report_stream(args: argparse.Namespace, default: TextIO) -> Iterator[TextIO]:
    """Where the report goes: ``-o FILE`` when given, else ``default``."""
    if args.output_file is None:
        yield default
        return
    try:
        handle = open(args.output_file, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--output-file {args.output_file}: {exc.strerror or exc}") from exc
    with handle:
        yield handle


def _emit(
    findings: list,
    args: argparse.Namespace,
    files: int,
    summary: str | None,
    *,
    stream: TextIO | None = None,
    results: Sequence | None = None,
) -> None:
    """Write the report in ``--output-format`` (to ``-o``, else ``stream``/stdout)."""
    from seedmigrate.output import text

    fmt = args.output_format
    with _report_stream(args, stream or sys.stdout) as out:
        if fmt == "json":
            from seedmigrate.output.json import write_json

            write_json(findings, out)
        elif fmt == "github":
            from seedmigrate.output.github import write_github

            write_github(findings, out)
        elif fmt == "sarif":
            from seedmigrate.output.sarif import write_sarif

            sources = {r.path: r.source for r in results or () if r.source is not None}
            write_sarif(findings, out, sources)
        else:
            text.write_findings(findings, out)
        if args.statistics:
            text.write_statistics(findings, out if fmt == "text" else sys.stderr)
    if fmt == "text":
        text.write_summary(summary or text.check_summary(findings, files), sys.stderr)


# -- commands ----------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    """``seedmigrate check``: report, never write; unchanged files come from the cache."""
    if _reads_stdin(args):
        result, _ = _from_stdin(args, fix=False)
        return _report_check(args, 1, [result])
    from seedmigrate.cache import CheckCache, cache_disabled
    from seedmigrate.pipeline import check_files

    config = _config(args)
    files, unreadable = _files(args, config)
    _refuse_output_among(args, files)
    explicit = _explicit(args)
    if args.output_format == "sarif":
        # SARIF carries each fix's replacement text, so it needs the sources: no cache
        setup = _project(args, config, cache=False)
        jobs = _jobs(args.jobs, len(files))
        processed = list(_process(files, config, False, jobs, explicit, setup))
        return _report_check(args, len(files), unreadable + processed)
    forced = [path in explicit for path in files]
    cache = None if cache_disabled(args.no_cache) else CheckCache.open(config)
    project = None
    if cache is not None:
        from seedmigrate.analysis.project import project_root
        from seedmigrate.projectrun import stat_fingerprint

        roots = [p for p in (args.paths or [Path(".")]) if p.suffix == ".py" or p.is_dir()]
        project = stat_fingerprint(project_root(roots), config.exclude) if roots else ""
    results: list = [
        cache.lookup(p, f, project) if cache is not None else None
        for p, f in zip(files, forced, strict=True)
    ]
    todo = [i for i, result in enumerate(results) if result is None]
    setup = _project(args, config, cache=cache is not None) if todo else None
    if setup is not None:
        setup.known = {
            files[i].resolve(): r.initialises for i, r in enumerate(results) if r is not None
        }
    fresh = check_files(
        [files[i] for i in todo],
        [forced[i] for i in todo],
        config,
        _jobs(args.jobs, len(todo)),
        setup,
    )
    for i, result in zip(todo, fresh, strict=True):
        results[i] = result
        if cache is not None:
            cache.store(result, forced[i], project)
    if cache is not None:
        cache.save()
    return _report_check(args, len(files), unreadable + results)


def _report_check(args: argparse.Namespace, files: int, results: list) -> int:
    findings = []
    for result in results:
        if result.error is not None:
            findings.append(result.error)
        findings.extend(result.findings)
    sarif_results = results if args.output_format == "sarif" else []
    _emit(findings, args, files, None, results=sarif_results)
    return exit_code(args, results, check=True)


def exit_code(args: argparse.Namespace, results: Sequence, *, check: bool) -> int:
    """The exit status of ``check`` (``check=True``) or ``apply`` over ``results``.

    - 2: a file could not be read, parsed or written (it has a SEED000; the other
      files were still processed). A usage error, found before any file is read, is
      2 as well (:func:`main`).
    - 1: there is something to do: ``check`` reported findings; ``apply --diff``
      would change a file; ``apply`` withheld a fix (SEED022: it did not do all it
      was asked to). ``--exit-zero`` makes this 0.
    - 0: nothing to do.
    """
    if any(result.error is not None for result in results):
        return EXIT_ERROR
    if check:
        todo = any(result.findings for result in results)
    else:
        todo = (args.diff and any(result.changed for result in results)) or any(
            finding.code == "SEED022" for result in results for finding in result.remaining
        )
    return EXIT_FINDINGS if todo and not args.exit_zero else EXIT_OK


def run_apply(args: argparse.Namespace) -> int:
    """``seedmigrate apply``: fix in place, or print the diff (``--diff``); ``apply -``
    migrates the source on stdin (see :func:`_from_stdin`).

    A file that cannot be rewritten (read-only, edited while this ran, an encoding that
    cannot hold the new text, no permission) is a SEED000 for that file alone: it is
    left as it is and every other file still goes ahead.
    """
    if _reads_stdin(args):
        if args.interactive:
            raise UsageError("--interactive reads its answers from stdin; it cannot read - too")
        result, data = _from_stdin(args, fix=True)
        return _apply(args, [result], 1, stdin=data)
    if args.interactive and args.diff:
        raise UsageError("--interactive and --diff do not go together")
    started = time.time()
    config = _config(args)
    files, unreadable = _files(args, config)
    _refuse_output_among(args, files)
    review = _reviewer(args, config)
    from seedmigrate.cache import cache_disabled

    setup = _project(args, config, cache=not cache_disabled())
    jobs = _jobs(args.jobs, len(files))
    processed = _process(files, config, True, jobs, _explicit(args), setup)
    return _apply(
        args, chain(unreadable, processed), len(files), review=review, writer=_Writer(started)
    )


def _apply(
    args: argparse.Namespace,
    processed: Iterable,
    files: int,
    *,
    review=None,
    writer: _Writer | None = None,
    stdin: bytes | None = None,
) -> int:
    """Review, write (with ``writer``), diff and report the ``processed`` results of
    ``apply``. For ``apply -`` (``stdin``: the bytes read), the migrated source, or the
    input unchanged, goes to stdout instead of a file."""
    from seedmigrate.output.diff import unified_diff

    remaining = []
    results = []
    changed = 0
    for result in processed:
        if result.error is None and review is not None and result.changed:
            result = review(result)
        output = stdin
        if result.error is None and result.changed:
            try:
                output = _encoded(result)
                if writer is not None and not args.diff:
                    writer.write(Path(result.path), output, expected=result.source.raw)
            except _NotWritten as exc:
                result = _not_written(result, str(exc))
                output = stdin
        if stdin is not None and output is not None and not args.diff:
            sys.stdout.flush()
            sys.stdout.buffer.write(output)
            sys.stdout.buffer.flush()
        results.append(result)
        if result.error is not None:
            remaining.append(result.error)
            continue
        remaining.extend(f for f in result.remaining if not f.fixable)
        if not result.changed:
            continue
        changed += 1
        if args.diff:
            name = result.path if stdin is not None else _display(Path(result.path))
            sys.stdout.write(unified_diff(name, result.source.text, result.new_text))
    summary = _apply_summary(changed, remaining, args.diff)
    # stdout carries the patch (--diff) or the migrated source (-): the report goes to
    # stderr (or -o)
    stream = sys.stderr if args.diff or stdin is not None else sys.stdout
    if args.summary == "markdown":
        _emit_summary(results, args, stream, applied=not args.diff)
        sys.stderr.write(summary + "\n")
    else:
        _emit(remaining, args, files, summary, stream=stream)
    return exit_code(args, results, check=False)


class _NotWritten(Exception):
    """A changed file that is left as it is; the message says why."""


def _encoded(result) -> bytes:
    """The bytes ``apply`` would write for ``result`` (:class:`_NotWritten` if none can be)."""
    from seedmigrate.files import SourceError

    try:
        return result.source.encode(result.new_text)
    except SourceError as exc:
        raise _NotWritten(
            f"fix not applied, {result.source.kind} left unchanged: {exc.message}"
        ) from exc


def _not_written(result, message: str):
    """``result`` turned into a SEED000 for its file: nothing of it was written."""
    from seedmigrate.pipeline import error_result

    failed = error_result(result.path, message)
    return replace(result, error=failed.error, new_text=None, remaining=[])


class _Writer:
    """Writes one ``apply`` run's files, and in each folder it writes, first removes
    the temporaries that a killed earlier run (one started before ``started``) left."""

    def __init__(self, started: float) -> None:
        self.started = started
        self._swept: set[str] = set()

    def write(self, path: Path, data: bytes, *, expected: bytes) -> None:
        from seedmigrate.files import WriteError, remove_stale_temporaries, write_back

        folder = os.path.dirname(os.path.realpath(path))
        if folder not in self._swept:
            self._swept.add(folder)
            remove_stale_temporaries(Path(folder), self.started)
        try:
            write_back(path, data, expected=expected)
        except WriteError as exc:
            raise _NotWritten(exc.message) from exc


# -- integrations: stdin, merge-request summary, interactive review ---------------------


def _apply_summary(changed: int, remaining: Sequence, diff: bool) -> str:
    """``2 files changed; 1 finding need a human[; 1 file could not be read ...].``"""
    from seedmigrate.output.text import plural

    manual = sum(1 for f in remaining if f.code != "SEED000" and not f.fixable)
    failed = sum(1 for f in remaining if f.code == "SEED000")
    verb = "would be changed" if diff else "changed"
    summary = f"{plural(changed, 'file')} {verb}; {plural(manual, 'finding')} need a human"
    if failed:
        summary += (
            f"; {plural(failed, 'file')} could not be read, parsed or written (left untouched)"
        )
    return summary + "."


def _reads_stdin(args: argparse.Namespace) -> bool:
    return any(str(path) == "-" for path in args.paths)


def _from_stdin(args: argparse.Namespace, fix: bool):
    """``check -`` / ``apply -``: the result for the one source read from stdin, named
    by ``--stdin-filename`` (its suffix says which kind of source it is), and its bytes.

    ``apply -`` writes the migrated source to stdout (the input unchanged when nothing
    changes or the input cannot be parsed), or the diff with ``--diff``; findings and
    the summary go to stderr (or ``-o``), so the output can replace the file.
    """
    if len(args.paths) != 1:
        raise UsageError("- reads one source from stdin: name no other path with it")
    config = _config(args)
    name = args.stdin_filename or "-"
    path = Path(args.stdin_filename or "stdin.py")
    data = _read_stdin()
    from seedmigrate.pipeline import process_file

    return process_file(path, config, fix, True, data=data, display=name), data


def _read_stdin() -> bytes:
    """All of stdin (a usage error when it is closed or cannot be read)."""
    if sys.stdin is None:  # started with file descriptor 0 closed
        raise UsageError("cannot read stdin: it is closed")
    try:
        return sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError) as exc:
        raise UsageError(f"cannot read stdin: {exc}") from exc


def _emit_summary(
    results: Sequence, args: argparse.Namespace, stream: TextIO, *, applied: bool
) -> None:
    """``apply --summary markdown``: the migration as a merge-request description."""
    from seedmigrate.output.summary import write_markdown_summary

    with _report_stream(args, stream) as out:
        write_markdown_summary(results, out, applied=applied)


def _reviewer(args: argparse.Namespace, config: Config):
    """``apply --interactive``: a function that asks about each hunk of a result."""
    if not args.interactive:
        return None
    from seedmigrate.interactive import HunkReviewer

    return HunkReviewer(sys.stdin, sys.stdout, config=config, display=_display)


def run_rules(args: argparse.Namespace) -> int:
    """``seedmigrate rules``: one line per rule."""
    from seedmigrate.rules import ALL_RULES

    if args.output_format == "json":
        import json

        rows = [
            {"code": r.code, "slug": r.slug, "summary": r.summary, "fixable": r.fixable}
            for r in ALL_RULES
        ]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for rule in ALL_RULES:
        mark = "[*]" if rule.fixable else "[ ]"
        sys.stdout.write(f"{rule.code}  {mark}  {rule.slug:<28} {rule.summary}\n")
    sys.stdout.write("\n[*] fixed by `seedmigrate apply`; [ ] reported for a human.\n")
    return EXIT_OK


def run_rule(args: argparse.Namespace) -> int:
    """``seedmigrate rule SEED005``: what it does, why, how it is fixed, examples."""
    from seedmigrate.docs import rule_markdown
    from seedmigrate.rules import find_rule

    rule = find_rule(args.code)
    if rule is None:
        raise UsageError(f"unknown rule {args.code!r}; `seedmigrate rules` lists them")
    sys.stdout.write(rule_markdown(rule))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 findings, 2 usage/read errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return args.handler(args)
    except UsageError as exc:
        sys.stderr.write(f"seedmigrate: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("seedmigrate: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the user gets a message, not a traceback
        sys.stderr.write(f"seedmigrate: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_ERROR
