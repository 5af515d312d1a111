"""Write ``report.json``: every loss series, per-step statistics, the verdict and why.

Layout (``version`` 1)::

    {
      "version": 1,
      "verdict": "pass" | "fail" | "error",
      "exit_code": 0 | 1 | 2,
      "reasons": ["experiment 3 (...), repeat 0: differs from experiment 1 at ..."],
      "checks": ["experiment 1 (...): 4 repeats identical (40 steps)"],
      "config": {"unit": "epochs", "epochs": 4, "start_epoch": 2, "iters": null,
                 "start_iter": null, "repeats": 4, "seed": 1234, "atol": 0.0,
                 "command": [...], "seed_arg": [...], "save_arg": [...],
                 "resume_arg": [...], "loss_format": "regex", "loss_regex": "...",
                 "loss_key": null},
      "spread": {"seeded": 0.0, "unseeded": 0.012},
      "experiments": {
        "full": {"number": 1, "title": "...", "seeded": true,
                 "mean": [...], "std": [...],
                 "runs": [{"repeat": 0, "argv": [...], "returncode": 0,
                           "duration_s": 3.1, "timed_out": false, "problem": "",
                           "losses": [...]}]},
        "half": {...}, "resume": {...}, "unseeded": {...}
      }
    }

Non-finite losses (``nan``, ``inf``) are written as ``null`` so strict JSON readers
accept the file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seedmigrate.verify.runner import EXPERIMENTS, RunResult
from seedmigrate.verify.stats import SeriesStats

REPORT_VERSION = 1


def build_report(
    *,
    verdict: str,
    exit_code: int,
    reasons: Sequence[str],
    checks: Sequence[str],
    config: Mapping[str, Any],
    results: Sequence[RunResult],
    stats: Mapping[str, SeriesStats],
    seeded_spread: float | None,
    unseeded_spread: float | None,
) -> dict[str, Any]:
    """Assemble the report as plain JSON-ready data."""
    experiments: dict[str, Any] = {}
    for experiment in EXPERIMENTS:
        summary = stats.get(experiment.key, SeriesStats([], []))
        experiments[experiment.key] = {
            "number": experiment.number,
            "title": experiment.title(config.get("unit", "epochs")),
            "seeded": experiment.seeded,
            "mean": _finite_list(summary.mean),
            "std": _finite_list(summary.std),
            "runs": [
                {
                    "repeat": result.spec.repeat,
                    "argv": list(result.spec.argv),
                    "returncode": result.returncode,
                    "duration_s": round(result.duration_s, 3),
                    "timed_out": result.timed_out,
                    "problem": result.problem(),
                    "losses": _finite_list(result.losses),
                }
                for result in results
                if result.spec.experiment == experiment
            ],
        }
    return {
        "version": REPORT_VERSION,
        "verdict": verdict,
        "exit_code": exit_code,
        "reasons": list(reasons),
        "checks": list(checks),
        "config": dict(config),
        "spread": {
            "seeded": _finite(seeded_spread),
            "unseeded": _finite(unseeded_spread),
        },
        "experiments": experiments,
    }


def write_report(report: Mapping[str, Any], out_dir: Path) -> Path:
    """Write ``report`` to ``<out_dir>/report.json`` and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    text = json.dumps(report, indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _finite_list(values: Sequence[float]) -> list[float | None]:
    return [_finite(value) for value in values]
