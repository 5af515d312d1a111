"""Build the command line of every run of the four experiments, and run them.

A run is one process of the training script. Its command is the user's command with
placeholders substituted, followed by the seed, save or resume arguments the experiment
needs. Commands are split with :func:`shlex.split` and run without a shell, from the
current folder; placeholders are substituted token by token, after splitting, so a
checkpoint path with spaces stays one argument.
"""

from __future__ import annotations

import codecs
import contextlib
import locale
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from seedmigrate.verify.losses import LossReader

PLACEHOLDERS = ("epochs", "iters", "seed", "ckpt", "start_epoch", "start_iter")

_ENCODING = locale.getpreferredencoding(False)  # what text=True pipes would decode with

UNITS = ("epochs", "iters")
"""How a run's length is counted: ``--epochs X`` or ``--iters N``."""
_UNIT_WORDS = {"epochs": ("epoch", "epochs"), "iters": ("iteration", "iterations")}
_UNIT_PLACEHOLDERS = {"epochs": ("epochs", "start_epoch"), "iters": ("iters", "start_iter")}
DEFAULT_RESUME_ARGS = {
    "epochs": "--resume {ckpt} --initial-epoch {start_epoch}",
    "iters": "--resume {ckpt}",
}


@dataclass(frozen=True)
class Schedule:
    """How long a full run trains: ``total`` epochs or ``total`` iterations (``unit``).

    Experiment 2 trains the first :attr:`start` of them and saves; experiment 3 resumes
    there and trains to ``total``.
    """

    total: int
    unit: str = "epochs"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {self.unit!r}")

    @classmethod
    def of(cls, *, epochs: int | None = None, iters: int | None = None) -> Schedule:
        """The schedule of ``epochs=X`` or ``iters=N`` (exactly one of them)."""
        if (epochs is None) == (iters is None):
            raise TypeError("give either epochs or iters")
        if epochs is not None:
            return cls(epochs, "epochs")
        assert iters is not None
        return cls(iters, "iters")

    @property
    def start(self) -> int:
        """Where experiment 2 stops and experiment 3 resumes: half, rounded down."""
        return self.total // 2

    @property
    def noun(self) -> str:
        """``"epoch"`` or ``"iteration"``."""
        return _UNIT_WORDS[self.unit][0]

    def describe(self) -> str:
        """``"4 epochs"``, ``"100 iterations"``."""
        return f"{self.total} {_UNIT_WORDS[self.unit][1]}"

    def values(self, experiment: Experiment) -> dict[str, int]:
        """The unit's placeholders for one run of ``experiment``."""
        total_name, start_name = _UNIT_PLACEHOLDERS[self.unit]
        run_total = self.start if experiment is HALF else self.total
        return {total_name: run_total, start_name: self.start}


@dataclass(frozen=True)
class Experiment:
    """One of the four experiments of the method."""

    key: str
    number: int
    what: str  # "{units}" stands for "epochs" or "iterations"
    seeded: bool

    def title(self, unit: str = "epochs") -> str:
        """``"seeded, all epochs"``, ``"seeded, all iterations"``."""
        return self.what.format(units=_UNIT_WORDS[unit][1])


FULL = Experiment("full", 1, "seeded, all {units}", seeded=True)
HALF = Experiment("half", 2, "seeded, first half, saves a checkpoint", seeded=True)
RESUME = Experiment("resume", 3, "seeded, resumed from the checkpoint", seeded=True)
UNSEEDED = Experiment("unseeded", 4, "no seed, all {units}", seeded=False)
EXPERIMENTS = (FULL, HALF, RESUME, UNSEEDED)


def experiment_label(experiment: Experiment, unit: str = "epochs") -> str:
    """``"experiment 3 (seeded, resumed from the checkpoint)"``."""
    return f"experiment {experiment.number} ({experiment.title(unit)})"


class CommandError(ValueError):
    """The command template cannot be used (empty, bad quoting, misplaced placeholder)."""


