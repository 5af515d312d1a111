"""seeder_runtime core: argument validation, derivation rules, generators, state, log."""

from __future__ import annotations

import json
import logging
import pickle
import random

import numpy as np
import pytest

import seeder_runtime as seeder
from seeder_runtime import _core


@pytest.fixture(autouse=True)
def core_only(monkeypatch):
    """Test the core alone even when a backend test in this worker loaded torch or TF."""
    monkeypatch.setattr(_core._STATE, "backends", {})


# ---------------------------------------------------------------- argument validation


@pytest.mark.parametrize("bad", [True, False, 1.0, "1", b"1", [1]])
def test_init_rejects_non_int_master_seed(bad):
    with pytest.raises(TypeError, match="master_seed"):
        seeder.init(bad)


@pytest.mark.parametrize("bad", [-1, 2**63, 2**70])
def test_init_rejects_out_of_range_master_seed(bad):
    with pytest.raises(ValueError, match="master_seed"):
        seeder.init(bad)


def test_init_accepts_extremes_and_numpy_ints():
    assert seeder.init(0) == 0
    assert seeder.init(2**63 - 1) == 2**63 - 1
    assert seeder.init(np.int64(7)) == 7
    assert type(seeder.get_master_seed()) is int


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"ngpus": 0}, ValueError, "ngpus"),
        ({"ngpus": 2.0}, TypeError, "ngpus"),
        ({"local_rank": -1}, ValueError, "local_rank"),
        ({"local_rank": True}, TypeError, "local_rank"),
        ({"ngpus": 2, "local_rank": 2}, ValueError, "local_rank"),
        ({"scheme": "v2"}, ValueError, "scheme"),
    ],
)
def test_init_rejects_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        seeder.init(1, **kwargs)


def test_calls_before_init_say_to_call_init():
    for call in (lambda: seeder.reseed(0), seeder.get_master_seed, seeder.state_dict):
        with pytest.raises(RuntimeError, match=r"init\(\)"):
            call()


@pytest.mark.parametrize(
    ("task", "epoch", "exc", "name"),
    [
        (-1, 0, ValueError, "task"),
        (0, -1, ValueError, "epoch"),
        (1.0, 0, TypeError, "task"),
        (0, "1", TypeError, "epoch"),
        (True, 0, TypeError, "task"),
        (2**63, 0, ValueError, "task"),
    ],
)
def test_reseed_validates_task_and_epoch(task, epoch, exc, name):
    seeder.init(1)
    with pytest.raises(exc, match=name):
        seeder.reseed(task, epoch)


def test_any_task_number_works():
    seeder.init(3)
    streams = set()
    for task in (0, 1, 2, 5, 1000):
        seeder.reseed(task, 4)
        streams.add(random.random())
    assert len(streams) == 5


# ---------------------------------------------------------------- master seed sources


def test_master_seed_from_env(monkeypatch):
    monkeypatch.setenv("SEEDER_MASTER_SEED", "1234")
    assert seeder.init() == 1234
    assert seeder.get_master_seed() == 1234


@pytest.mark.parametrize("value", ["abc", "-3", "1.5"])
def test_bad_master_seed_env_is_named(monkeypatch, value):
    monkeypatch.setenv("SEEDER_MASTER_SEED", value)
    with pytest.raises(ValueError, match="SEEDER_MASTER_SEED"):
        seeder.init()


def test_generated_master_seed_is_logged_once_and_returned(caplog):
    with caplog.at_level(logging.INFO, logger="seeder_runtime"):
        seed = seeder.init()
        seeder.reseed(0)
        seeder.reseed(1, 1)
    assert 0 <= seed < 2**63
    assert seeder.get_master_seed() == seed
    messages = [r.getMessage() for r in caplog.records if r.name == "seeder_runtime"]
    assert len(messages) == 1 and str(seed) in messages[0]


def _drawn_line(seed):
    return (
        f"seeder: master seed {seed} (drawn; repeat with --seed {seed} "
        f"or SEEDER_MASTER_SEED={seed})\n"
    )


def test_drawn_master_seed_is_printed_once_on_stderr(capsys):
    seed = seeder.init()
    seeder.reseed(0)
    seeder.reseed(1, 1)
    captured = capsys.readouterr()
    assert captured.err == _drawn_line(seed) and captured.out == ""
    again = seeder.init()  # every init that draws says so
    assert capsys.readouterr().err == _drawn_line(again)


