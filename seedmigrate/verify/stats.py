"""Compare the loss series of the four experiments and give the verdict.

The rules (``atol`` is the largest absolute difference still counted as equal; 0 means
bit for bit):

0. every loss of every run is finite (no ``nan``, no ``inf``);
1. every repeat of experiment 1 equals the first repeat of experiment 1;
2. every repeat of experiment 2 equals the first half of experiment 1, step for step
   and with the same number of steps;
3. every repeat of experiment 3 equals the second half of experiment 1;
4. the runs of experiment 4 (no seed) spread more than the seeded runs do.

Steps, epochs and iterations in messages count from 0, as training loops do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from seedmigrate.verify.runner import (
    FULL,
    HALF,
    RESUME,
    UNSEEDED,
    Experiment,
    Schedule,
    experiment_label,
)

Series = Sequence[float]


@dataclass(frozen=True)
class Difference:
    """The first step where a series leaves its reference."""

    step: int
    expected: float
    actual: float

    @property
    def delta(self) -> float:
        """``|actual - expected|`` (``nan`` when one side is ``nan``)."""
        return abs(self.actual - self.expected)


def values_equal(expected: float, actual: float, atol: float = 0.0) -> bool:
    """Equal within ``atol``; two ``nan`` count as equal (the run repeated itself)."""
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if atol == 0.0:
        return expected == actual
    return abs(actual - expected) <= atol


def first_difference(
    reference: Series, series: Series, atol: float = 0.0, offset: int = 0
) -> Difference | None:
    """The first step (counted from ``offset``) where ``series`` leaves ``reference``.

    Only the common length is compared; lengths are checked separately.
    """
    for index, (expected, actual) in enumerate(zip(reference, series, strict=False)):
        if not values_equal(expected, actual, atol):
            return Difference(offset + index, expected, actual)
    return None


@dataclass(frozen=True)
class SeriesStats:
    """Per-step mean and population σ over the repeats of one experiment.

    Computed over the steps every repeat has (the shortest repeat's length).
    """

    mean: list[float]
    std: list[float]

    @property
    def spread(self) -> float:
        """The largest per-step σ; 0 when every repeat is identical."""
        finite = [value for value in self.std if not math.isnan(value)]
        return max(finite, default=0.0)


def series_stats(runs: Sequence[Series]) -> SeriesStats:
    """Per-step mean and σ (population, ``ddof=0``) of ``runs``."""
    if not runs:
        return SeriesStats([], [])
    length = min(len(run) for run in runs)
    means, stds = [], []
    for step in range(length):
        values = [run[step] for run in runs]
        if all(value == values[0] for value in values):
            # Exactly equal repeats have σ 0, not the rounding error of a computed mean.
            means.append(values[0])
            stds.append(0.0)
            continue
        mean = math.fsum(values) / len(values)
        variance = math.fsum((value - mean) ** 2 for value in values) / len(values)
        means.append(mean)
        stds.append(math.sqrt(variance) if not math.isnan(variance) else math.nan)
    return SeriesStats(means, stds)


@dataclass
class Verdict:
    """The outcome: passed or not, why, and the numbers behind it."""

    passed: bool
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    outcomes: list[tuple[bool, str]] = field(default_factory=list)
    stats: dict[str, SeriesStats] = field(default_factory=dict)
    seeded_spread: float = 0.0
    unseeded_spread: float = 0.0
    half_steps: int | None = None


def evaluate(
    losses: Mapping[str, Sequence[Series]],
    *,
    epochs: int | None = None,
    iters: int | None = None,
    atol: float = 0.0,
) -> Verdict:
    """Apply the rules to ``losses`` (experiment key → one series per repeat) of runs of
    ``epochs`` epochs or ``iters`` iterations.

    ``checks`` lists the rules that held, ``reasons`` the ones that did not, each naming
    the experiment, the first step that differs and by how much.
    """
    full, half, resume, unseeded = (list(losses.get(e.key, [])) for e in EXPERIMENTS_ORDER)
    stats = {e.key: series_stats(list(losses.get(e.key, []))) for e in EXPERIMENTS_ORDER}
    reasons: list[str] = []
    checks: list[str] = []
    outcomes: list[tuple[bool, str]] = []

    def _ok(message: str) -> None:
        checks.append(message)
        outcomes.append((True, message))

    def _fail(message: str) -> None:
        reasons.append(message)
        outcomes.append((False, message))

    schedule = Schedule.of(epochs=epochs, iters=iters)
    units, start, noun = schedule.total, schedule.start, schedule.noun

    def label(experiment: Experiment) -> str:
        return experiment_label(experiment, schedule.unit)

    if not full:
        return Verdict(False, [f"{label(FULL)} has no runs"], stats=stats)

    reference = list(full[0])
    total = len(reference)
    steps_per_unit = total // units if total % units == 0 else None
    half_steps = total * start // units if total * start % units == 0 else None

    def where(step: int) -> str:
        if steps_per_unit:
            return f"step {step} ({noun} {step // steps_per_unit})"
        return f"step {step}"

    def describe(experiment: Experiment, failures: list[tuple[int, str]], count: int) -> str:
        repeat, message = failures[0]
        tail = f"; {len(failures)} of {count} repeats differ" if count > 1 else ""
        return f"{label(experiment)}, repeat {repeat}: {message}{tail}"

    def mismatch(diff: Difference, against: str) -> str:
        return (
            f"differs from {against} at {where(diff.step)}: "
            f"{diff.actual!r} instead of {diff.expected!r} (|Δ| = {diff.delta:.3g})"
        )

    def resume_offset(repeat: int, run: Series) -> int:
        # Where a resumed run starts in experiment 1's steps: known when the steps split
        # evenly into epochs (iterations), else taken from this repeat's save run, else
        # from the end.
        if half_steps is not None:
            return half_steps
        if repeat < len(half):
            return len(half[repeat])
        return max(total - len(run), 0)

    # Rule 0: every loss is a number. A NaN or an infinity means the training diverged
    # (or the loss is broken); that it happens the same way in every repeat is no pass.
    for experiment, runs in zip(EXPERIMENTS_ORDER, (full, half, resume, unseeded), strict=True):
        failures = []
        for repeat, run in enumerate(runs):
            step = next((i for i, value in enumerate(run) if not math.isfinite(value)), None)
            if step is not None:
                offset = resume_offset(repeat, run) if experiment is RESUME else 0
                failures.append(
                    (repeat, f"non-finite loss {run[step]!r} at {where(offset + step)}")
                )
        if failures:
            repeat, message = failures[0]
            _fail(
                f"{label(experiment)}, repeat {repeat}: {message}; {len(failures)} of "
                f"{len(runs)} repeats have non-finite losses"
            )

    # Rule 1: seeded full runs repeat each other.
    failures = []
    for repeat, run in enumerate(full[1:], start=1):
        diff = first_difference(reference, run, atol)
        if diff is not None:
            failures.append((repeat, mismatch(diff, "repeat 0")))
        elif len(run) != total:
            failures.append((repeat, f"has {len(run)} steps, repeat 0 has {total}"))
    if failures:
        _fail(describe(FULL, failures, len(full)))
    else:
        _ok(f"{label(FULL)}: {len(full)} repeats identical ({total} steps)")

    # Rule 2: the half run is the first half of the full run.
    failures = []
    for repeat, run in enumerate(half):
        diff = first_difference(reference, run, atol)
        if diff is not None:
            failures.append((repeat, mismatch(diff, "experiment 1")))
        elif half_steps is not None and len(run) != half_steps:
            failures.append(
                (repeat, f"has {len(run)} steps; the first half of experiment 1 has {half_steps}")
            )
        elif len(run) >= total:
            failures.append((repeat, f"has {len(run)} steps, as many as experiment 1"))
    if failures:
        _fail(describe(HALF, failures, len(half)))
    elif half:
        _ok(f"{label(HALF)}: equals experiment 1 up to {noun} {start}")

    # Rule 3: the resumed run is the second half of the full run.
    failures = []
    for repeat, run in enumerate(resume):
        offset = resume_offset(repeat, run)
        diff = first_difference(reference[offset:], run, atol, offset)
        if diff is not None:
            failures.append((repeat, mismatch(diff, "experiment 1")))
        elif len(run) != total - offset:
            failures.append(
                (
                    repeat,
                    f"has {len(run)} steps; experiment 1 has {total - offset} after the resume",
                )
            )
    if failures:
        _fail(describe(RESUME, failures, len(resume)))
    elif resume:
        _ok(f"{label(RESUME)}: equals experiment 1 from {noun} {start} on")

    # Rule 4: without a seed the runs spread more than with one.
    seeded_spread = max(stats[e.key].spread for e in (FULL, HALF, RESUME))
    unseeded_spread = stats[UNSEEDED.key].spread
    if len(unseeded) < 2:
        _fail(f"{label(UNSEEDED)} needs at least 2 repeats to show a spread")
    elif not unseeded_spread > seeded_spread:
        hint = (
            " — the script picks the same seed when none is given (a fixed --seed default?)"
            if unseeded_spread == 0.0
            else ""
        )
        _fail(
            f"{label(UNSEEDED)}: runs do not spread more than seeded runs "
            f"(largest per-step σ {unseeded_spread:.3g} vs {seeded_spread:.3g}){hint}"
        )
    else:
        _ok(
            f"{label(UNSEEDED)}: runs spread (largest per-step σ "
            f"{unseeded_spread:.3g} vs {seeded_spread:.3g} seeded)"
        )

    return Verdict(
        passed=not reasons,
        reasons=reasons,
        checks=checks,
        outcomes=outcomes,
        stats=stats,
        seeded_spread=seeded_spread,
        unseeded_spread=unseeded_spread,
        half_steps=half_steps,
    )


EXPERIMENTS_ORDER = (FULL, HALF, RESUME, UNSEEDED)
