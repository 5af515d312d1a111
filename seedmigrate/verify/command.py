"""The ``seedmigrate verify`` subcommand: its arguments and its entry point.

Exit codes: 0 the script is deterministic and resumes exactly; 1 it is not (the reasons
are printed and written to ``report.json``); 2 the check could not run (bad arguments,
or a run that crashed, timed out or printed no losses; its command and the tail of its
output are printed).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from seedmigrate.verify.losses import DEFAULT_LOSS_REGEX, LOSS_FORMATS, LossFormatError, LossReader
from seedmigrate.verify.plots import PlottingUnavailable, write_figures
from seedmigrate.verify.report import build_report, write_report
from seedmigrate.verify.runner import (
    DEFAULT_RESUME_ARGS,
    EXPERIMENTS,
    HALF,
    RESUME,
    CommandError,
    CommandTemplate,
    Plan,
    RunResult,
    Schedule,
    make_plan,
    run_plan,
)
from seedmigrate.verify.stats import evaluate, series_stats

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
DEFAULT_EPOCHS = 4

DESCRIPTION = """\
Prove that a training script is deterministic and resumes exactly. With a fixed seed:
(1) train X epochs; (2) train X/2 epochs and save a checkpoint; (3) resume from it to
epoch X. Without a seed: (4) train X epochs. Each is repeated N times; the training loss
of every step must match between (1), (2) and (3), and (4) must spread. For training
counted in iterations, give --iters N instead of --epochs X.
"""

EPILOG = """\
placeholders: {epochs} (X, or X/2 for experiment 2), {seed}, {ckpt} (a fresh path per
save/resume pair), {start_epoch} (X/2); with --iters N: {iters} (N, or N/2 for
experiment 2) and {start_iter} (N/2) instead of {epochs} and {start_epoch}. The command
is split like a shell would (shlex) and run without a shell, from the current folder.

example:
  seedmigrate verify --epochs 4 --repeats 4 --out verify-out \\
      --seed-arg "--seed {seed}" --save-arg "--save {ckpt}.keras" \\
      --resume-arg "--resume {ckpt}.keras --initial-epoch {start_epoch}" \\
      -- python train.py --epochs {epochs}

exit codes: 0 pass, 1 fail, 2 could not run.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``verify`` options to ``parser`` (the subcommand's parser)."""
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    run = parser.add_argument_group("what to run")
    run.add_argument(
        "--cmd",
        metavar="COMMAND",
        help="the training command, with {epochs} or {iters} (or give it after `--`)",
    )
    run.add_argument(
        "train_command",
        nargs="*",
        metavar="-- COMMAND",
        help="the training command, after `--` (instead of --cmd)",
    )
    run.add_argument(
        "--seed-arg",
        default="--seed {seed}",
        metavar="ARGS",
        help="appended to seeded runs (1-3), left out of run 4 (default: %(default)r)",
    )
    run.add_argument(
        "--save-arg",
        default="--save {ckpt}",
        metavar="ARGS",
        help="appended to run 2 to save a checkpoint (default: %(default)r)",
    )
    run.add_argument(
        "--resume-arg",
        metavar="ARGS",
        help=(
            "appended to run 3 to resume from it (default: "
            f"{DEFAULT_RESUME_ARGS['epochs']!r}; with --iters: {DEFAULT_RESUME_ARGS['iters']!r})"
        ),
    )
    method = parser.add_argument_group("the experiment")
    length = method.add_mutually_exclusive_group()
    length.add_argument(
        "--epochs",
        type=int,
        metavar="X",
        help=f"epochs of a full run, {{epochs}} in the command (default: {DEFAULT_EPOCHS})",
    )
    length.add_argument(
        "--iters",
        type=int,
        metavar="N",
        help="iterations of a full run, {iters} in the command (instead of --epochs)",
    )
    method.add_argument(
        "--repeats",
        type=int,
        default=4,
        metavar="N",
        help="repeats of each experiment, at least 2 (default: 4)",
    )
    method.add_argument(
        "--seed", type=int, default=1234, help="the fixed seed of runs 1-3 (default: 1234)"
    )
    method.add_argument(
        "--atol",
        type=float,
        default=0.0,
        help="largest loss difference still counted as equal (default: 0, bit for bit)",
    )
    losses = parser.add_argument_group("reading the loss")
    losses.add_argument(
        "--loss-format",
        choices=LOSS_FORMATS,
        default="regex",
        help="how the script prints its loss (default: regex)",
    )
    losses.add_argument(
        "--loss-regex",
        default=DEFAULT_LOSS_REGEX,
        metavar="REGEX",
        help="with --loss-format regex: group 1 of each match is a loss (default: %(default)r)",
    )
    losses.add_argument(
        "--loss-key",
        metavar="KEY",
        help="JSON key of the loss (default: train_loss for dllogger, loss for jsonl)",
    )
    execution = parser.add_argument_group("running")
    execution.add_argument(
        "-j", "--jobs", type=int, default=1, metavar="N", help="runs in parallel (default: 1)"
    )
    execution.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="limit for one run (default: none)"
    )
    execution.add_argument(
        "--out",
        type=Path,
        default=Path("verify-out"),
        metavar="DIR",
        help="folder for report.json, figures and run logs (default: verify-out)",
    )
    execution.add_argument(
        "--keep-checkpoints",
        action="store_true",
        help="keep the checkpoints under DIR/checkpoints (deleted by default)",
    )


