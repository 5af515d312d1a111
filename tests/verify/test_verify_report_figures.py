"""report.json and the figures, in process: PNG output and the path without matplotlib."""

from __future__ import annotations

import io
import json
import sys

import pytest
from verify_helpers import subprocess_env, toy_command

from seedmigrate.cli import build_parser
from seedmigrate.verify.plots import PLOT_INSTALL_HINT, PlottingUnavailable, write_figures
from seedmigrate.verify.report import build_report, write_report
from seedmigrate.verify.runner import FULL, RunResult, RunSpec
from seedmigrate.verify.stats import series_stats

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def child_env(monkeypatch):
    """Runs started in process must import this checkout too."""
    for key, value in subprocess_env().items():
        monkeypatch.setenv(key, value)


def _run_cli(tmp_path, *extra: str) -> tuple[int, str]:
    args = build_parser().parse_args(
        ["verify", "--repeats", "2", "--out", str(tmp_path / "out"), *extra, "--", *toy_command()]
    )
    out = io.StringIO()
    return args.handler(args, stdout=out), out.getvalue()


def test_figures_are_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    losses = {
        "full": [[1.0, 0.5, 0.25, 0.125]] * 2,
        "half": [[1.0, 0.5]] * 2,
        "resume": [[0.25, 0.125]] * 2,
        "unseeded": [[1.0, 0.6, 0.3, 0.1], [0.9, 0.5, 0.2, 0.2]],
    }
    stats = {key: series_stats(series) for key, series in losses.items()}
    paths = write_figures(losses, stats, {"resume": 2}, tmp_path / "figs", title="t")
    assert [p.name for p in paths] == ["runs.png", "overlay.png"]
    for path in paths:
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 10_000


def test_without_matplotlib_the_verdict_still_comes_with_a_hint(tmp_path, monkeypatch, child_env):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(PlottingUnavailable, match=r"seedmigrate\[plot\]"):
        write_figures({}, {}, {}, tmp_path)

    code, text = _run_cli(tmp_path)
    assert code == 0, text
    assert "PASS" in text
    assert (
        f"figures skipped: figures need matplotlib, which is not installed: {PLOT_INSTALL_HINT}"
        in (text)
    )
    assert (tmp_path / "out" / "report.json").exists()
    assert not (tmp_path / "out" / "runs.png").exists()


def test_report_json_holds_series_stats_verdict_and_reasons(tmp_path, child_env):
    code, text = _run_cli(tmp_path, "--epochs", "2", "--keep-checkpoints", "--seed", "77")
    assert code == 0, text
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report) == {
        "version", "verdict", "exit_code", "reasons", "checks", "config", "spread", "experiments"
    }  # fmt: skip
    assert report["version"] == 1 and report["verdict"] == "pass" and len(report["checks"]) == 4
    assert report["config"]["seed"] == 77 and report["config"]["loss_format"] == "regex"
    for key, number in (("full", 1), ("half", 2), ("resume", 3), ("unseeded", 4)):
        experiment = report["experiments"][key]
        assert experiment["number"] == number
        assert (
            len(experiment["mean"])
            == len(experiment["std"])
            == len(experiment["runs"][0]["losses"])
        )
        for run in experiment["runs"]:
            assert run["returncode"] == 0 and run["problem"] == "" and run["losses"]
            assert ("--seed" in run["argv"]) == (key != "unseeded")
    resume_argv = report["experiments"]["resume"]["runs"][0]["argv"]
    ckpt = resume_argv[resume_argv.index("--resume") + 1]
    assert (tmp_path / "out" / "checkpoints").is_dir() and ckpt.endswith("ckpt")
    assert "checkpoints" in ckpt


def test_non_finite_losses_become_null(tmp_path):
    spec = RunSpec(FULL, 0, ("python",), "x")
    result = RunResult(spec, 0, "", "", 1.0, losses=[1.0, float("nan"), float("inf")])
    report = build_report(
        verdict="fail",
        exit_code=1,
        reasons=["r"],
        checks=[],
        config={},
        results=[result],
        stats={"full": series_stats([result.losses])},
        seeded_spread=float("nan"),
        unseeded_spread=0.0,
    )
    path = write_report(report, tmp_path)
    loaded = json.loads(path.read_text())
    assert loaded["experiments"]["full"]["runs"][0]["losses"] == [1.0, None, None]
    assert loaded["spread"] == {"seeded": None, "unseeded": 0.0}
    assert "NaN" not in path.read_text()