@dataclass(frozen=True)
class CommandTemplate:
    """The user's command and the per-experiment arguments, before substitution.

    ``unit`` says which placeholders the command uses for the run's length: ``{epochs}``
    and ``{start_epoch}``, or ``{iters}`` and ``{start_iter}``.
    """

    command: tuple[str, ...]
    seed_arg: tuple[str, ...] = ("--seed", "{seed}")
    save_arg: tuple[str, ...] = ("--save", "{ckpt}")
    resume_arg: tuple[str, ...] = ("--resume", "{ckpt}", "--initial-epoch", "{start_epoch}")
    unit: str = "epochs"

    @classmethod
    def from_strings(
        cls,
        command: str | Sequence[str],
        seed_arg: str = "--seed {seed}",
        save_arg: str = "--save {ckpt}",
        resume_arg: str | None = None,
        *,
        unit: str = "epochs",
    ) -> CommandTemplate:
        """Split the strings with :func:`shlex.split` (``command`` may be a list already).

        ``resume_arg`` defaults to :data:`DEFAULT_RESUME_ARGS` of ``unit``.
        """
        if resume_arg is None:
            resume_arg = DEFAULT_RESUME_ARGS[unit]
        tokens = tuple(command) if not isinstance(command, str) else _split(command, "--cmd")
        template = cls(
            command=tokens,
            seed_arg=_split(seed_arg, "--seed-arg"),
            save_arg=_split(save_arg, "--save-arg"),
            resume_arg=_split(resume_arg, "--resume-arg"),
            unit=unit,
        )
        template.validate()
        return template

    def validate(self) -> None:
        """Reject templates that cannot express the four experiments."""
        if not self.command:
            raise CommandError("the training command is empty; give --cmd or `-- command ...`")
        joined = " ".join(self.command)
        total_name, start_name = _UNIT_PLACEHOLDERS[self.unit]
        everything = " ".join((*self.command, *self.seed_arg, *self.save_arg, *self.resume_arg))
        for unit, names in _UNIT_PLACEHOLDERS.items():
            for name, instead in zip(names, _UNIT_PLACEHOLDERS[self.unit], strict=True):
                if unit != self.unit and "{" + name + "}" in everything:
                    raise CommandError(
                        f"{{{name}}} is only filled in with --{unit}; this check counts "
                        f"{_UNIT_WORDS[self.unit][1]} (--{self.unit}): use {{{instead}}}"
                    )
        if "{" + total_name + "}" not in joined:
            raise CommandError(
                f"the training command has no {{{total_name}}} placeholder, so the half and "
                f"full runs would train for the same number of {_UNIT_WORDS[self.unit][1]}"
            )
        for name in ("seed", start_name):
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
        self,
        experiment: Experiment,
        *,
        seed: int,
        ckpt: Path | str,
        epochs: int | None = None,
        iters: int | None = None,
    ) -> list[str]:
        """The command line of one run of ``experiment``, placeholders substituted.

        ``epochs`` or ``iters`` (the one of the template's unit) is the full length.
        """
        schedule = Schedule.of(epochs=epochs, iters=iters)
        if schedule.unit != self.unit:
            raise TypeError(f"this template counts {self.unit}, not {schedule.unit}")
        tokens = list(self.command)
        if experiment.seeded:
            tokens += self.seed_arg
        if experiment is HALF:
            tokens += self.save_arg
        elif experiment is RESUME:
            tokens += self.resume_arg
        values = {**schedule.values(experiment), "seed": seed, "ckpt": ckpt}
        return [substitute(token, values) for token in tokens]


