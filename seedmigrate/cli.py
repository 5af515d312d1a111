"""Command-line interface: orchestrates discovery, analysis, fixes, output and writes.

Exit codes (as ruff and flake8): 0 nothing to do; 1 findings (``check``) or changes
that would be made (``apply --diff``); 2 usage error, or a file that could not be
read or parsed. Neither torch nor TensorFlow is imported on this path.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from seedmigrate import __version__
from seedmigrate.config import Config, ConfigError, find_pyproject, load_config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage: printed as ``seedmigrate: error: ...``, exit 2."""


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    parser.add_argument(
        "--output-format",
        choices=("text", "json"),
        default="text",
        help="how findings are printed (default: text)",
    )
    parser.add_argument("--select", type=_codes, default=None, help="only these codes/prefixes")
    parser.add_argument("--ignore", type=_codes, default=None, help="never these codes/prefixes")
    parser.add_argument(
        "--exclude", action="append", default=[], help="glob of paths to skip (repeatable)"
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="pyproject.toml to read (default: nearest)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        help="worker processes (default: one per core; 1 = no pool)",
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
    apply.set_defaults(handler=run_apply)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    rules.set_defaults(handler=run_rules)

    rule = sub.add_parser("rule", help="explain one rule (code or slug)")
    rule.add_argument("code")
    rule.set_defaults(handler=run_rule)
    return parser


# -- shared plumbing ---------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        pyproject: Path | None = args.config
    else:
        start = args.paths[0] if args.paths else Path.cwd()
        pyproject = find_pyproject(start if start.exists() else Path.cwd())
    try:
        config = load_config(pyproject)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if args.select is not None:
        config = replace(config, select=tuple(args.select))
    if args.ignore is not None:
        config = replace(config, ignore=config.ignore + tuple(args.ignore))
    if args.exclude:
        config = replace(config, exclude=config.exclude + tuple(args.exclude))
    return config


def _files(args: argparse.Namespace, config: Config) -> list[Path]:
    from seedmigrate.files import discover

    paths = args.paths or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    root = config.source.parent if config.source else Path.cwd()
    return list(discover(paths, config.exclude, root=root))


def _explicit(args: argparse.Namespace) -> set[Path]:
    return {p for p in args.paths if p.is_file()}


def _jobs(requested: int, count: int) -> int:
    jobs = requested if requested > 0 else (os.cpu_count() or 1)
    # a pool costs ~50 ms to start; not worth it for a handful of files
    return 1 if count < 8 else min(jobs, count)


def _process(
    files: Sequence[Path], config: Config, fix: bool, jobs: int, explicit: set[Path]
) -> Iterator:
    """Results per file, in order; files named on the command line are always parsed."""
    from seedmigrate.pipeline import process_file

    forced = [path in explicit for path in files]
    if jobs <= 1:
        for path, force in zip(files, forced, strict=True):
            yield process_file(path, config, fix, force)
        return
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        work = partial(process_file, config=config, fix=fix)
        chunksize = max(1, len(files) // (jobs * 8))
        yield from pool.map(work, files, forced, chunksize=chunksize)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _emit(findings: list, args: argparse.Namespace, files: int, summary: str | None) -> None:
    from seedmigrate.output import text

    if args.output_format == "json":
        from seedmigrate.output.json import write_json

        write_json(findings, sys.stdout)
    else:
        text.write_findings(findings, sys.stdout)
    if args.statistics:
        text.write_statistics(findings, sys.stderr if args.output_format != "text" else sys.stdout)
    if args.output_format == "text":
        text.write_summary(summary or text.check_summary(findings, files), sys.stderr)


# -- commands ----------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    """``seedmigrate check``: report, never write; unchanged files come from the cache."""
    from seedmigrate.cache import CheckCache, cache_disabled
    from seedmigrate.pipeline import check_files

    config = _config(args)
    files = _files(args, config)
    explicit = _explicit(args)
    forced = [path in explicit for path in files]
    cache = None if cache_disabled(args.no_cache) else CheckCache.open(config)
    results: list = [
        cache.lookup(p, f) if cache is not None else None
        for p, f in zip(files, forced, strict=True)
    ]
    todo = [i for i, result in enumerate(results) if result is None]
    fresh = check_files(
        [files[i] for i in todo], [forced[i] for i in todo], config, _jobs(args.jobs, len(todo))
    )
    for i, result in zip(todo, fresh, strict=True):
        results[i] = result
        if cache is not None:
            cache.store(result, forced[i])
    if cache is not None:
        cache.save()
    findings = []
    errors = False
    for result in results:
        if result.error is not None:
            errors = True
            findings.append(result.error)
        findings.extend(result.findings)
    _emit(findings, args, len(files), None)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_OK


def run_apply(args: argparse.Namespace) -> int:
    """``seedmigrate apply``: fix in place, or print the diff (``--diff``)."""
    from seedmigrate.files import atomic_write
    from seedmigrate.output.diff import unified_diff
    from seedmigrate.output.text import plural

    config = _config(args)
    files = _files(args, config)
    remaining = []
    errors = False
    changed = 0
    for result in _process(files, config, True, _jobs(args.jobs, len(files)), _explicit(args)):
        if result.error is not None:
            errors = True
            remaining.append(result.error)
            continue
        remaining.extend(f for f in result.remaining if not f.fixable or args.diff)
        if not result.changed:
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(
                unified_diff(_display(Path(result.path)), result.source.text, result.new_text)
            )
        else:
            atomic_write(Path(result.path), result.source.encode(result.new_text))
    manual = [f for f in remaining if f.code != "SEED000" and not f.fixable]
    if args.diff:
        verb = "would be changed"
    else:
        verb = "changed"
    summary = f"{plural(changed, 'file')} {verb}; {plural(len(manual), 'finding')} need a human."
    if args.diff or args.output_format == "json":
        # findings go to stderr so the diff on stdout stays a clean patch
        from seedmigrate.output import text

        if args.output_format == "json" and not args.diff:
            _emit(remaining, args, len(files), summary)
        else:
            text.write_findings([f for f in remaining if not f.fixable], sys.stderr)
            text.write_summary(summary, sys.stderr)
    else:
        _emit([f for f in remaining if not f.fixable], args, len(files), summary)
    if errors:
        return EXIT_ERROR
    if args.diff and changed and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


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
