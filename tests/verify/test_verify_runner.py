"""Command templates, placeholder substitution, the run plan and running one process."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from seedmigrate.verify.losses import LossReader
from seedmigrate.verify.runner import (
    FULL,
    HALF,
    RESUME,
    UNSEEDED,
    CommandError,
    CommandTemplate,
    RunSpec,
    make_plan,
    run_one,
    run_plan,
    substitute,
)


def _template(**kwargs) -> CommandTemplate:
    return CommandTemplate.from_strings("python train.py --epochs {epochs}", **kwargs)


def test_each_experiment_gets_its_arguments_and_epochs():
    template = _template()
    kwargs = {"epochs": 6, "seed": 7, "ckpt": "/tmp/c"}
    assert template.argv(FULL, **kwargs) == [
        "python", "train.py", "--epochs", "6", "--seed", "7",
    ]  # fmt: skip
    assert template.argv(HALF, **kwargs) == [
        "python", "train.py", "--epochs", "3", "--seed", "7", "--save", "/tmp/c",
    ]  # fmt: skip
    assert template.argv(RESUME, **kwargs) == [
        "python", "train.py", "--epochs", "6", "--seed", "7",
        "--resume", "/tmp/c", "--initial-epoch", "3",
    ]  # fmt: skip
    assert template.argv(UNSEEDED, **kwargs) == ["python", "train.py", "--epochs", "6"]


def test_odd_epochs_split_at_the_floor():
    template = _template()
    assert template.argv(HALF, epochs=5, seed=1, ckpt="c")[3] == "2"
    assert template.argv(RESUME, epochs=5, seed=1, ckpt="c")[-1] == "2"


def test_substitution_is_per_token_after_splitting():
    template = CommandTemplate.from_strings(
        "python 'my train.py' --epochs={epochs} --config '{\"a\": {\"b\": 1}}'",
        seed_arg="--seed={seed}",
        save_arg="--save {ckpt}.keras",
        resume_arg="--resume {ckpt}.keras",
    )
    argv = template.argv(HALF, epochs=4, seed=3, ckpt=Path("/tmp/with space/ckpt"))
    assert argv == [
        "python", "my train.py", "--epochs=2", "--config", '{"a": {"b": 1}}',
        "--seed=3", "--save", "/tmp/with space/ckpt.keras",
    ]  # fmt: skip


def test_substitute_leaves_unknown_braces():
    assert substitute("{epochs}-{other}-{seed}", {"epochs": 2, "seed": 9}) == "2-{other}-9"


def test_command_may_be_given_as_a_list():
    template = CommandTemplate.from_strings(["python", "a b.py", "--epochs", "{epochs}"])
    assert template.command == ("python", "a b.py", "--epochs", "{epochs}")


@pytest.mark.parametrize(
    ("command", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("python train.py", {}, "no {epochs}"),
        ("python train.py --epochs {epochs} --seed {seed}", {}, "--seed-arg"),
        ("python t.py --epochs {epochs} --from {start_epoch}", {}, "--resume-arg"),
        ("python t.py --epochs {epochs}", {"save_arg": ""}, "--save-arg is empty"),
        ("python t.py --epochs {epochs}", {"resume_arg": " "}, "--resume-arg is empty"),
        ("python 't.py --epochs {epochs}", {}, "cannot split --cmd"),
    ],
)
def test_unusable_templates_are_rejected(command, kwargs, message):
    with pytest.raises(CommandError, match=message):
        CommandTemplate.from_strings(command, **kwargs)


def test_plan_gives_each_chain_a_fresh_checkpoint_shared_by_save_and_resume(tmp_path):
    plan = make_plan(_template(), epochs=4, repeats=3, seed=5, out_dir=tmp_path)
    assert len(plan.runs) == 12
    assert {spec.experiment for spec in plan.runs} == {FULL, HALF, RESUME, UNSEEDED}
    folders = [chain.folder for chain in plan.chains]
    assert len(set(folders)) == len(folders) == 9
    for chain in plan.chains:
        if chain.runs[0].experiment is HALF:
            save, resume = chain.runs
            assert resume.experiment is RESUME and save.repeat == resume.repeat
            assert save.argv[-1] == resume.argv[-3] == str(chain.folder / "ckpt")
    assert len({spec.log_stem for spec in plan.runs}) == 12


def _python_spec(code: str) -> RunSpec:
    return RunSpec(FULL, 0, (sys.executable, "-c", code), "1-full-repeat-0")


def test_run_one_reads_stdout_and_writes_logs(tmp_path):
    spec = _python_spec(
        "print('loss=1.5'); print('loss=0.5'); import sys; print('x', file=sys.stderr)"
    )
    result = run_one(spec, LossReader(), timeout=60, log_dir=tmp_path)
    assert result.ok and result.losses == [1.5, 0.5]
    assert (tmp_path / "1-full-repeat-0.stdout.txt").read_text() == "loss=1.5\nloss=0.5\n"
    assert (tmp_path / "1-full-repeat-0.stderr.txt").read_text() == "x\n"


def test_run_one_falls_back_to_stderr_for_logging_users():
    spec = _python_spec("import logging; logging.warning('loss=0.25'); print('hello')")
    assert run_one(spec, LossReader(), timeout=60, log_dir=None).losses == [0.25]


def test_run_one_reports_exit_status_and_tail():
    code = "import sys\nfor i in range(50): print('line', i)\nsys.exit('boom')"
    result = run_one(_python_spec(code), LossReader(), timeout=60, log_dir=None)
    assert not result.ok and result.problem() == "exited with status 1"
    tail = result.output_tail(lines=5)
    assert "line 49" in tail and "line 44" not in tail and "boom" in tail


FLOOD = (
    "import sys\n"
    "block = ('x' * 1000 + '\\n') * 999 + 'loss=0.5\\n'\n"  # ~1 MB, one loss
    "for _ in range(200):\n"
    "    sys.stdout.write(block)\n"
    "sys.stderr.write('y' * 5_000_000 + ' the end\\n')\n"  # one 5 MB line, no break
)

RUN_FLOOD = """
import json, resource, sys
from pathlib import Path
from seedmigrate.verify.losses import LossReader
from seedmigrate.verify.runner import FULL, RunSpec, run_one