def run(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    """Run the verification described by ``args``; return the exit code."""
    out = stdout or sys.stdout
    try:
        schedule, template, reader = _configure(args)
    except (CommandError, LossFormatError, ValueError) as exc:
        print(f"seedmigrate verify: error: {exc}", file=sys.stderr)
        return EXIT_ERROR

    out_dir: Path = args.out
    length = {schedule.unit: schedule.total}
    plan = make_plan(template, repeats=args.repeats, seed=args.seed, out_dir=out_dir, **length)
    print(
        f"seedmigrate verify: {len(plan.runs)} runs ({len(EXPERIMENTS)} experiments × "
        f"{args.repeats} repeats), {schedule.describe()}, seed {args.seed}, "
        f"{args.jobs} in parallel",
        file=out,
        flush=True,
    )
    with _stop_runs_on_sigterm():
        results = _run_with_progress(plan, reader, args)
    config = _config(args, schedule, template, reader)

    broken = [result for result in results if not result.ok]
    if broken or len(results) < len(plan.runs):
        for result in broken:
            print(f"\n{result.spec.name} {result.problem()}:", file=out)
            print(f"  command: {shlex.join(result.spec.argv)}", file=out)
            if not result.losses and result.returncode == 0:
                print(f"  no loss found with {reader.describe()}", file=out)
            print(_indent(result.output_tail()), file=out)
        losses = _losses_by_experiment([r for r in results if r.ok])
        stats = {key: series_stats(series) for key, series in losses.items()}
        reasons = [f"{r.spec.name} {r.problem()}: {shlex.join(r.spec.argv)}" for r in broken]
        report = build_report(
            verdict="error",
            exit_code=EXIT_ERROR,
            reasons=reasons,
            checks=[],
            config=config,
            results=results,
            stats=stats,
            seeded_spread=None,
            unseeded_spread=None,
        )
        path = write_report(report, out_dir)
        print(
            f"\nERROR: the check could not run; logs in {out_dir / 'logs'}, report {path}", file=out
        )
        return EXIT_ERROR

    losses = _losses_by_experiment(results)
    verdict = evaluate(losses, atol=args.atol, **length)
    exit_code = EXIT_PASS if verdict.passed else EXIT_FAIL
    report = build_report(
        verdict="pass" if verdict.passed else "fail",
        exit_code=exit_code,
        reasons=verdict.reasons,
        checks=verdict.checks,
        config=config,
        results=results,
        stats=verdict.stats,
        seeded_spread=verdict.seeded_spread,
        unseeded_spread=verdict.unseeded_spread,
    )
    report_path = write_report(report, out_dir)

    for passed, message in verdict.outcomes:
        print(f"  {'ok  ' if passed else 'FAIL'}  {message}", file=out)
    if verdict.passed:
        print("PASS: deterministic with a seed, exact after resume, random without.", file=out)
    else:
        print(f"FAIL: {len(verdict.reasons)} rule(s) broken, see above.", file=out)
    print(f"report: {report_path}", file=out)

    total = len(verdict.stats["full"].mean) if verdict.stats.get("full") else 0
    resume_offset = verdict.half_steps
    if resume_offset is None:
        resume_offset = total - min((len(s) for s in losses[RESUME.key]), default=0)
    offsets = {HALF.key: 0, RESUME.key: resume_offset}
    shown = [Path(template.command[0]).name, *template.command[1:]]
    title = f"{' '.join(shown)} — {schedule.describe()}, {args.repeats} repeats"
    try:
        figures = write_figures(
            losses, verdict.stats, offsets, out_dir, title=title, unit=schedule.unit
        )
    except PlottingUnavailable as exc:
        print(f"figures skipped: {exc}", file=out)
    else:
        print(f"figures: {', '.join(str(path) for path in figures)}", file=out)
    return exit_code


def _configure(args: argparse.Namespace) -> tuple[Schedule, CommandTemplate, LossReader]:
    if args.cmd and args.train_command:
        raise CommandError("give the training command once: either --cmd or after `--`")
    command = args.cmd if args.cmd else list(args.train_command)
    if args.iters is not None:
        schedule, option = Schedule(args.iters, "iters"), "--iters"
    else:
        epochs = DEFAULT_EPOCHS if args.epochs is None else args.epochs
        schedule, option = Schedule(epochs, "epochs"), "--epochs"
    if schedule.total < 2:
        raise ValueError(
            f"{option} must be at least 2 to split the run in halves, not {schedule.total}"
        )
    if args.repeats < 2:
        raise ValueError(f"--repeats must be at least 2 to compare repeats, not {args.repeats}")
    if args.jobs < 1:
        raise ValueError(f"-j/--jobs must be at least 1, not {args.jobs}")
    # NaN passes every comparison above: it would only fail after every run has finished.
    if not math.isfinite(args.atol):
        raise ValueError(f"--atol must be a finite number, not {args.atol}")
    if args.atol < 0:
        raise ValueError(f"--atol must not be negative, not {args.atol}")
    if args.timeout is not None and not math.isfinite(args.timeout):
        raise ValueError(
            f"--timeout must be a finite number of seconds, not {args.timeout} "
            "(leave it out for no limit)"
        )
    if args.timeout is not None and args.timeout <= 0:
        raise ValueError(f"--timeout must be positive, not {args.timeout}")
    template = CommandTemplate.from_strings(
        command,
        seed_arg=args.seed_arg,
        save_arg=args.save_arg,
        resume_arg=args.resume_arg,
        unit=schedule.unit,
    )
    reader = LossReader(format=args.loss_format, regex=args.loss_regex, key=args.loss_key)
    _make_out_dir(args.out)  # last: a usage error above leaves no folder behind
    return schedule, template, reader


def _make_out_dir(out_dir: Path) -> None:
    """Create ``--out`` (parents too), or say why it cannot be a folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"--out {out_dir} exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out {out_dir} cannot be created: {exc.strerror or exc}") from None


def _config(
    args: argparse.Namespace, schedule: Schedule, template: CommandTemplate, reader: LossReader
) -> dict:
    epochs = schedule.unit == "epochs"
    return {
        "unit": schedule.unit,
        "epochs": schedule.total if epochs else None,
        "start_epoch": schedule.start if epochs else None,
        "iters": None if epochs else schedule.total,
        "start_iter": None if epochs else schedule.start,
        "repeats": args.repeats,
        "seed": args.seed,
        "atol": args.atol,
        "jobs": args.jobs,
        "timeout": args.timeout,
        "cwd": str(Path.cwd()),
        "command": list(template.command),
        "seed_arg": list(template.seed_arg),
        "save_arg": list(template.save_arg),
        "resume_arg": list(template.resume_arg),
        "loss_format": reader.format,
        "loss_regex": reader.regex if reader.format == "regex" else None,
        "loss_key": reader.effective_key if reader.format != "regex" else None,
    }


def _losses_by_experiment(results: list[RunResult]) -> dict[str, list[list[float]]]:
    losses: dict[str, list[list[float]]] = {e.key: [] for e in EXPERIMENTS}
    for result in results:
        losses[result.spec.experiment.key].append(list(result.losses))
    return losses


@contextlib.contextmanager
def _stop_runs_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so the runs in flight are killed, not orphaned.

    Runs live in their own process groups (so a timeout can kill their children), which
    also means a signal sent to verify alone does not reach them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_with_progress(plan: Plan, reader: LossReader, args: argparse.Namespace) -> list[RunResult]:
    """Run the plan with a rich progress bar on a terminal, plain lines otherwise."""
    total = len(plan.runs)
    common = {
        "jobs": args.jobs,
        "timeout": args.timeout,
        "log_dir": args.out / "logs",
        "keep_checkpoints": args.keep_checkpoints,
    }
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task("verify", total=total)

            def advance(result: RunResult) -> None:
                progress.update(task, advance=1, description=_line(result))

            return run_plan(plan, reader, on_result=advance, **common)

    done = 0
    lock = threading.Lock()

    def report_line(result: RunResult) -> None:
        nonlocal done
        with lock:
            done += 1
            print(f"[{done}/{total}] {_line(result)}", file=sys.stderr, flush=True)

    return run_plan(plan, reader, on_result=report_line, **common)


def _line(result: RunResult) -> str:
    status = result.problem() or f"{len(result.losses)} losses"
    return f"{result.spec.name}: {status} ({result.duration_s:.1f} s)"


def _indent(text: str, prefix: str = "  | ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