def substitute(token: str, values: Mapping[str, object]) -> str:
    """Replace the placeholders named in ``values`` (``{epochs}``, ``{seed}``...) in ``token``.

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
    """What one run did: exit status, losses, how long it took and its last lines.

    The whole output is in the run's log files; only the tail of each stream is kept
    here (for error messages), so a run that prints gigabytes costs no memory.
    """

    spec: RunSpec
    returncode: int | None
    stdout_tail: str
    stderr_tail: str
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
        """The last ``lines`` lines (at most :data:`TAIL_LINES`) of stdout and of stderr."""
        parts = []
        for stream, text in (("stdout", self.stdout_tail), ("stderr", self.stderr_tail)):
            tail = text.splitlines()[-lines:]
            if tail:
                parts.append(f"--- {stream} (last {len(tail)} lines) ---")
                parts.extend(tail)
        return "\n".join(parts) if parts else "(no output)"


TAIL_LINES = 40
"""Lines of each stream a :class:`RunResult` keeps for error messages."""
TAIL_LINE_CHARS = 2000
"""A longer line keeps only its two ends in the tail (the log has all of it)."""
MAX_LINE_CHARS = 1 << 20
"""A line without a break after this many characters is read for losses in pieces."""
_CHUNK_BYTES = 1 << 16
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines's


class _StreamCapture:
    """Read one output stream of a run to its end while the run goes on.

    Each chunk goes to the log file as it arrives (byte for byte), each complete line is
    read for losses, and only the last :data:`TAIL_LINES` lines are kept: memory stays
    bounded whatever the run prints. Runs in its own thread, so that neither stream's
    pipe fills up and blocks the run.
    """

    def __init__(
        self,
        pipe: IO[bytes] | None,
        read_line: Callable[[str], list[float]],
        log_path: Path | None,
    ) -> None:
        assert pipe is not None, "the run's stream is a pipe"
        self.losses: list[float] = []
        self._read_line = read_line
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._pending = ""
        self._thread = threading.Thread(target=self._pump, args=(pipe, log_path), daemon=True)
        self._thread.start()

    @property
    def tail(self) -> str:
        """The last lines read, joined with ``\\n``."""
        return "\n".join(self._tail)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the end of the stream; False if it is still open after ``timeout``."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _pump(self, pipe: IO[bytes], log_path: Path | None) -> None:
        decoder = codecs.getincrementaldecoder(_ENCODING)(errors="replace")
        log = None
        try:
            if log_path is not None:
                try:
                    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
                except OSError as exc:
                    self._tail.append(f"(verify could not write {log_path}: {exc})")
            while chunk := pipe.read1(_CHUNK_BYTES):  # type: ignore[attr-defined]  # BufferedReader
                if log is not None:
                    try:
                        log.write(chunk)
                    except OSError as exc:  # a full disk must not stop the run: read on
                        self._tail.append(f"(verify stopped writing {log_path}: {exc})")
                        with contextlib.suppress(OSError):
                            log.close()
                        log = None
                self._feed(decoder.decode(chunk))
            self._feed(decoder.decode(b"", final=True))
            if self._pending:
                self._lines([self._pending])
                self._pending = ""
        finally:
            pipe.close()
            if log is not None:
                with contextlib.suppress(OSError):
                    log.close()

    def _feed(self, text: str) -> None:
        if not text:
            return
        text = self._pending + text
        lines = text.splitlines()
        self._pending = "" if text[-1] in _LINE_BREAKS else lines.pop()
        while len(self._pending) > MAX_LINE_CHARS:  # no line break in sight: read a piece
            lines.append(self._pending[:MAX_LINE_CHARS])
            self._pending = self._pending[MAX_LINE_CHARS:]
        self._lines(lines)

    def _lines(self, lines: list[str]) -> None:
        read_line, losses = self._read_line, self.losses
        for line in lines:
            found = read_line(line)
            if found:
                losses.extend(found)
        for line in lines[-TAIL_LINES:]:
            if len(line) > TAIL_LINE_CHARS:
                keep = TAIL_LINE_CHARS // 2
                cut = len(line) - 2 * keep
                line = f"{line[:keep]} [... {cut} characters, see the log ...] {line[-keep:]}"
            self._tail.append(line)


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
    template: CommandTemplate,
    *,
    repeats: int,
    seed: int,
    out_dir: Path,
    epochs: int | None = None,
    iters: int | None = None,
) -> Plan:
    """Lay out ``repeats`` repeats of the four experiments of ``epochs`` (or ``iters``).

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
                        template.argv(
                            experiment, epochs=epochs, iters=iters, seed=seed, ckpt=folder / "ckpt"
                        )
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
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.stopping = True
            procs = list(self._procs)
        for proc in procs:
            _kill_tree(proc)


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill a run and whatever it started (DataLoader workers, DDP ranks).

    The run leads its own process group, so this also reaches children that outlive it
    (and still hold its output pipes): the group's id is not reused while it has members.
    """
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            pass
    proc.kill()  # does nothing once the run has been waited for


def run_one(
    spec: RunSpec,
    reader: LossReader,
    *,
    timeout: float | None,
    log_dir: Path | None,
    registry: _ProcessRegistry | None = None,
) -> RunResult:
    """Run one process, stream its output to the logs and read its losses on the way.

    Losses are read from stdout; when stdout has none (a script that logs through
    :mod:`logging`, which writes to stderr), from stderr. The two streams are kept apart
    because a framework's log lines on stderr could otherwise land inside a loss line.
    Each stream goes to ``<log_dir>/<stem>.stdout.txt`` / ``.stderr.txt`` as it comes;
    only the losses and the last lines stay in memory. The run gets its own process
    group so a timeout kills its children too.
    """
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(spec.argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return RunResult(spec, None, "", "", time.monotonic() - start, start_error=str(exc))
    if registry is not None:
        registry.add(proc)
    try:
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
        read_line = reader.line_reader()
        captures = [
            _StreamCapture(
                pipe,
                read_line,
                None if log_dir is None else log_dir / f"{spec.log_stem}.{name}.txt",
            )
            for name, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr))
        ]
        timed_out = not _wait(proc, captures, timeout)
        if timed_out:
            _kill_tree(proc)
            proc.wait()
            for capture in captures:
                capture.join()
    finally:
        if registry is not None:
            registry.discard(proc)
    out, err = captures
    result = RunResult(
        spec, proc.returncode, out.tail, err.tail, time.monotonic() - start, timed_out=timed_out
    )
    result.losses = out.losses or err.losses
    return result


def _wait(
    proc: subprocess.Popen[bytes], captures: list[_StreamCapture], timeout: float | None
) -> bool:
    """Wait for the run to exit and its output to end; False when ``timeout`` ran out."""
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    for capture in captures:
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        if not capture.join(remaining):
            return False
    return True


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