def test_given_or_env_master_seed_prints_nothing(capsys, monkeypatch):
    seeder.init(5)
    seeder.init(master_seed=0)
    monkeypatch.setenv("SEEDER_MASTER_SEED", "77")
    seeder.init()
    assert capsys.readouterr().err == ""


def test_drawn_master_seed_is_printed_by_rank_0_only(capsys):
    seeder.init(None, ngpus=2, local_rank=1)
    assert capsys.readouterr().err == ""
    seed = seeder.init(None, ngpus=2, local_rank=0)
    assert capsys.readouterr().err == _drawn_line(seed)


@pytest.mark.parametrize(
    ("value", "quiet"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_seeder_quiet_silences_the_line_but_not_the_log(capsys, caplog, monkeypatch, value, quiet):
    monkeypatch.setenv("SEEDER_QUIET", value)
    with caplog.at_level(logging.INFO, logger="seeder_runtime"):
        seed = seeder.init()
    assert capsys.readouterr().err == ("" if quiet else _drawn_line(seed))
    assert [str(seed) in r.getMessage() for r in caplog.records] == [True]


def test_generated_seed_without_process_group_warns_when_world_is_larger(caplog):
    with caplog.at_level(logging.WARNING, logger="seeder_runtime"):
        seeder.init(None, ngpus=2, local_rank=1)
    assert any("ranks will disagree" in r.getMessage() for r in caplog.records)


def test_init_again_reinitialises():
    seeder.init(1, ngpus=4, local_rank=2)
    seeder.reseed(1, 3)
    first = random.random()
    seeder.init(2)
    assert _core.last_reseed() == (2, 0, 0, 0, 1)
    seeder.reseed(1, 3)
    assert random.random() != first


# ---------------------------------------------------------------- rank detection


@pytest.mark.parametrize(
    "env",
    [
        {"RANK": "3", "WORLD_SIZE": "4"},
        {"OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4"},
        {"SLURM_PROCID": "3", "SLURM_NTASKS": "4"},
    ],
)
def test_rank_and_world_size_from_launcher_env(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seeder.init(5)
    assert _core.last_reseed()[3:] == (3, 4)


def test_rank_env_precedence_and_explicit_arguments(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("SLURM_PROCID", "5")
    monkeypatch.setenv("SLURM_NTASKS", "8")
    seeder.init(5)
    assert _core.last_reseed()[3:] == (1, 2)
    seeder.init(5, ngpus=8)  # size given, rank still detected
    assert _core.last_reseed()[3:] == (1, 8)
    seeder.init(5, ngpus=3, local_rank=0)
    assert _core.last_reseed()[3:] == (0, 3)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RANK": "-1", "WORLD_SIZE": "2"}, "RANK=-1"),
        ({"RANK": "0", "WORLD_SIZE": "0"}, "WORLD_SIZE=0"),
        ({"RANK": "2", "WORLD_SIZE": "2"}, "RANK=2"),
        ({"OMPI_COMM_WORLD_RANK": "-3", "OMPI_COMM_WORLD_SIZE": "4"}, "OMPI_COMM_WORLD_RANK=-3"),
        ({"SLURM_PROCID": "0", "SLURM_NTASKS": "-1"}, "SLURM_NTASKS=-1"),
    ],
)
def test_out_of_range_launcher_env_names_the_variable(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=named) as info:
        seeder.init(1)
    assert "local_rank" not in str(info.value) and "ngpus" not in str(info.value)


def test_detected_rank_outside_given_ngpus_names_both_sources(monkeypatch):
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("WORLD_SIZE", "4")
    with pytest.raises(ValueError, match=r"RANK=3.*ngpus=2"):
        seeder.init(1, ngpus=2)


def test_bad_rank_env_is_named(monkeypatch):
    monkeypatch.setenv("RANK", "x")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ValueError, match="RANK"):
        seeder.init(1)


# ---------------------------------------------------------------- derivation rules

GRID_MASTERS, GRID_RANKS, GRID_TASKS, GRID_EPOCHS = range(60), range(8), range(3), range(40)


def _grid_seeds(scheme):
    """Seeds handed to one per-rank and one shared generator over the 57,600-reseed grid."""
    per_rank, shared = [], {}
    current = {}
    per_rank_fn = per_rank.append

    def shared_fn(seed):
        current["shared"] = seed

    seeder.register_generator(per_rank_fn)
    seeder.register_generator(shared_fn, shared=True)
    for master in GRID_MASTERS:
        for rank in GRID_RANKS:
            seeder.init(master, ngpus=8, local_rank=rank, scheme=scheme)
            for task in GRID_TASKS:
                for epoch in GRID_EPOCHS:
                    seeder.reseed(task, epoch)
                    shared.setdefault((master, task, epoch), set()).add(current["shared"])
    return per_rank, shared


def test_v1_generator_seeds_distinct_over_57600_reseeds():
    per_rank, shared = _grid_seeds("v1")
    assert len(per_rank) == 57_600
    assert len(set(per_rank)) == 57_600
    # shared: one seed per (master, task, epoch) on all ranks, never a per-rank seed
    assert all(len(seeds) == 1 for seeds in shared.values())
    shared_values = {next(iter(s)) for s in shared.values()}
    assert len(shared_values) == len(shared) == 60 * 3 * 40
    assert shared_values.isdisjoint(per_rank)


def test_fwr13y_collides_as_published():
    per_rank, shared = _grid_seeds("fwr13y")
    assert len(per_rank) == 57_600
    assert len(set(per_rank)) == 759
    assert all(len(seeds) == 1 for seeds in shared.values())


def _fwr13y_reference(master, task, epoch, rank, ngpus):
    return random.Random((master + epoch * ngpus + rank) * 2 + task).randint(0, 2**31 - 1)


def _fwr13y_shared_reference(master, task, epoch):
    return random.Random(2 * (master + epoch) * 2 + task).randint(0, 2**31 - 1)


@pytest.mark.parametrize("ngpus", [1, 3, 8])
def test_fwr13y_is_bit_exact(ngpus):
    got = {}
    seeder.register_generator(lambda s: got.__setitem__("rank", s))
    seeder.register_generator(lambda s: got.__setitem__("shared", s), shared=True)
    for master in (0, 1, 42, 2**40 + 7):
        for rank in range(ngpus):
            seeder.init(master, ngpus, rank, scheme="fwr13y")
            for task in (0, 1, 2, 7):
                for epoch in (0, 1, 9):
                    seeder.reseed(task, epoch)
                    expected = _fwr13y_reference(master, task, epoch, rank, ngpus)
                    # every global RNG gets the per-rank seed, exactly as fwr13y does
                    assert random.getstate() == random.Random(expected).getstate()
                    reference = np.random.RandomState(expected)
                    assert np.random.randint(2**31) == reference.randint(2**31)
                    assert got["rank"] == expected
                    assert got["shared"] == _fwr13y_shared_reference(master, task, epoch)


def test_fwr13y_collision_that_v1_avoids():
    seeds = {}
    for scheme in ("fwr13y", "v1"):
        seeder.init(0, ngpus=4, local_rank=0, scheme=scheme)
        seeder.reseed(0, 1)
        a = random.random()
        seeder.init(4, ngpus=4, local_rank=0, scheme=scheme)
        seeder.reseed(0, 0)
        seeds[scheme] = (a, random.random())
    assert seeds["fwr13y"][0] == seeds["fwr13y"][1]  # (seed=0, epoch=1) == (seed=4, epoch=0)
    assert seeds["v1"][0] != seeds["v1"][1]


def test_python_and_numpy_draw_different_streams():
    seeder.init(11)
    for task in range(3):
        for epoch in range(20):
            words = _core.derive_words(11, task, epoch, 0)
            assert len(set(words)) == len(words)
            seeder.reseed(task, epoch)
            py = [random.getrandbits(32) for _ in range(4)]
            assert py != list(np.random.randint(0, 2**32, size=4, dtype=np.uint64))


def test_seeds_differ_per_rank_task_epoch_and_master():
    draws = set()
    for master in (0, 1):
        for rank in range(3):
            seeder.init(master, ngpus=3, local_rank=rank)
            for task in range(2):
                for epoch in range(3):
                    seeder.reseed(task, epoch)
                    draws.add((random.random(), float(np.random.random())))
    assert len(draws) == 2 * 3 * 2 * 3


# ---------------------------------------------------------------- generators


def test_register_generator_before_init_and_unregister():
    rng = np.random.default_rng()
    calls = []
    seeder.register_generator(calls.append)
    seeder.register_generator(lambda s: rng.bit_generator.state, shared=True)
    seeder.init(9)
    seeder.reseed(0, 0)
    seeder.reseed(0, 1)
    assert len(calls) == 2 and calls[0] != calls[1]
    seeder.unregister_generator(calls.append)  # bound methods compare equal
    seeder.reseed(0, 2)
    assert len(calls) == 2


def test_unregister_unknown_generator_raises_clearly():
    with pytest.raises(ValueError, match="not a registered generator"):
        seeder.unregister_generator(print)


def test_register_rejects_non_callable_and_bad_bits():
    with pytest.raises(TypeError, match="callable"):
        seeder.register_generator(3)
    with pytest.raises(ValueError, match="bits"):
        seeder.register_generator(print, bits=64)


def test_bits_32_suits_numpy_randomstate():
    legacy = np.random.RandomState()
    seeder.register_generator(legacy.seed, bits=32)
    seeder.init(2**62)
    for epoch in range(50):
        seeder.reseed(1, epoch)
    seeder.reseed(1, 3)
    first = legacy.randint(2**31)
    seeder.reseed(1, 3)
    assert legacy.randint(2**31) == first


def test_reseed_is_repeatable_in_process():
    seeder.init(77, ngpus=2, local_rank=1)
    seeder.reseed(1, 5)
    first = (random.random(), np.random.random())
    seeder.reseed(0, 0)
    seeder.reseed(1, 5)
    assert (random.random(), np.random.random()) == first


# ---------------------------------------------------------------- state_dict


def test_state_dict_mid_epoch_resume_through_pickle():
    seeder.init(5, ngpus=2, local_rank=1)
    seeder.reseed(1, 3)
    random.random(), np.random.normal()  # mid-epoch: some draws already made
    blob = pickle.dumps(seeder.state_dict())
    expected = [random.random(), float(np.random.normal()), float(np.random.normal())]

    seeder.init(99)
    seeder.reseed(0, 0)
    seeder.init(5, ngpus=2, local_rank=1)
    seeder.load_state_dict(pickle.loads(blob))
    assert [random.random(), float(np.random.normal()), float(np.random.normal())] == expected
    assert _core.last_reseed() == (5, 1, 3, 1, 2)


def test_load_state_dict_without_init_restores_seeder():
    seeder.init(8, ngpus=4, local_rank=3, scheme="fwr13y")
    seeder.reseed(1, 2)
    saved = seeder.state_dict()
    assert saved["seeder"] == {
        "master_seed": 8,
        "scheme": "fwr13y",
        "rank": 3,
        "world_size": 4,
        "last_task": 1,
        "last_epoch": 2,
    }
    seeder.reset()
    seeder.load_state_dict(saved)
    assert seeder.get_master_seed() == 8
    assert _core.last_reseed() == (8, 1, 2, 3, 4)


def test_load_state_dict_rejects_foreign_dicts():
    with pytest.raises(ValueError, match="state_dict"):
        seeder.load_state_dict({"python": []})


def _corrupt(saved, path, value):
    """A deep copy of ``saved`` with the item at ``path`` replaced (or deleted: ``...``)."""
    import copy

    broken = copy.deepcopy(saved)
    *parents, last = path
    target = broken
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return broken


MALFORMED = [
    (("seeder", "master_seed"), ..., "seeder.master_seed"),
    (("seeder", "master_seed"), True, "master_seed"),
    (("seeder", "master_seed"), -1, "master_seed"),
    (("seeder", "rank"), "x", "rank"),
    (("seeder", "rank"), 4, "rank"),
    (("seeder", "world_size"), 0, "world_size"),
    (("seeder", "last_task"), "abc", "last_task"),
    (("seeder", "last_epoch"), -2, "last_epoch"),
    (("seeder", "last_epoch"), None, "last_task"),  # one of the pair missing
    (("seeder", "scheme"), "v9", "scheme"),
    (("python",), ..., "python"),
    (("python",), [3, [1, 2], None], "python"),
    (("python", 1), ["x"] * 625, "python"),
    (("numpy",), "state", "numpy"),
    (("numpy", "key"), [1, 2, 3], "numpy"),
    (("numpy", "pos"), None, "numpy"),
]


@pytest.mark.parametrize(("path", "value", "name"), MALFORMED)
def test_malformed_state_dict_raises_valueerror_and_changes_nothing(path, value, name):
    seeder.init(8, ngpus=4, local_rank=3)
    seeder.reseed(1, 2)
    broken = _corrupt(seeder.state_dict(), path, value)

    seeder.reset()  # uninitialised: a failed load must leave it uninitialised
    random.seed(5), np.random.seed(5)
    before = (random.getstate(), np.random.get_state(legacy=True)[1].tolist())
    with pytest.raises(ValueError, match=name):
        seeder.load_state_dict(broken)
    with pytest.raises(RuntimeError, match=r"init\(\)"):
        seeder.get_master_seed()
    assert (random.getstate(), np.random.get_state(legacy=True)[1].tolist()) == before

    seeder.init(9)  # initialised: a failed load must leave the seeder and the RNGs alone
    seeder.reseed(0, 7)
    before = (random.getstate(), np.random.get_state(legacy=True)[1].tolist())
    with pytest.raises(ValueError, match=name):
        seeder.load_state_dict(broken)
    assert _core.last_reseed() == (9, 0, 7, 0, 1)
    assert (random.getstate(), np.random.get_state(legacy=True)[1].tolist()) == before


@pytest.mark.parametrize("bad", [None, [], {"version": 1}, {"version": 1, "seeder": "x"}])
def test_state_dict_that_is_not_one_raises_valueerror(bad):
    with pytest.raises(ValueError, match="state_dict"):
        seeder.load_state_dict(bad)


def test_load_state_dict_from_other_rank_warns(caplog):
    seeder.init(8, ngpus=2, local_rank=0)
    saved = seeder.state_dict()
    seeder.init(8, ngpus=2, local_rank=1)
    with caplog.at_level(logging.WARNING, logger="seeder_runtime"):
        seeder.load_state_dict(saved)
    assert any("one state_dict per rank" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- reset and the API


def test_reset_forgets_init_generators_and_the_last_reseed():
    calls = []
    seeder.register_generator(calls.append)
    seeder.init(3, ngpus=2, local_rank=1, scheme="fwr13y")
    seeder.reseed(1, 4)
    seeder.reset()
    for call in (lambda: seeder.reseed(0), seeder.get_master_seed, seeder.state_dict):
        with pytest.raises(RuntimeError, match=r"init\(\)"):
            call()
    seeder.init(3)
    seeder.reseed(1, 4)
    assert len(calls) == 1  # the generator registered before the reset is gone
    assert _core.last_reseed() == (3, 1, 4, 0, 1)  # defaults again: v1, rank 0 of 1
    assert seeder.state_dict()["seeder"]["scheme"] == "v1"


def test_reset_keeps_loaded_backends(monkeypatch):
    backend = object()
    monkeypatch.setitem(_core._STATE.backends, "fake", backend)
    seeder.reset()
    assert _core._STATE.backends["fake"] is backend


def test_the_package_exports_the_core_api():
    assert set(seeder.__all__) == set(_core.__all__) == {
        "get_master_seed", "init", "load_state_dict", "register_generator",
        "reseed", "reset", "state_dict", "unregister_generator",
    }  # fmt: skip
    assert all(getattr(seeder, name) is getattr(_core, name) for name in _core.__all__)


# ---------------------------------------------------------------- SEEDER_LOG


def test_seeder_log_writes_one_json_line_per_reseed(tmp_path, monkeypatch):
    log = tmp_path / "seeds.jsonl"
    monkeypatch.setenv("SEEDER_LOG", str(log))
    seeder.register_generator(lambda s: None)
    seeder.register_generator(lambda s: None, shared=True)
    seeder.init(21, ngpus=4, local_rank=2)
    seeder.reseed(0, 0)
    seeder.reseed(1, 7)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == 2
    record = lines[1]
    assert {k: record[k] for k in ("rank", "world_size", "task", "epoch", "scheme")} == {
        "rank": 2,
        "world_size": 4,
        "task": 1,
        "epoch": 7,
        "scheme": "v1",
    }
    assert record["master_seed"] == 21
    assert set(record["seeds"]) >= {"python", "numpy"}
    assert [g["shared"] for g in record["generators"]] == [False, True]
    words = _core.derive_words(21, 1, 7, 2)
    assert record["seeds"]["python"] == words[0]


def test_seeder_log_read_at_init(tmp_path, monkeypatch):
    seeder.init(1)
    monkeypatch.setenv("SEEDER_LOG", str(tmp_path / "late.jsonl"))
    seeder.reseed(0)
    assert not (tmp_path / "late.jsonl").exists()


def test_a_drawn_master_seed_fits_numpy_legacy_seeding(monkeypatch):
    """The drawn seed is written back into ``args.seed``; scripts still pass it to
    ``np.random.RandomState`` / ``np.random.seed``, which refuse seeds of 2**32 and more."""
    import numpy as np

    monkeypatch.delenv("SEEDER_MASTER_SEED", raising=False)
    monkeypatch.setenv("SEEDER_QUIET", "1")
    draws = {seeder.init() for _ in range(200)}
    assert len(draws) > 190
    assert max(draws) < 2**32
    np.random.RandomState(max(draws))  # would raise ValueError at 2**32 or more
