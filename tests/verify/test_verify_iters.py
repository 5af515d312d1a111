"""``seedmigrate verify --iters N``: training counted in iterations instead of epochs.

Experiment 2 runs N/2 iterations and saves; experiment 3 resumes at N/2 and runs to N.
The fast tests use ``scripts/toy_iters.py`` (numpy and the seeder only); the PyTorch run
is ``slow``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from verify_helpers import REPO_ROOT

from seedmigrate.verify.runner import (
    FULL,
    HALF,
    RESUME,
    UNSEEDED,
    CommandError,
    CommandTemplate,
    make_plan,
)
from seedmigrate.verify.stats import evaluate

SCRIPTS = Path(__file__).resolve().parent / "scripts"
TOY_ITERS = [sys.executable, str(SCRIPTS / "toy_iters.py"), "--iters", "{iters}"]


def _template(**kwargs) -> CommandTemplate:
    return CommandTemplate.from_strings("python train.py --iters {iters}", unit="iters", **kwargs)


def test_experiments_run_n_then_half_then_resume_at_half():
    template = _template(resume_arg="--resume {ckpt} --start-iter {start_iter}")
    kwargs = {"iters": 7, "seed": 3, "ckpt": "/tmp/c"}
    assert template.argv(FULL, **kwargs) == [
        "python", "train.py", "--iters", "7", "--seed", "3",
    ]  # fmt: skip
    assert template.argv(HALF, **kwargs) == [
        "python", "train.py", "--iters", "3", "--seed", "3", "--save", "/tmp/c",
    ]  # fmt: skip
    assert template.argv(RESUME, **kwargs) == [
        "python", "train.py", "--iters", "7", "--seed", "3",
        "--resume", "/tmp/c", "--start-iter", "3",
    ]  # fmt: skip
    assert template.argv(UNSEEDED, **kwargs) == ["python", "train.py", "--iters", "7"]


def test_default_resume_arg_with_iters_names_only_the_checkpoint(tmp_path):
    plan = make_plan(_template(), iters=10, repeats=1, seed=1, out_dir=tmp_path)
    resume = next(spec for spec in plan.runs if spec.experiment is RESUME)
    assert resume.argv[-2:] == ("--resume", str(tmp_path.resolve() / "checkpoints" /
                                                 "half-repeat-0" / "ckpt"))  # fmt: skip


@pytest.mark.parametrize(
    ("command", "kwargs", "unit", "message"),
    [
        (
            "python t.py --iters {iters}",
            {},
            "epochs",
            "{iters} is only filled in with --iters; this check counts epochs (--epochs): "
            "use {epochs}",
        ),
        ("python t.py --epochs {epochs}", {}, "iters", "{epochs} is only filled in with --epochs"),
        ("python t.py --steps 10", {}, "iters", "has no {iters} placeholder"),
        ("python t.py --iters {iters} --from {start_iter}", {}, "iters", "belongs in --resume-arg"),
        (
            "python t.py --iters {iters}",
            {"resume_arg": "--resume {ckpt} --initial-epoch {start_epoch}"},
            "iters",
            "{start_epoch} is only filled in with --epochs; this check counts iterations "
            "(--iters): use {start_iter}",
        ),
        ("python t.py --iters {iters} --epochs {epochs}", {}, "iters", "{epochs} is only"),
    ],
)
def test_placeholders_of_the_other_unit_are_rejected(command, kwargs, unit, message):
    with pytest.raises(CommandError, match=message.replace("{", r"\{").replace("(", r"\(")
                       .replace(")", r"\)")):  # fmt: skip
        CommandTemplate.from_strings(command, unit=unit, **kwargs)


def test_verdict_speaks_iterations():
    full = [1.0 / (it + 1) for it in range(10)]
    losses = {
        "full": [full, list(full)],
        "half": [full[:5], full[:5]],
        "resume": [full[5:], [full[5] + 1e-3, *full[6:]]],
        "unseeded": [full, [x + 1 for x in full]],
    }
    verdict = evaluate(losses, iters=10)
    assert verdict.checks[:2] == [
        "experiment 1 (seeded, all iterations): 2 repeats identical (10 steps)",
        "experiment 2 (seeded, first half, saves a checkpoint): equals experiment 1 up to "
        "iteration 5",
    ]
    (reason,) = verdict.reasons
    assert reason.startswith("experiment 3 (seeded, resumed from the checkpoint), repeat 1:")
    assert "at step 5 (iteration 5)" in reason


def test_passing_iteration_run_end_to_end(run_verify, tmp_path):
    proc = run_verify(
        "--iters", "10", "--repeats", "2", "-j", "2", "--out", "out",
        "--resume-arg", "--resume {ckpt} --start-iter {start_iter}", "--", *TOY_ITERS,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("seedmigrate verify: 8 runs (4 experiments × 2 repeats), "
                                  "10 iterations, seed 1234")  # fmt: skip
    assert "equals experiment 1 up to iteration 5" in proc.stdout
    assert "equals experiment 1 from iteration 5 on" in proc.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    config = report["config"]
    assert (config["unit"], config["iters"], config["start_iter"]) == ("iters", 10, 5)
    assert config["epochs"] is None and config["start_epoch"] is None
    runs = report["experiments"]
    full = runs["full"]["runs"][0]["losses"]
    assert len(full) == 10
    assert runs["half"]["runs"][1]["losses"] == full[:5]
    assert runs["resume"]["runs"][0]["losses"] == full[5:]
    assert runs["half"]["runs"][0]["argv"][-4:] == ["--seed", "1234", "--save",
                                                    runs["half"]["runs"][0]["argv"][-1]]  # fmt: skip
    assert "--iters" in runs["half"]["runs"][0]["argv"]
    assert runs["half"]["runs"][0]["argv"][3] == "5"
    assert runs["full"]["title"] == "seeded, all iterations"


@pytest.mark.parametrize("every", [3, 4])  # 4 logs per run (splits evenly), or 3 (does not)
def test_logging_every_k_iterations_passes(run_verify, every):
    proc = run_verify(
        "--iters", "10", "--repeats", "2", "--out", "out",
        "--resume-arg", "--resume {ckpt}", "--", *TOY_ITERS, "--log-every", str(every),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_broken_iteration_resume_fails_at_the_resume_iteration(run_verify):
    proc = run_verify(
        "--iters", "8", "--repeats", "2", "--out", "out",
        "--", *TOY_ITERS, "--behaviour", "broken-resume",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    fails = [line for line in proc.stdout.splitlines() if "FAIL  " in line]
    assert len(fails) == 1 and fails[0].startswith("  FAIL  experiment 3 (seeded, resumed")
    assert "step 4 (iteration 4)" in fails[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--iters", "1"], "--iters must be at least 2"),
        (["--iters", "4", "--epochs", "4"], "not allowed with argument"),
    ],
)
def test_iters_usage_errors_exit_2(run_verify, args, message):
    proc = run_verify(*args, "--", *TOY_ITERS)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


@pytest.mark.slow
def test_torch_iteration_training_passes(run_verify):
    command = [sys.executable, str(SCRIPTS / "torch_iters.py"), "--iters", "{iters}"]
    proc = run_verify(
        "--iters", "6", "--repeats", "2", "-j", "2", "--out", "out", "--", *command,
        env={"OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout
