"""seeder_runtime.torch across fresh processes: determinism, torch.distributed, resume."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from runtime_helpers import REPO_ROOT, run_python, run_python_json, subprocess_env

# The children import torch; this process need not.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch is not installed"
)

SCRIPTS = REPO_ROOT / "tests" / "runtime" / "scripts"

DRAWS = """
import json, random, sys
import numpy as np, torch
import seeder_runtime.torch as seeder
seeder.init(int(sys.argv[1]), ngpus=4, local_rank=int(sys.argv[2]))
out = []
for task, epoch in [(0, 0), (1, 0), (1, 1), (5, 9)]:
    seeder.reseed(task, epoch)
    out.append([random.random(), float(np.random.random()), torch.rand(2).tolist()])
print(json.dumps(out))
"""


def test_two_fresh_interpreters_draw_the_same():
    first = run_python_json(DRAWS, "7", "3")
    assert run_python_json(DRAWS, "7", "3") == first
    assert run_python_json(DRAWS, "8", "3") != first


def test_deterministic_flag_switches_torch_determinism():
    out = run_python_json(
        """
        import json, os, torch
        import seeder_runtime.torch as seeder
        before = torch.are_deterministic_algorithms_enabled()
        seeder.init(1)
        default = torch.are_deterministic_algorithms_enabled()
        seeder.init(1, deterministic=True)
        print(json.dumps([before, default, torch.are_deterministic_algorithms_enabled(),
                          torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark,
                          os.environ.get("CUBLAS_WORKSPACE_CONFIG")]))
        """
    )
    assert out == [False, False, True, True, False, ":4096:8"]


def _rendezvous_store():
    """A TCPStore this process hosts on a port it keeps, as torchrun's agent does.

    Picking a free port and leaving rank 0 to bind it later lets a concurrent test take
    it in between (two jobs then meet in one store and one aborts); the ranks connect to
    this store as clients instead (TORCHELASTIC_USE_AGENT_STORE).
    """
    from torch.distributed import TCPStore

    return TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False)


@pytest.mark.slow
def test_two_process_gloo_agrees_on_generated_master_seed():
    store = _rendezvous_store()
    port = str(store.port)
    procs = [
        subprocess.Popen(
            [sys.executable, str(SCRIPTS / "torch_distributed.py")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=subprocess_env(
                RANK=str(rank),
                WORLD_SIZE="2",
                MASTER_ADDR="127.0.0.1",
                MASTER_PORT=port,
                TORCHELASTIC_USE_AGENT_STORE="True",
            ),
        )
        for rank in range(2)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    by_rank = sorted(reports, key=lambda r: r["rank"])
    assert [r["detected"] for r in by_rank] == [[0, 2], [1, 2]]
    assert by_rank[0]["master"] == by_rank[1]["master"]
    assert by_rank[0]["rank_seed"] != by_rank[1]["rank_seed"]
    assert by_rank[0]["shared_seed"] == by_rank[1]["shared_seed"]
    assert by_rank[0]["shared_seed"] not in (by_rank[0]["rank_seed"], by_rank[1]["rank_seed"])
    assert by_rank[0]["torch_draw"] != by_rank[1]["torch_draw"]
    assert by_rank[0]["sampler_seed"] == by_rank[1]["sampler_seed"]


def _train(tmp_path, name, *args):
    out = tmp_path / f"{name}.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "torch_resume.py"), str(out), *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())["losses"]


@pytest.mark.slow
def test_dataloader_resume_at_epoch_boundary_is_bit_identical(tmp_path):
    ckpt = str(tmp_path / "ckpt.pt")
    full = _train(tmp_path, "full", "--epochs", "4")
    first = _train(tmp_path, "first", "--epochs", "4", "--stop-after", "2", "--checkpoint", ckpt)
    resumed = _train(tmp_path, "resumed", "--epochs", "4", "--start", "2", "--checkpoint", ckpt)
    assert len(full) == 4 * 6
    assert first + resumed == full
    # the run is not trivially repeating itself: epochs draw different batches/dropout
    assert len({loss for _, _, loss in full}) == len(full)


def _worker_draws(context, *combos):
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "torch_worker_draws.py"), context, *combos],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_worker_init_fn_distinct_per_worker_rank_epoch_under_fork_and_spawn():
    # A fresh process: forking DataLoader workers from a process that has loaded
    # TensorFlow (as a test worker may have) can deadlock.
    forked = _worker_draws("fork")
    assert set(forked) == {"0,0", "0,1", "1,0", "1,1"}
    values = [value for rows in forked.values() for row in rows for value in row]
    assert len(values) == 4 * 8 * 3
    assert len(set(values)) == len(values)  # every python/numpy/torch draw differs
    # spawn-started workers get the seeder state through the pickled worker_init_fn
    assert _worker_draws("spawn", "1,1") == {"1,1": forked["1,1"]}


def test_imports_stay_framework_free():
    out = run_python(
        """
        import sys
        import seeder_runtime
        assert "torch" not in sys.modules and "tensorflow" not in sys.modules, "core"
        import seeder_runtime.torch
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules, "torch"
        print("ok")
        """
    )
    assert out.strip() == "ok"
