"""Build the command line of every run of the four experiments, and run them.

A run is one process of the training script. Its command is the user's command with
placeholders substituted, followed by the seed, save or resume arguments the experiment
needs. Commands are split with :func:`shlex.split` and run without a shell, from the
current folder; placeholders are substituted token by token, after splitting, so a
checkpoint path with spaces stays one argument.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from seedmigrate.verify.losses import LossReader

PLACEHOLDERS = ("epochs", "seed", "ckpt", "start_epoch")


@dataclass(frozen=True)
class Experiment:
    """One of the four experiments of the method."""

    key: str
    number: int
    title: str
    seeded: bool


FULL = Experiment("full", 1, "seeded, all epochs", seeded=True)
HALF = Experiment("half", 2, "seeded, first half, saves a checkpoint", seeded=True)
RESUME = Experiment("resume", 3, "seeded, resumed from the checkpoint", seeded=True)
UNSEEDED = Experiment("unseeded", 4, "no seed, all epochs", seeded=False)
EXPERIMENTS = (FULL, HALF, RESUME, UNSEEDED)


def experiment_label(experiment: Experiment) -> str:
    """``"experiment 3 (seeded, resumed from the checkpoint)"``."""
    return f"experiment {experiment.number} ({experiment.title})"


class CommandError(ValueError):
    """The command template cannot be used (empty, bad quoting, misplaced placeholder)."""


@dataclass(frozen=True)
class CommandTemplate:
    """The user's command and the per-experiment arguments, before substitution."""

    command: tuple[str, ...]
    seed_arg: tuple[str, ...] = ("--seed", "{seed}")
    save_arg: tuple[str, ...] = ("--save", "{ckpt}")
    resume_arg: tuple[str, ...] = ("--resume", "{ckpt}", "--initial-epoch", "{start_epoch}")

    @classmethod
    def from_strings(
        cls,
        command: str | Sequence[str],
        seed_arg: str = "--seed {seed}",
        save_arg: str = "--save {ckpt}",
        resume_arg: str = "--resume {ckpt} --initial-epoch {start_epoch}",
    ) -> CommandTemplate:
        """Split the strings with :func:`shlex.split` (``command`` may be a list already)."""
        tokens = tuple(command) if not isinstance(command, str) else _split(command, "--cmd")
        template = cls(
            command=tokens,
            seed_arg=_split(seed_arg, "--seed-arg"),
            save_arg=_split(save_arg, "--save-arg"),
            resume_arg=_split(resume_arg, "--resume-arg"),
        )
        template.validate()
        return template

    def validate(self) -> None:
        """Reject templates that cannot express the four experiments."""
        if not self.command:
            raise CommandError("the training command is empty; give --cmd or `-- command ...`")
        joined = " ".join(self.command)
        if "{epochs}" not in joined:
            raise CommandError(
                "the training command has no {epochs} placeholder, so the half and full "
                "runs would train for the same number of epochs"
            )
        for name in ("seed", "start_epoch"):
            if "{" + name + "}" in joined:
                where = "--seed-arg" if name == "seed" else "--resume-arg"
                raise CommandError(
                    f"{{{name}}} belongs in {where}, not in the training command "
                    "(it must be left out of some experiments)"
                )
        if not self.save_arg:
            raise CommandError("--save-arg is empty: experiment 2 must save a checkpoint")
        if not self.resume_arg:
            raise CommandError("--resume-arg is empty: experiment 3 must resume")

    def argv(
        self, experiment: Experiment, *, epochs: int, seed: int, ckpt: Path | str
    ) -> list[str]:
        """The command line of one run of ``experiment``, placeholders substituted."""
        start_epoch = epochs // 2
        tokens = list(self.command)
        if experiment.seeded:
            tokens += self.seed_arg
        if experiment is HALF:
            tokens += self.save_arg
        elif experiment is RESUME:
            tokens += self.resume_arg
        run_epochs = start_epoch if experiment is HALF else epochs
        values = {"epochs": run_epochs, "seed": seed, "ckpt": ckpt, "start_epoch": start_epoch}
        return [substitute(token, values) for token in tokens]


def substitute(token: str, values: dict[str, object]) -> str:
    """Replace ``{epochs}``, ``{seed}``, ``{ckpt}`` and ``{start_epoch}`` in ``token``.

    Only these names are replaced; other braces (a JSON argument, say) are left as they
    are, which :meth:`str.format` would not allow.
    """
    for name, value in values.items():
        token = token.replace("{" + name + "}", str(value))
    return token


