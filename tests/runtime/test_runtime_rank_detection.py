"""Rank and world size found by ``init()`` with no ngpus/local_rank, in fresh processes.

``seedmigrate apply`` writes ``seeder.init(master_seed=args.seed)`` after the block that
sets up distribution and outside its condition, so the runtime alone must find the rank
and world size: from an initialised torch.distributed group, from Horovod, from the
launcher's environment, else rank 0 of 1. Each case runs ``scripts/init_placement.py``
in its own interpreter, so nothing imported or initialised by another test leaks in.

Horovod is not installed in the test environment: its case uses a minimal fake
``horovod.torch`` module (``is_initialized``, ``rank``, ``size``, ``broadcast_object``)
put into ``sys.modules``, which is exactly what the runtime consults.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest
from runtime_helpers import REPO_ROOT, subprocess_env

SCRIPT = REPO_ROOT / "tests" / "runtime" / "scripts" / "init_placement.py"
DRAWN = re.compile(
    r"^seeder: master seed (\d+) \(drawn; repeat with --seed \1 or SEEDER_MASTER_SEED=\1\)$"
)


def _start(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(**env),
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[dict, list[str]]:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    drawn_lines = [line for line in err.splitlines() if line.startswith("seeder:")]
    return json.loads(out.strip().splitlines()[-1]), drawn_lines


def _run(*args: str, **env: str) -> tuple[dict, list[str]]:
    return _finish(_start(*args, **env))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _two_gloo_ranks(*extra: str) -> list[tuple[dict, list[str]]]:
    """Ranks 0 and 1 of a gloo group (tcp init, explicit ranks), each in its own
    interpreter: their reports and drawn-seed lines."""
    method = f"tcp://127.0.0.1:{_free_port()}"
    common = ("--setup", "gloo", "--backend", "torch", "--world-size", "2")
    procs = [
        _start(*extra, *common, "--rank", str(rank), "--init-method", method) for rank in range(2)
    ]
    return [_finish(proc) for proc in procs]


@pytest.mark.slow  # two cooperating gloo processes
def test_init_after_init_process_group_reads_the_group_and_shares_the_drawn_seed():
    # No RANK/WORLD_SIZE in the environment: the group (tcp init, explicit ranks) is the
    # only place the rank can come from.
    (rank0, err0), (rank1, err1) = _two_gloo_ranks()
    assert (rank0["rank"], rank0["world_size"]) == (0, 2)
    assert (rank1["rank"], rank1["world_size"]) == (1, 2)
    assert rank0["master"] == rank1["master"]  # drawn on rank 0, broadcast over gloo
    assert len(err0) == 1 and DRAWN.match(err0[0]).group(1) == str(rank0["master"])
    assert err1 == []  # only rank 0 announces the seed


@pytest.mark.slow  # two cooperating gloo processes
def test_seeds_drawn_before_the_group_and_handed_back_become_rank_0s():
    # Each process draws its own seed before the group exists and writes it into
    # args.seed; the init after init_process_group gets it back and must not keep it.
    (rank0, err0), (rank1, err1) = _two_gloo_ranks("--init-before-group")
    assert (rank0["world_size"], rank1["world_size"]) == (2, 2)
    assert rank0["master"] == rank1["master"]
    # each drew and said so before the group; rank 0 says nothing new after it
    assert [DRAWN.match(line).group(1) for line in err0] == [str(rank0["master"])]
    assert len(err1) == 1 and DRAWN.match(err1[0])


@pytest.mark.parametrize("backend", ["core", "torch"])
def test_torch_distributed_imported_but_not_initialised_is_rank_0_of_1(backend):
    # The script's `if args.distributed:` was false: torch.distributed is imported, no group.
    report, drawn = _run("--setup", "torch-imported", "--backend", backend)
    assert (report["rank"], report["world_size"]) == (0, 1) and report["torch_loaded"]
    assert len(drawn) == 1 and DRAWN.match(drawn[0]).group(1) == str(report["master"])


def test_torch_distributed_imported_not_initialised_falls_back_to_the_launcher_env():
    env = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "MASTER_ADDR": "127.0.0.1"}
    report, drawn = _run("--setup", "torch-imported", "--backend", "torch", "--seed", "5", **env)
    assert (report["rank"], report["world_size"], report["master"]) == (1, 2, 5)
    assert drawn == []  # the seed was given


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"}, (3, 4)),  # torchrun
        ({"OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "3"}, (2, 3)),  # mpirun
        ({"SLURM_PROCID": "5", "SLURM_NTASKS": "8"}, (5, 8)),  # srun
        ({}, (0, 1)),  # a plain `python train.py`
    ],
    ids=["torchrun", "openmpi", "slurm", "single"],
)
def test_launcher_environment_without_a_process_group(env, expected):
    report, drawn = _run("--setup", "none", "--seed", "9", **env)
    assert (report["rank"], report["world_size"]) == expected
    assert not report["torch_loaded"] and report["master"] == 9


def test_single_process_draws_and_announces_its_seed():
    report, drawn = _run("--setup", "none")
    assert (report["rank"], report["world_size"]) == (0, 1)
    assert len(drawn) == 1 and DRAWN.match(drawn[0]).group(1) == str(report["master"])


@pytest.mark.parametrize("rank", [0, 1])
def test_initialised_horovod_gives_rank_size_and_the_broadcast_seed(rank):
    # A fake horovod.torch (see the module docstring); the launcher env disagrees on
    # purpose: an initialised Horovod comes before the environment.
    env = {"OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "1"}
    report, drawn = _run("--setup", "fake-horovod", "--rank", str(rank), "--world-size", "3", **env)
    assert (report["rank"], report["world_size"]) == (rank, 3)
    assert report["master"] == 4242  # what broadcast_object returned (rank 0's value)
    assert len(report["broadcasts"]) == 1 and report["broadcasts"][0][1] == 0
    assert drawn == (["seeder: master seed 4242 (drawn; repeat with --seed 4242 or "
                      "SEEDER_MASTER_SEED=4242)"] if rank == 0 else [])  # fmt: skip
