"""Executed scenarios: a migration is judged by running it.

Golden fixtures compare text; they cannot see a migrated script that crashes or silently
stops being reproducible. Each script in ``tests/scenarios/`` is a small, runnable,
*unmigrated* training script reproducing a real-world shape (see its README). For each:

1. ``seedmigrate apply`` on a copy: the file changes, the exit code is 0 (or the exit 1
   and the SEED022 findings the scenario declares), a second ``apply`` changes nothing,
   and the epoch reseeds land exactly in the loops the scenario names;
2. the migrated script runs single-process twice with a seed (bit-identical results and
   identical SEEDER_LOG reseeds, whose master seed is the one given) and twice without
   one (results differ), unless its seed is a hard-coded constant;
3. a distributed scenario also runs as 2 gloo processes (torchrun, ``mp.spawn`` or two
   ranks started by hand): every rank exits 0, seeded repeats are identical per rank, the
   ranks draw different randomness, agree on a generated master seed, and the shards of
   a ``DistributedSampler`` do not overlap.

Every run writes SEEDER_LOG, and no run may reseed one (task, epoch) twice on a rank.
Each script prints one ``RESULT <json>`` line per epoch (floats as ``float.hex``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import REPO, run_cli

pytestmark = pytest.mark.slow

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SEED = 20260611
OTHER_SEED = 7
RUN_TIMEOUT = 240
#: Variables a developer's shell or a launcher may have set that would change the runs.
_CLEARED = re.compile(
    r"^(SEEDER_\w+|SEED|RANK|LOCAL_RANK|GROUP_RANK|ROLE_RANK|WORLD_SIZE|LOCAL_WORLD_SIZE|"
    r"MASTER_ADDR|MASTER_PORT|TORCHELASTIC_\w+|PL_\w+|ACCELERATE_\w+|OMPI_\w+|SLURM_\w+)$"
)


@dataclass(frozen=True)
class Scenario:
    """One script of ``tests/scenarios`` and how to run it.

    ``seed`` says where the seed comes from:
    ``"flag"`` an option (``flag``, default ``--seed``) appended to the arguments;
    ``"master"`` no seed anywhere in the script: ``SEEDER_MASTER_SEED`` in the environment;
    ``"env:NAME"`` the script reads ``NAME``, which it requires: "without a seed" means two
    other values;
    ``"config"`` a JSON file (``config``) passed as ``--config``; ``"seed": null`` unseeded;
    ``"constant"`` a hard-coded seed (``constant``), which apply keeps: only repeats are run.
    """

    script: str
    args: tuple[str, ...] = ()
    seed: str = "flag"
    flag: str = "--seed"
    constant: int | None = None
    config: tuple[tuple[str, object], ...] = ()
    #: loop headers (stripped source lines) whose first statement must be
    #: ``seeder.reseed(1, ...)``; no other ``seeder.reseed(1, ...)`` may exist
    reseeded: tuple[str, ...] = ()
    #: strings the migrated text must contain
    contains: tuple[str, ...] = ()
    #: ``(statement, guarantee)`` of each SEED022 apply must report (then it exits 1):
    #: the statement whose fix is withheld, as it reads in the migrated script
    withheld: tuple[tuple[str, str], ...] = ()
    #: apply must leave the script as it is (every fix withheld): it still runs and
    #: repeats as before, and says why in the SEED022 findings
    unchanged: bool = False
    #: 2-process launches: ``"torchrun"``, or ``("spawn"|"ranks", extra args)`` where the
    #: args may use ``{port}`` and, for "ranks" (one process per rank), ``{rank}``
    launches: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: the results carry the ``indices`` each rank trained on (DistributedSampler)
    sharded: bool = False
    #: ``(option, a, b)``: another seed-like option that must still change the results
    also_matters: tuple[str, str, str] | None = None
    timeout: float = RUN_TIMEOUT
    id: str = ""

    @property
    def name(self) -> str:
        return self.id or Path(self.script).stem


_EPOCH = "for epoch in range(args.epochs):"
_RANKS_ARGS = ("--world-size", "2", "--rank", "{rank}", "--dist-url", "tcp://127.0.0.1:{port}")
_SPAWN_ARGS = (
    "--multiprocessing-distributed",
    *("--world-size", "1", "--rank", "0", "--dist-url", "tcp://127.0.0.1:{port}"),
)

ALL = [
    Scenario(
        "imagenet_mp_spawn.py",
        reseeded=("for epoch in range(args.start_epoch, args.epochs):",),
        contains=("DistributedSampler(train_dataset, seed=seeder.sampler_seed())",),
        launches=(("spawn", _SPAWN_ARGS), ("ranks", _RANKS_ARGS)),
        sharded=True,
    ),
    Scenario(
        "bert_run_glue.py",
        reseeded=("for epoch in range(int(args.num_train_epochs)):",),
        launches=(("torchrun", ()),),
        sharded=True,
    ),
    Scenario(
        "dle_setup_is_initialized.py",
        reseeded=(_EPOCH,),
        launches=(("torchrun", ()),),
        sharded=True,
    ),
    Scenario(
        "nanogpt_while_iters.py",
        seed="constant",
        constant=1337,
        reseeded=("while True:",),
        contains=("seeder.init(master_seed=1337)",),
        launches=(("torchrun", ()),),
    ),
    Scenario("argument_group_seed.py", reseeded=(_EPOCH,)),
    Scenario("parser_helper_seed.py", reseeded=("for epoch in range(0, args.epochs):",)),
    Scenario(
        "subparsers_train_eval.py",
        args=("train",),
        reseeded=("for e in range(args.epochs):",),
        id="subparsers_train_eval-train",
    ),
    Scenario(
        "subparsers_train_eval.py",
        args=("eval",),
        reseeded=("for e in range(args.epochs):",),
        id="subparsers_train_eval-eval",
    ),
    Scenario("nested_step_loops.py", reseeded=(_EPOCH,)),
    Scenario("ppo_updates_epochs.py", reseeded=("for update in range(1, num_updates + 1):",)),
    Scenario(
        "lightning_trainer_callbacks.py",
        contains=("callbacks=[*callbacks, seeder.SeederCallback()]",),
    ),
    Scenario("env_seed.py", seed="env:SEED", reseeded=("for epoch in range(epochs):",)),
    Scenario("env_seed_local_name.py", seed="env:SEED", reseeded=("for epoch in range(epochs):",)),
    Scenario(
        "config_file_seed.py",
        seed="config",
        config=(("seed", None), ("epochs", 3), ("noise", 0.1), ("lr", 0.1), ("drop_rate", 0.2)),
        reseeded=('for epoch in range(cfg["epochs"]):',),
        contains=('seeder.init(master_seed=cfg["seed"])',),
    ),
    Scenario("set_seed_helper_train_fn.py", reseeded=("for epoch in range(1, args.epochs + 1):",)),
    Scenario("seed_again_before_training.py", reseeded=(_EPOCH,)),
    Scenario("keras_fit_callbacks_var.py", contains=("seeder.SeederCB()",)),
    Scenario("tf_custom_loop.py", reseeded=(_EPOCH,)),
    Scenario(
        "accelerate_set_seed.py",
        args=("--cpu",),
        reseeded=("for epoch in range(args.num_epochs):",),
        launches=(("torchrun", ()),),
    ),
    Scenario("regression_never_seeded.py", seed="master", reseeded=("for batch_idx in count(1):",)),
    Scenario("never_seeded_with_parser.py", reseeded=("for it in range(args.iters):",)),
    Scenario("click_seed_option.py", reseeded=("for epoch in range(epochs):",)),
    Scenario("absl_flags_seed.py", reseeded=("for epoch in range(FLAGS.epochs):",)),
    Scenario(
        "dcgan_manual_seed.py", flag="--manualSeed", reseeded=("for epoch in range(opt.niter):",)
    ),
    Scenario("dataloader_workers_augment.py", reseeded=(_EPOCH,)),
    Scenario("word_language_model_try.py", reseeded=("for epoch in range(1, args.epochs + 1):",)),
    Scenario(
        "separate_data_seed.py",
        # a second seed init cannot take: keeping np.random.seed(args.data_seed) beside an
        # init would be dead (reseed(1, epoch) reseeds numpy), so nothing is migrated
        withheld=(
            (
                'parser.add_argument("--seed", type=int, default=3, help="model initialisation and dropout")',
                "e",
            ),
            ("args = parser.parse_args()", "e"),
            ("torch.manual_seed(args.seed)", "e"),
            ("np.random.seed(args.data_seed)", "e"),
            ("for epoch in range(args.epochs):", "e"),
        ),
        unchanged=True,
        also_matters=("--data-seed", "0", "1"),
    ),
]
BY_NAME = {scenario.name: scenario for scenario in ALL}
DISTRIBUTED = [(s.name, launch[0]) for s in ALL for launch in s.launches]


# -- running things ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _CLEARED.match(k)}
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.update(
        PYTHONPATH=path,
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        CUDA_VISIBLE_DEVICES="",
    )
    return env


@dataclass
class Run:
    """The results (``RESULT`` lines) and SEEDER_LOG lines of one launch."""

    results: list[dict]
    log: list[dict]
    output: str

    def by_rank(self) -> dict[int, list[dict]]:
        ranks: dict[int, list[dict]] = defaultdict(list)
        for result in self.results:
            ranks[result.get("rank", 0)].append(result)
        return dict(ranks)


class Runner:
    """Runs the migrated copy of one scenario in ``tmp``, each run with its own log."""

    def __init__(self, scenario: Scenario, tmp: Path):
        self.scenario = scenario
        self.tmp = tmp
        self.count = 0

    def seed_inputs(self, value: int | None) -> tuple[list[str], dict[str, str]]:
        """Arguments and environment that give the script the seed ``value`` (``None``:
        none), for its kind of seed source."""
        s = self.scenario
        args, env = list(s.args), {}
        if s.seed == "flag":
            args += [s.flag, str(value)] if value is not None else []
        elif s.seed == "master":
            env = {"SEEDER_MASTER_SEED": str(value)} if value is not None else {}
        elif s.seed.startswith("env:"):
            assert value is not None, "the script requires its environment variable"
            env = {s.seed[4:]: str(value)}
        elif s.seed == "config":
            config = {**dict(s.config), "seed": value}
            path = self.tmp / f"config-{self.count}.json"
            path.write_text(json.dumps(config))
            args += ["--config", path.name]
        else:
            assert s.seed == "constant", s.seed
        return args, env

    def run(
        self, value: int | None, launch: tuple[str, tuple[str, ...]] | None = None, extra=()
    ) -> Run:
        self.count += 1
        args, env = self.seed_inputs(value)
        args += list(extra)
        log = self.tmp / f"seeder-{self.count}.jsonl"
        env = {**_base_env(), **env, "SEEDER_LOG": str(log)}
        script = self.scenario.script
        kind, launch_args = launch or ("single", ())
        port = str(_free_port())
        commands = []
        if kind == "single":
            commands.append([sys.executable, script, *args])
        elif kind == "torchrun":
            torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2"]
            torchrun += ["--master_addr", "127.0.0.1", "--master_port", port]
            commands.append([*torchrun, script, *args])
        elif kind == "spawn":
            commands.append([sys.executable, script, *args, *_format(launch_args, port)])
        elif kind == "ranks":
            for rank in (0, 1):
                extra_args = _format(launch_args, port, rank)
                commands.append([sys.executable, script, *args, *extra_args])
        else:
            raise AssertionError(kind)
        procs = [
            subprocess.Popen(
                command,
                cwd=self.tmp,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        outputs = []
        try:
            for proc, command in zip(procs, commands, strict=True):
                out, err = proc.communicate(timeout=self.scenario.timeout)
                shown = " ".join(command[1:])
                assert proc.returncode == 0, (
                    f"`{shown}` exited {proc.returncode}\n--- stdout\n{out[-3000:]}\n"
                    f"--- stderr\n{err[-6000:]}"
                )
                outputs.append(out)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        output = "".join(outputs)
        results = _results(output)
        assert results, f"no RESULT lines\n{output[-3000:]}"
        lines = log.read_text().splitlines() if log.exists() else []
        return Run(results, [json.loads(line) for line in lines], output)


def _results(output: str) -> list[dict]:
    """The ``RESULT <json>`` records of ``output``, in order.

    Not line by line: torchrun starts its workers with ``python -u``, so a worker's
    ``print`` writes the record and its newline in two writes, and two ranks sharing the
    pipe can give ``RESULT {a}RESULT {b}\\n\\n``. Each record is one write, so it stays whole.
    """
    decoder = json.JSONDecoder()
    return [
        decoder.raw_decode(output, match.end())[0]
        for match in re.finditer(r"RESULT (?=\{)", output)
    ]


def _format(args: tuple[str, ...], port: str, rank: int = 0) -> list[str]:
    return [a.format(port=port, rank=rank) for a in args]


def _migrate(scenario: Scenario, tmp: Path) -> tuple[str, str]:
    """Copy the scenario to ``tmp``, apply, check what apply promises; (old, new) text."""
    path = tmp / scenario.script
    shutil.copy(SCENARIOS / scenario.script, path)
    original = path.read_text()
    applied = run_cli("apply", "--output-format", "json", scenario.script, cwd=tmp)
    migrated = path.read_text()
    report = f"{applied.stdout}\n{applied.stderr}\n--- migrated\n{migrated}"
    expected_exit = 1 if scenario.withheld else 0
    assert applied.returncode == expected_exit, report
    assert (migrated == original) == scenario.unchanged, report
    findings = json.loads(applied.stdout) if applied.stdout.strip() else []
    lines = migrated.splitlines()
    withheld = {
        (lines[f["line"] - 1].strip(), re.search(r"guarantee \((\w+)\)", f["message"]).group(1))
        for f in findings
        if f["code"] == "SEED022"
    }
    assert withheld == set(scenario.withheld), report

    again = run_cli("apply", scenario.script, cwd=tmp)
    assert again.returncode == expected_exit, again.stdout + again.stderr
    assert path.read_text() == migrated, "a second apply changed the file again"

    _check_reseeds(scenario, migrated)
    for text in scenario.contains:
        assert text in migrated, f"{text!r} not in the migrated script\n{migrated}"
    return original, migrated


def _check_reseeds(scenario: Scenario, migrated: str) -> None:
    lines = [line.strip() for line in migrated.splitlines()]
    reseeds = [n for n, line in enumerate(lines) if line.startswith("seeder.reseed(1, ")]
    where = []
    for n in reseeds:
        header = next(lines[i] for i in range(n - 1, -1, -1) if lines[i])
        where.append(header)
    assert sorted(where) == sorted(scenario.reseeded), (
        f"epoch reseeds follow {where}, expected {list(scenario.reseeded)}\n{migrated}"
    )


# -- what a run must show ----------------------------------------------------------------


def _check_log(run: Run, *, world_size: int, master: int | None) -> int:
    """Every rank reseeded, never one (task, epoch) twice; one master seed for all ranks
    (``master`` when given). Returns the master seed.

    With ``world_size`` > 1, a process may also seed before the process group exists (the
    launcher before ``mp.spawn``, each rank before ``init_process_group``): those lines
    say world size 1, and they may only be start-up reseeds (task 0)."""
    assert run.log, "SEEDER_LOG is empty: seeder.init/reseed never ran"
    lines = run.log
    if world_size > 1:
        before = [line for line in lines if line["world_size"] == 1]
        assert {line["task"] for line in before} <= {0}, (
            f"reseeded past start-up before the process group existed: {before[:4]}"
        )
        lines = [line for line in lines if line["world_size"] != 1]
    assert {line["world_size"] for line in lines} == {world_size}, run.log[:4]
    assert {line["rank"] for line in lines} == set(range(world_size)), run.log[:4]
    # unseeded, each process may draw its own seed before the group exists; from then on
    # they all use rank 0's
    masters = {line["master_seed"] for line in lines}
    assert len(masters) == 1, f"the ranks used different master seeds: {masters}"
    if master is not None:
        everywhere = {line["master_seed"] for line in run.log}
        assert everywhere == {master}, f"master seed {everywhere}, expected {master}"
    seen = defaultdict(int)
    for line in lines:
        seen[(line["rank"], line["task"], line["epoch"])] += 1
    twice = sorted(key for key, count in seen.items() if count > 1)
    assert not twice, f"(rank, task, epoch) reseeded more than once: {twice}"
    return masters.pop()


def _expected_master(scenario: Scenario, value: int) -> int:
    return scenario.constant if scenario.seed == "constant" else value


def _sorted_log(run: Run) -> list[str]:
    return sorted(json.dumps(line, sort_keys=True) for line in run.log)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_single_process(name, tmp_path):
    scenario = BY_NAME[name]
    original, migrated = _migrate(scenario, tmp_path)
    runner = Runner(scenario, tmp_path)

    first, second = runner.run(SEED), runner.run(SEED)
    assert first.results == second.results, "seeded runs differ"
    if scenario.unchanged:
        # left as it was: it repeats as it did, and its other seed still matters
        option, x, y = scenario.also_matters or ("--seed", "1", "2")
        assert (
            runner.run(SEED, extra=(option, x)).results
            != runner.run(SEED, extra=(option, y)).results
        )
        return
    assert _sorted_log(first) == _sorted_log(second)
    master = _check_log(first, world_size=1, master=_expected_master(scenario, SEED))
    _check_log(second, world_size=1, master=master)

    if scenario.seed == "constant":
        # apply keeps a hard-coded seed: there is no way to run this script unseeded
        assert _check_log(runner.run(None), world_size=1, master=scenario.constant)
        return
    if scenario.seed.startswith("env:"):
        # the script requires its variable: "unseeded" is two other values of it
        a, b = runner.run(OTHER_SEED), runner.run(OTHER_SEED + 1)
    else:
        a, b = runner.run(None), runner.run(None)
    assert a.results != b.results, "two runs without a seed drew the same numbers"
    assert a.results != first.results
    assert _check_log(a, world_size=1, master=None) != _check_log(b, world_size=1, master=None)

    if scenario.also_matters is not None:
        option, x, y = scenario.also_matters
        with_x = runner.run(SEED, extra=(option, x))
        with_y = runner.run(SEED, extra=(option, y))
        assert with_x.results != with_y.results, f"{option} {x} and {option} {y} give one run"

    if scenario.seed != "flag" and '"--seed"' in migrated and '"--seed"' not in original:
        # apply added a seed option: it must work like one (the script's own source of
        # seed left unseeded, or at another value when it cannot be left out)
        value = OTHER_SEED if scenario.seed.startswith("env:") else None
        x = runner.run(value, extra=("--seed", str(SEED)))
        y = runner.run(value, extra=("--seed", str(SEED)))
        assert x.results == y.results, "the --seed option apply added does not seed the run"


@pytest.mark.parametrize("name,launch", DISTRIBUTED, ids=[f"{n}-{k}" for n, k in DISTRIBUTED])
def test_two_processes(name, launch, tmp_path):
    scenario = BY_NAME[name]
    _migrate(scenario, tmp_path)
    runner = Runner(scenario, tmp_path)
    spec = dict(scenario.launches)[launch]

    first = runner.run(SEED, (launch, spec))
    second = runner.run(SEED, (launch, spec))
    ranks = first.by_rank()
    assert sorted(ranks) == [0, 1], f"results from ranks {sorted(ranks)}\n{first.output[-2000:]}"
    assert ranks == second.by_rank(), "seeded 2-process runs differ"
    assert _sorted_log(first) == _sorted_log(second)
    _check_log(first, world_size=2, master=_expected_master(scenario, SEED))
    _check_log(second, world_size=2, master=_expected_master(scenario, SEED))

    _check_ranks_differ(ranks)
    if scenario.sharded:
        _check_shards(ranks)

    if scenario.seed != "constant":
        unseeded = runner.run(None, (launch, spec))
        master = _check_log(unseeded, world_size=2, master=None)  # one seed, broadcast
        assert master != SEED
        _check_ranks_differ(unseeded.by_rank())
        if scenario.sharded:
            _check_shards(unseeded.by_rank())


def _check_ranks_differ(ranks: dict[int, list[dict]]) -> None:
    assert len(ranks[0]) == len(ranks[1]), (len(ranks[0]), len(ranks[1]))
    for zero, one in zip(ranks[0], ranks[1], strict=True):
        for a, b in zip(zero["probe"], one["probe"], strict=True):
            assert a != b, f"ranks 0 and 1 drew the same number: {zero} {one}"


def _check_shards(ranks: dict[int, list[dict]]) -> None:
    assert len(ranks[0]) == len(ranks[1]), (len(ranks[0]), len(ranks[1]))
    for zero, one in zip(ranks[0], ranks[1], strict=True):
        overlap = set(zero["indices"]) & set(one["indices"])
        assert not overlap, f"ranks 0 and 1 both trained on samples {sorted(overlap)}"
        assert len(zero["indices"]) == len(set(zero["indices"]))