def _split(text: str, option: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        raise CommandError(f"cannot split {option} {text!r}: {exc}") from exc


@dataclass(frozen=True)
class RunSpec:
    """One process to start: which experiment and repeat, and its command line."""

    experiment: Experiment
    repeat: int
    argv: tuple[str, ...]
    log_stem: str

    @property
    def name(self) -> str:
        """``"experiment 3, repeat 1"``."""
        return f"experiment {self.experiment.number}, repeat {self.repeat}"


@dataclass
class RunResult:
    """What one run did: exit status, output, losses and how long it took."""

    spec: RunSpec
    returncode: int | None
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    losses: list[float] = field(default_factory=list)
    start_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the process exited 0 and printed at least one loss."""
        return self.returncode == 0 and not self.timed_out and bool(self.losses)

    def problem(self) -> str:
        """Why the run is unusable, in one line (empty when it is fine)."""
        if self.start_error:
            return f"could not start: {self.start_error}"
        if self.timed_out:
            return f"timed out after {self.duration_s:.0f} s"
        if self.returncode != 0:
            return f"exited with status {self.returncode}"
        if not self.losses:
            return "printed no losses"
        return ""

    def output_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of stdout and of stderr, for error reports."""
        parts = []
        for stream, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            tail = text.rstrip("\n").splitlines()[-lines:]
            if tail:
                parts.append(f"--- {stream} (last {len(tail)} lines) ---")
                parts.extend(tail)
        return "\n".join(parts) if parts else "(no output)"


@dataclass(frozen=True)
class Chain:
    """Runs that must happen in order (a save, then its resume) and their checkpoint folder."""

    runs: tuple[RunSpec, ...]
    folder: Path


@dataclass(frozen=True)
class Plan:
    """Every run of a verification, grouped in chains so that each resume follows its save."""

    chains: tuple[Chain, ...]
    checkpoint_root: Path

    @property
    def runs(self) -> list[RunSpec]:
        """All runs, in the order they are started when ``-j 1``."""
        return [spec for chain in self.chains for spec in chain.runs]


def make_plan(
    template: CommandTemplate, *, epochs: int, repeats: int, seed: int, out_dir: Path
) -> Plan:
    """Lay out ``repeats`` repeats of the four experiments.

    Every chain gets a fresh folder under ``<out>/checkpoints/`` and ``{ckpt}`` is the path
    ``ckpt`` inside it: the save run (2) and the resume run (3) of a repeat share one
    chain, hence one checkpoint. Runs of experiments 1 and 4 get a path too, in case the
    training command itself uses ``{ckpt}``.
    """
    root = (out_dir / "checkpoints").resolve()
    chains: list[Chain] = []
    for repeat in range(repeats):
        for experiments in ((FULL,), (HALF, RESUME), (UNSEEDED,)):
            folder = root / f"{experiments[0].key}-repeat-{repeat}"
            runs = tuple(
                RunSpec(
                    experiment,
                    repeat,
                    tuple(
                        template.argv(experiment, epochs=epochs, seed=seed, ckpt=folder / "ckpt")
                    ),
                    f"{experiment.number}-{experiment.key}-repeat-{repeat}",
                )
                for experiment in experiments
            )
            chains.append(Chain(runs, folder))
    return Plan(tuple(chains), root)


class _ProcessRegistry:
    """Processes started and still running, so that an interrupt can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[str]] = set()
        self.stopping = False

    def add(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.stopping = True
            procs = list(self._procs)
        for proc in procs:
            _kill_tree(proc)


def _kill_tree(proc: subprocess.Popen[str]) -> None:
    """Kill a run and whatever it started (DataLoader workers, DDP ranks)."""
    if proc.poll() is not None:
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run_one(
    spec: RunSpec,
    reader: LossReader,
    *,
    timeout: float | None,
    log_dir: Path | None,
    registry: _ProcessRegistry | None = None,
) -> RunResult:
    """Run one process, capture its output and read its losses.

    Losses are read from stdout; when stdout has none (a script that logs through
    :mod:`logging`, which writes to stderr), from stderr. The two streams are kept apart
    because a framework's log lines on stderr could otherwise land inside a loss line.
    The run gets its own process group so a timeout kills its children too.
    """
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(spec.argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        return RunResult(spec, None, "", "", time.monotonic() - start, start_error=str(exc))
    if registry is not None:
        registry.add(proc)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_tree(proc)
        stdout, stderr = proc.communicate()
    finally:
        if registry is not None:
            registry.discard(proc)
    result = RunResult(
        spec, proc.returncode, stdout, stderr, time.monotonic() - start, timed_out=timed_out
    )
    result.losses = reader.read(stdout) or reader.read(stderr)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        (log_dir / f"{spec.log_stem}.stdout.txt").write_text(stdout, encoding="utf-8")
        (log_dir / f"{spec.log_stem}.stderr.txt").write_text(stderr, encoding="utf-8")
    return result


def run_plan(
    plan: Plan,
    reader: LossReader,
    *,
    jobs: int = 1,
    timeout: float | None = None,
    log_dir: Path | None = None,
    keep_checkpoints: bool = False,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run every chain of ``plan`` on ``jobs`` workers and return all results.

    A chain stops at its first unusable run (a resume cannot follow a failed save), and
    once any run fails no new chain is started: one crash usually means they all crash,
    and each run may take minutes. A repeat's checkpoints are deleted when its chain
    ends, unless ``keep_checkpoints``.
    """
    registry = _ProcessRegistry()
    failed = threading.Event()

    def run_chain(chain: Chain) -> list[RunResult]:
        results = []
        chain.folder.mkdir(parents=True, exist_ok=True)
        try:
            for spec in chain.runs:
                if failed.is_set() or registry.stopping:
                    break
                result = run_one(spec, reader, timeout=timeout, log_dir=log_dir, registry=registry)
                results.append(result)
                if on_result is not None:
                    on_result(result)
                if not result.ok:
                    failed.set()
                    break
        finally:
            if not keep_checkpoints:
                shutil.rmtree(chain.folder, ignore_errors=True)
        return results

    results: list[RunResult] = []
    executor = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [executor.submit(run_chain, chain) for chain in plan.chains]
    try:
        for future in futures:
            results.extend(future.result())
    except BaseException:
        registry.kill_all()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if not keep_checkpoints:
            _remove_if_empty(plan.checkpoint_root)
    order = {spec: index for index, spec in enumerate(plan.runs)}
    results.sort(key=lambda result: order[result.spec])
    return results


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
