"""End to end: ``python -m seedmigrate verify`` on the toy training script."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys

import pytest
from verify_helpers import REPO_ROOT, subprocess_env, toy_command

FAST = ["--epochs", "4", "--repeats", "2", "--out", "out"]


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the figures need matplotlib"
)
def test_deterministic_script_passes_and_writes_report_and_figures(run_verify, tmp_path):
    proc = run_verify(*FAST, "-j", "2", "--", *toy_command())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "pass" and report["exit_code"] == 0 and report["reasons"] == []
    assert report["config"]["epochs"] == 4 and report["config"]["start_epoch"] == 2
    experiments = report["experiments"]
    assert [len(experiments[k]["runs"]) for k in ("full", "half", "resume", "unseeded")] == [2] * 4
    full = experiments["full"]["runs"][0]["losses"]
    assert len(full) == 20 and len(experiments["full"]["mean"]) == 20
    assert experiments["half"]["runs"][1]["losses"] == full[:10]
    assert experiments["resume"]["runs"][0]["losses"] == full[10:]
    assert experiments["full"]["std"] == [0.0] * 20
    assert "--seed" not in experiments["unseeded"]["runs"][0]["argv"]
    assert report["spread"]["seeded"] == 0.0 and report["spread"]["unseeded"] > 0
    for name in ("runs.png", "overlay.png"):
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out" / "logs" / "3-resume-repeat-1.stdout.txt").exists()
    assert not (tmp_path / "out" / "checkpoints").exists()
    # Not a TTY: plain progress lines.
    assert "[8/8]" in proc.stderr


def test_cmd_option_and_dllogger_format(run_verify, tmp_path):
    command = shlex.join(toy_command("--format", "dllogger"))
    proc = run_verify(*FAST, "--cmd", command, "--loss-format", "dllogger")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_jsonl_format_with_key(run_verify):
    proc = run_verify(
        *FAST,
        "--loss-format",
        "jsonl",
        "--loss-key",
        "loss",
        "--",
        *toy_command("--format", "jsonl"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_script_that_ignores_the_seed_fails(run_verify, tmp_path):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "ignores-seed"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  experiment 1 (seeded, all epochs), repeat 1: differs from repeat 0 at step 0" in (
        proc.stdout
    )
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "fail" and report["exit_code"] == 1
    assert report["reasons"][0].startswith("experiment 1")


def test_broken_resume_fails_on_experiment_3_at_the_resume_step(run_verify):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "broken-resume"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    fails = [line for line in proc.stdout.splitlines() if "FAIL  " in line]
    assert len(fails) == 1
    assert "experiment 3" in fails[0] and "step 10 (epoch 2)" in fails[0] and "|Δ| =" in fails[0]


def test_fixed_default_seed_fails_the_spread_rule(run_verify):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "fixed-seed"))
    assert proc.returncode == 1
    assert "experiment 4" in proc.stdout and "fixed --seed default" in proc.stdout


def test_a_nan_loss_once_per_epoch_fails_naming_experiment_and_step(run_verify, tmp_path):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "nan-once"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "FAIL  experiment 1 (seeded, all epochs), repeat 0: non-finite loss nan at step 2 "
        "(epoch 0); 2 of 2 repeats have non-finite losses"
    ) in proc.stdout
    assert (
        "experiment 3 (seeded, resumed from the checkpoint), repeat 0: non-finite loss nan at step 12 (epoch 2)"
        in proc.stdout
    )
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "fail"
    assert report["experiments"]["full"]["runs"][0]["losses"][2] is None  # strict JSON


def test_an_all_nan_run_fails_instead_of_printing_no_losses(run_verify):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "all-nan"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "printed no losses" not in proc.stdout
    assert "non-finite loss nan at step 0 (epoch 0)" in proc.stdout


def test_crash_exits_2_with_the_command_and_the_tail(run_verify, tmp_path):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "crash"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "experiment 1, repeat 0 exited with status 1" in proc.stdout
    assert "command: " in proc.stdout and "--seed 1234" in proc.stdout
    assert "RuntimeError: CUDA error: an illegal memory access" in proc.stdout
    assert "epoch 0 step 4 loss=" in proc.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "error" and report["exit_code"] == 2


def test_no_losses_exits_2_and_names_the_reader(run_verify):
    proc = run_verify(*FAST, "--", *toy_command("--behaviour", "silent"))
    assert proc.returncode == 2
    assert "printed no losses" in proc.stdout and "--loss-regex" in proc.stdout


def test_timeout_exits_2(run_verify, tmp_path):
    slow = tmp_path / "slow.py"
    slow.write_text("import time\nprint('loss=1', flush=True)\ntime.sleep(30)\n")
    proc = run_verify(*FAST, "--timeout", "1", "--", sys.executable, str(slow), "{epochs}")
    assert proc.returncode == 2 and "timed out" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cmd", "python t.py --epochs {epochs}", "--", "python"], "either --cmd or after"),
        ([], "training command is empty"),
        (["--epochs", "1", "--", "python", "t.py", "{epochs}"], "--epochs must be at least 2"),
        (["--repeats", "1", "--", "python", "t.py", "{epochs}"], "--repeats must be at least 2"),
        (["--atol", "-1", "--", "python", "t.py", "{epochs}"], "--atol must not be negative"),
        (["-j", "0", "--", "python", "t.py", "{epochs}"], "-j/--jobs must be at least 1"),
        (["--loss-regex", "loss", "--", "python", "t.py", "{epochs}"], "no capturing group"),
        (["--", "python", "t.py", "--seed", "{seed}", "{epochs}"], "belongs in --seed-arg"),
    ],
)
def test_usage_errors_exit_2(run_verify, args, message):
    proc = run_verify(*args)
    assert proc.returncode == 2
    assert message in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "inf"], "--timeout must be a finite number of seconds"),
        (["--timeout", "nan"], "--timeout must be a finite number of seconds"),
        (["--atol", "nan"], "--atol must be a finite number"),
        (["--atol", "inf"], "--atol must be a finite number"),
    ],
)
def test_non_finite_settings_exit_2_before_any_run(run_verify, tmp_path, args, message):
    marker = tmp_path / "ran"
    script = tmp_path / "train.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nprint('loss=1')\n")
    proc = run_verify(*args, "--repeats", "2", "--", sys.executable, str(script), "{epochs}")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists() and not (tmp_path / "verify-out").exists()


@pytest.mark.parametrize("kind", ["file", "file-parent"])
def test_out_that_cannot_be_a_folder_exits_2_before_any_run(run_verify, tmp_path, kind):
    (tmp_path / "taken").write_text("not a folder\n")
    out = "taken" if kind == "file" else "taken/out"
    marker = tmp_path / "ran"
    script = tmp_path / "train.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nprint('loss=1')\n")
    proc = run_verify("--out", out, "--", sys.executable, str(script), "{epochs}")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"--out {out}" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()
    assert (tmp_path / "taken").read_text() == "not a folder\n"


def test_unknown_loss_format_is_an_argparse_error(run_verify):
    proc = run_verify("--loss-format", "csv", "--", "python", "t.py", "{epochs}")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_cli_path_imports_neither_torch_nor_tensorflow(tmp_path):
    code = (
        "import sys\n"
        "from seedmigrate.cli import main\n"
        f"rc = main(['verify', '--repeats', '2', '--out', {str(tmp_path / 'o')!r}, '--', "
        f"{sys.executable!r}, {str(REPO_ROOT / 'tests/verify/scripts/toy_train.py')!r}, "
        "'--epochs', '{epochs}'])\n"
        "heavy = sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules)\n"
        "print('HEAVY', heavy, 'RC', rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    )
    assert "HEAVY [] RC 0" in proc.stdout, proc.stdout + proc.stderr


def test_sigterm_stops_the_runs_in_flight(tmp_path):
    import signal
    import time

    marker = tmp_path / "started"
    slow = tmp_path / "slow.py"
    slow.write_text(
        f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "seedmigrate", "verify", "--out", str(tmp_path / "o"), "--",
         sys.executable, str(slow), "{epochs}"],
        env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(marker.read_text())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    time.sleep(0.5)
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        return
    with open(f"/proc/{child}/stat") as stat:  # a zombie awaiting its reaper is fine
        assert stat.read().split(") ")[1].startswith("Z"), "the run survived SIGTERM"
