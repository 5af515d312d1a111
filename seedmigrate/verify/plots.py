"""Draw the two figures of the original method as PNG files.

- ``runs.png``: one panel per experiment (four panels), every repeat drawn;
- ``overlay.png``: the per-step mean ± σ of each experiment on one axis.

The x axis is the step of experiment 1, so the resumed runs (3) sit over the second half
of the full runs (1). matplotlib is an optional extra (``pip install 'seedmigrate[plot]'``);
it is imported here only, with the non-interactive Agg backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from seedmigrate.verify.runner import EXPERIMENTS, experiment_label
from seedmigrate.verify.stats import SeriesStats

PLOT_INSTALL_HINT = "pip install 'seedmigrate[plot]'"

_COLORS = {"full": "tab:blue", "half": "tab:green", "resume": "tab:orange", "unseeded": "tab:red"}


class PlottingUnavailable(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def write_figures(
    losses: Mapping[str, Sequence[Sequence[float]]],
    stats: Mapping[str, SeriesStats],
    offsets: Mapping[str, int],
    out_dir: Path,
    *,
    title: str = "",
    unit: str = "epochs",
) -> list[Path]:
    """Draw ``runs.png`` and ``overlay.png`` into ``out_dir`` and return their paths.

    ``losses`` maps an experiment key to one series per repeat, ``offsets`` gives the
    step of experiment 1 at which each experiment's series starts (the resume point for
    experiment 3, 0 for the others). Raises :class:`PlottingUnavailable` without
    matplotlib.
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlottingUnavailable(
            f"figures need matplotlib, which is not installed: {PLOT_INSTALL_HINT}"
        ) from exc

    out_dir.mkdir(parents=True, exist_ok=True)
    runs_path = out_dir / "runs.png"
    overlay_path = out_dir / "overlay.png"

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True, sharey=True)
    for axis, experiment in zip(axes.flat, EXPERIMENTS, strict=True):
        offset = offsets.get(experiment.key, 0)
        series_list = losses.get(experiment.key, [])
        for series in series_list:
            steps = range(offset, offset + len(series))
            axis.plot(steps, series, color=_COLORS[experiment.key], alpha=0.6, linewidth=1)
        axis.set_title(
            f"{experiment_label(experiment, unit)}\n{len(series_list)} repeats", fontsize=9
        )
        axis.grid(True, alpha=0.3)
    for axis in axes[1]:
        axis.set_xlabel("step")
    for axis in axes[:, 0]:
        axis.set_ylabel("train loss")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(runs_path, dpi=110)
    plt.close(fig)

    fig, axis = plt.subplots(figsize=(9, 5.5))
    for experiment in EXPERIMENTS:
        summary = stats.get(experiment.key)
        if summary is None or not summary.mean:
            continue
        offset = offsets.get(experiment.key, 0)
        mean_steps = list(range(offset, offset + len(summary.mean)))
        low = [m - s for m, s in zip(summary.mean, summary.std, strict=True)]
        high = [m + s for m, s in zip(summary.mean, summary.std, strict=True)]
        color = _COLORS[experiment.key]
        axis.plot(
            mean_steps,
            summary.mean,
            color=color,
            linewidth=1.2,
            label=experiment_label(experiment, unit),
        )
        axis.fill_between(mean_steps, low, high, color=color, alpha=0.2)
    axis.set_xlabel("step")
    axis.set_ylabel("train loss (mean ± σ over repeats)")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    if title:
        axis.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(overlay_path, dpi=110)
    plt.close(fig)
    return [runs_path, overlay_path]