spec = RunSpec(FULL, 0, (sys.executable, "-c", sys.argv[2]), "flood")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = run_one(spec, LossReader(), timeout=300, log_dir=Path(sys.argv[1]))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kib": after - before, "losses": result.losses,
                  "ok": result.ok, "tail": result.output_tail(lines=2)}))
"""


def test_run_one_streams_a_flood_of_output_to_the_log_in_bounded_memory(tmp_path):
    # ~200 MB on stdout used to be held in memory (twice: bytes, then str). Now it goes
    # to the log as it comes; the runner keeps the losses and a bounded tail.
    import json
    import subprocess

    from verify_helpers import subprocess_env

    proc = subprocess.run(
        [sys.executable, "-c", RUN_FLOOD, str(tmp_path), FLOOD],
        capture_output=True, text=True, env=subprocess_env(), timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] and report["losses"] == [0.5] * 200
    assert report["growth_kib"] < 60 * 1024, report["growth_kib"]  # not ~400 MB
    assert (tmp_path / "flood.stdout.txt").stat().st_size == 200 * (999 * 1001 + 9)
    assert (tmp_path / "flood.stderr.txt").stat().st_size == 5_000_000 + 9
    tail = report["tail"]
    assert "loss=0.5" in tail and "the end" in tail and len(tail) < 20_000


def test_run_one_times_out_and_kills_children(tmp_path):
    marker = tmp_path / "child-alive"
    child = tmp_path / "child.py"
    child.write_text(f"import time\ntime.sleep(3)\nopen({str(marker)!r}, 'w').close()\n")
    code = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, {str(child)!r}])\n"
        "print('loss=1', flush=True)\n"
        "time.sleep(60)\n"
    )
    result = run_one(_python_spec(code), LossReader(), timeout=1.0, log_dir=None)
    assert result.timed_out and not result.ok and "timed out" in result.problem()
    assert result.losses == [1.0]
    time.sleep(3.5)
    assert not marker.exists(), "the run's child survived the timeout"


def test_run_one_reports_a_command_that_cannot_start():
    spec = RunSpec(FULL, 0, ("/nonexistent/python",), "x")
    result = run_one(spec, LossReader(), timeout=5, log_dir=None)
    assert not result.ok and result.problem().startswith("could not start")


def test_run_plan_stops_starting_runs_after_a_failure_and_removes_checkpoints(tmp_path):
    template = CommandTemplate.from_strings(
        [sys.executable, "-c", "import sys; sys.exit(3)", "{epochs}"]
    )
    plan = make_plan(template, epochs=2, repeats=3, seed=1, out_dir=tmp_path)
    seen = []
    results = run_plan(plan, LossReader(), jobs=1, on_result=seen.append)
    assert len(results) == len(seen) == 1 and results[0].returncode == 3
    assert not (tmp_path / "checkpoints").exists()
