"""Seed derivation and the seeder's process-global state. No framework imports.

Backends (``seeder_runtime.torch``, ``seeder_runtime.tf``) call :func:`register_backend`
at import time so that the public functions defined here reseed their framework too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
import os
import random
import secrets
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from seeder_runtime import _distributed

__all__ = [
    "get_master_seed",
    "init",
    "load_state_dict",
    "register_generator",
    "reseed",
    "reset",
    "state_dict",
    "unregister_generator",
]
"""The API every backend module re-exports (``seeder_runtime``, ``.torch``, ``.tf``,
``.lightning``): listed once, here."""

logger = logging.getLogger("seeder_runtime")

SCHEMES = ("v1", "fwr13y")
SEED_LIMIT = 2**63  # master seeds, tasks and epochs live in [0, 2**63)
#: A master seed the runtime draws is below 2**32: the script gets it back (``args.seed =
#: seeder.get_master_seed()``) and may still pass it to ``np.random.RandomState``,
#: ``random_state=`` or a worker's ``np.random.seed``, which take 32-bit seeds only.
DRAWN_LIMIT = 2**32
MASTER_SEED_ENV = "SEEDER_MASTER_SEED"
LOG_ENV = "SEEDER_LOG"
QUIET_ENV = "SEEDER_QUIET"
STATE_DICT_VERSION = 1

_MASK63 = (1 << 63) - 1
_MASK31 = (1 << 31) - 1
_PACK = struct.Struct("<4Q")
_PACK_INDEX = struct.Struct("<5Q")

# Word positions in the 64-byte digest derived once per (master, task, epoch, rank).
# Each consumer reads its own word, so the streams are independent (domain separation by
# output position of one hash call: cheaper than one hash per consumer).
CONSUMER_WORDS: dict[str, int] = {
    "python": 0,
    "numpy": 1,
    "torch": 2,
    "tf": 3,
    "tf_generator": 4,
    "keras": 5,
}

# Shared seeds use this in place of a rank: no rank can be 2**64 - 1.
_SHARED_RANK = (1 << 64) - 1


class Backend(Protocol):
    """What a framework backend contributes to the core."""

    name: str
    consumers: tuple[str, ...]

    def reseed(self, words: tuple[int, ...]) -> None:
        """Seed the framework's global RNGs from the derived 63-bit words."""

    def state_dict(self) -> dict[str, Any]:
        """Capture the framework's RNG states."""

    def prepare_state(self, state: Any) -> Callable[[], None]:
        """Check what :meth:`state_dict` captured and return a function restoring it.

        Raises ``ValueError`` for a state it did not produce; nothing changes until the
        returned function is called, so a bad checkpoint leaves the process as it was.
        """

    def enable_determinism(self) -> None:
        """Switch on the framework's deterministic algorithms."""


@dataclass
class _Generator:
    fn: Callable[[int], Any]
    shared: bool
    bits: int


@dataclass
class _State:
    master_seed: int | None = None
    scheme: str = "v1"
    rank: int = 0
    world_size: int = 1
    last_task: int | None = None
    last_epoch: int | None = None
    log_path: str | None = None
    generators: list[_Generator] = field(default_factory=list)
    backends: dict[str, Backend] = field(default_factory=dict)
    # (task, epoch) -> derived words; cleared whenever init changes the inputs.
    cache: dict[tuple[int, int], tuple[int, ...]] = field(default_factory=dict)
    generator_cache: dict[tuple[int, int, int, bool], int] = field(default_factory=dict)
    # A seed this process drew while it could not share it (no process group yet): when a
    # later init receives it back (``args.seed = get_master_seed()``) in a group, the
    # ranks still agree on rank 0's value instead of each keeping its own draw.
    unshared_draw: int | None = None
    announced: int | None = None  # the drawn seed last announced, said once


_STATE = _State()
_CACHE_LIMIT = 4096


# --------------------------------------------------------------------------- validation


def _check_int(name: str, value: Any, *, upper: int = SEED_LIMIT, lower: int = 0) -> int:
    """Return ``value`` as an int in ``[lower, upper)`` or raise naming ``name``."""
    if isinstance(value, bool) or isinstance(value, (float, str, bytes)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    try:
        as_int = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}") from None
    if not lower <= as_int < upper:
        raise ValueError(f"{name} must be in [{lower}, {upper}), got {as_int}")
    return as_int


# --------------------------------------------------------------------------- derivation


def _digest_words(domain: bytes, data: bytes) -> tuple[int, ...]:
    digest = hashlib.blake2b(domain + data, digest_size=64).digest()
    return struct.unpack("<8Q", digest)


def derive_words(master: int, task: int, epoch: int, rank: int) -> tuple[int, ...]:
    """The eight 63-bit v1 seeds for one (master, task, epoch, rank), one per consumer."""
    words = _digest_words(b"seeder_runtime/v1/reseed\x00", _PACK.pack(master, task, epoch, rank))
    return tuple(w & _MASK63 for w in words)


def derive_seed(domain: str, master: int, task: int, epoch: int, rank: int, index: int = 0) -> int:
    """One 63-bit v1 seed in its own ``domain`` (e.g. a DataLoader worker, a Keras layer)."""
    data = _PACK_INDEX.pack(master, task, epoch, rank, index)
    digest = hashlib.blake2b(
        b"seeder_runtime/v1/" + domain.encode() + b"\x00" + data, digest_size=8
    ).digest()
    return int.from_bytes(digest, "little") & _MASK63


def fwr13y_seed(master: int, task: int, epoch: int, rank: int, world_size: int) -> int:
    """The per-rank seed of NVIDIA's fwr13y.seeder, bit for bit."""
    return random.Random((master + epoch * world_size + rank) * 2 + task).randint(0, 2**31 - 1)


def fwr13y_shared_seed(master: int, task: int, epoch: int) -> int:
    """The seed fwr13y.seeder gives generators registered with ``shared=True``."""
    return random.Random(2 * (master + epoch) * 2 + task).randint(0, 2**31 - 1)


def _words_for(state: _State, task: int, epoch: int) -> tuple[int, ...]:
    assert state.master_seed is not None
    if state.scheme == "fwr13y":
        seed = fwr13y_seed(state.master_seed, task, epoch, state.rank, state.world_size)
        return (seed,) * 8  # fwr13y gives every RNG the same seed
    return derive_words(state.master_seed, task, epoch, state.rank)


def generator_seed(state: _State, task: int, epoch: int, index: int, gen: _Generator) -> int:
    """Seed for the ``index``-th registered generator at (task, epoch)."""
    assert state.master_seed is not None
    if state.scheme == "fwr13y":
        if gen.shared:
            seed = fwr13y_shared_seed(state.master_seed, task, epoch)
        else:
            seed = fwr13y_seed(state.master_seed, task, epoch, state.rank, state.world_size)
    else:
        rank = _SHARED_RANK if gen.shared else state.rank
        domain = "shared-generator" if gen.shared else "generator"
        seed = derive_seed(domain, state.master_seed, task, epoch, rank, index)
    return seed & ((1 << gen.bits) - 1)


# --------------------------------------------------------------------------- backends


def register_backend(backend: Backend) -> None:
    """Make the public functions reseed / capture ``backend`` too (idempotent per name)."""
    _STATE.backends[backend.name] = backend


# --------------------------------------------------------------------------- public API


def init(
    master_seed: int | None = None,
    ngpus: int | None = None,
    local_rank: int | None = None,
    *,
    scheme: str = "v1",
    deterministic: bool = False,
) -> int:
    """Start (or restart) seeding for this process and return the master seed.

    Args:
        master_seed: int in ``[0, 2**63)``. ``None``: read ``SEEDER_MASTER_SEED``; if that
            is unset, draw one below ``2**32`` (:data:`DRAWN_LIMIT`) with :mod:`secrets`,
            broadcast rank 0's value over an
            initialised ``torch.distributed`` group or Horovod, and announce it on rank 0:
            one line on stderr (``seeder: master seed N (drawn; ...)``, silenced by
            ``SEEDER_QUIET=1``) and an INFO record on the logger ``seeder_runtime``.
        ngpus: world size (the number of processes, kept under fwr13y's name).
            ``None``: detected (torch.distributed, Horovod, ``RANK``/``WORLD_SIZE``,
            ``OMPI_COMM_WORLD_RANK``/``OMPI_COMM_WORLD_SIZE``,
            ``SLURM_PROCID``/``SLURM_NTASKS``), else 1.
        local_rank: this process's **global** rank (kept under fwr13y's name); detected
            like ``ngpus`` when ``None``.
        scheme: ``"v1"`` (hash-based, collision-resistant) or ``"fwr13y"`` (NVIDIA's
            formula, bit for bit).
        deterministic: switch on the loaded frameworks' deterministic algorithms.

    Reads ``SEEDER_MASTER_SEED``, ``SEEDER_LOG``, ``SEEDER_QUIET`` and the launcher
    variables above. Calling ``init`` again re-initialises: the new arguments replace the
    old ones and the last reseed is forgotten; registered generators stay registered.

    Raises:
        TypeError: an argument is not an int (bool, float and str are rejected).
        ValueError: an argument is out of range, or ``scheme`` is unknown.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if master_seed is not None:
        master_seed = _check_int("master_seed", master_seed)
    if ngpus is not None:
        ngpus = _check_int("ngpus", ngpus, lower=1)
    if local_rank is not None:
        local_rank = _check_int("local_rank", local_rank)

    if ngpus is None or local_rank is None:
        detected = _distributed.detect_placement()  # checks what it reads, naming it
        rank = detected.rank if local_rank is None else local_rank
        world_size = detected.world_size if ngpus is None else ngpus
        if rank >= world_size:  # one of the two was given, the other detected
            rank_name = f"local_rank={rank}" if local_rank is not None else detected.rank_source
            size_name = f"ngpus={world_size}" if ngpus is not None else detected.size_source
            raise ValueError(
                f"rank {rank} ({rank_name}) is not below the world size {world_size} ({size_name})"
            )
    else:
        rank, world_size = local_rank, ngpus
        if rank >= world_size:
            raise ValueError(f"local_rank must be in [0, ngpus={world_size}), got {rank}")

    if master_seed is None:
        env_seed = os.environ.get(MASTER_SEED_ENV)
        if env_seed is not None and env_seed.strip():
            try:
                parsed = int(env_seed)
            except ValueError:
                raise ValueError(
                    f"{MASTER_SEED_ENV}={env_seed!r} is not an int in [0, 2**63)"
                ) from None
            master_seed = _check_int(MASTER_SEED_ENV, parsed)
        else:
            generated = secrets.randbelow(DRAWN_LIMIT)
            master_seed = _share_draw(generated, world_size, rank)
    elif master_seed == _STATE.unshared_draw and world_size > 1:
        # this process's own earlier draw, handed back: each rank drew its own before the
        # group existed, so take rank 0's now (every rank takes this path together)
        master_seed = _share_draw(master_seed, world_size, rank)

    state = _STATE
    state.master_seed = master_seed
    state.scheme = scheme
    state.rank = rank
    state.world_size = world_size
    state.last_task = None
    state.last_epoch = None
    state.log_path = os.environ.get(LOG_ENV) or None
    state.cache.clear()
    state.generator_cache.clear()
    if deterministic:
        for backend in list(state.backends.values()):
            backend.enable_determinism()
    return master_seed


def _share_draw(drawn: int, world_size: int, rank: int) -> int:
    """Rank 0's value of a drawn seed, announced on rank 0; remembered as unshared when
    there was no group to agree over."""
    master_seed = _distributed.broadcast_from_rank0(drawn, world_size)
    shared = world_size > 1 and _distributed.can_broadcast()
    _STATE.unshared_draw = None if shared else master_seed
    if rank == 0 and master_seed != _STATE.announced:
        _announce_drawn_seed(master_seed)
    _STATE.announced = master_seed
    return master_seed


def _announce_drawn_seed(master_seed: int) -> None:
    """Say which seed was drawn, so that an unseeded run can be repeated.

    One line on stderr, which every launcher keeps in the job's log, unless
    ``SEEDER_QUIET`` is set (to anything but ``""`` or ``"0"``); and an INFO record on the
    ``seeder_runtime`` logger either way.
    """
    logger.info(
        "seeder_runtime: generated master seed %d; pass it as master_seed "
        "(or set %s=%d) to repeat this run",
        master_seed,
        MASTER_SEED_ENV,
        master_seed,
    )
    if os.environ.get(QUIET_ENV, "") in ("", "0") and sys.stderr is not None:
        print(
            f"seeder: master seed {master_seed} (drawn; repeat with --seed {master_seed} "
            f"or {MASTER_SEED_ENV}={master_seed})",
            file=sys.stderr,
            flush=True,
        )


def get_master_seed() -> int:
    """The master seed in use (the generated one when ``init`` got ``None``).

    Raises:
        RuntimeError: ``init`` was not called.
    """
    if _STATE.master_seed is None:
        raise RuntimeError("seeder_runtime: call init() before get_master_seed()")
    return _STATE.master_seed


def _check_reseed_args(task: Any, epoch: Any) -> tuple[int, int]:
    return _check_int("task", task), _check_int("epoch", epoch)


def reseed(task: int, epoch: int = 0) -> None:
    """Reseed every RNG for ``task`` and ``epoch`` on this rank.

    Seeds Python ``random``, the ``numpy.random`` global RNG, every loaded backend's
    framework RNGs, then every registered generator. With ``SEEDER_LOG`` set at ``init``,
    appends one JSON line describing the reseed to that file.

    Raises:
        RuntimeError: ``init`` was not called.
        TypeError: ``task`` or ``epoch`` is not an int.
        ValueError: ``task`` or ``epoch`` is negative (or not below 2**63).
    """
    state = _STATE
    if type(task) is not int or type(epoch) is not int or task < 0 or epoch < 0:
        task, epoch = _check_reseed_args(task, epoch)
    elif task >= SEED_LIMIT or epoch >= SEED_LIMIT:
        task, epoch = _check_reseed_args(task, epoch)
    if state.master_seed is None:
        raise RuntimeError("seeder_runtime: call init() before reseed()")
    key = (task, epoch)
    words = state.cache.get(key)
    if words is None:
        if len(state.cache) >= _CACHE_LIMIT:
            state.cache.clear()
        words = state.cache[key] = _words_for(state, task, epoch)
    random.seed(words[0])
    np.random.seed(words[1] & 0xFFFFFFFF)  # numpy's global RNG takes 32-bit seeds
    for backend in state.backends.values():
        backend.reseed(words)
    state.last_task = task
    state.last_epoch = epoch
    generator_seeds: list[tuple[_Generator, int]] = []
    if state.generators:
        for index, gen in enumerate(list(state.generators)):
            gkey = (task, epoch, index, gen.shared)
            seed = state.generator_cache.get(gkey)
            if seed is None:
                if len(state.generator_cache) >= _CACHE_LIMIT:
                    state.generator_cache.clear()
                seed = generator_seed(state, task, epoch, index, gen)
                state.generator_cache[gkey] = seed
            gen.fn(seed)
            generator_seeds.append((gen, seed))
    if state.log_path:
        _append_log(state, task, epoch, words, generator_seeds)


def _seeds_by_consumer(state: _State, words: tuple[int, ...]) -> dict[str, int]:
    seeds = {"python": words[0], "numpy": words[1] & 0xFFFFFFFF}
    for backend in state.backends.values():
        for consumer in backend.consumers:
            seeds[consumer] = words[CONSUMER_WORDS[consumer]]
    return seeds


def _append_log(
    state: _State,
    task: int,
    epoch: int,
    words: tuple[int, ...],
    generator_seeds: list[tuple[_Generator, int]],
) -> None:
    record = {
        "rank": state.rank,
        "world_size": state.world_size,
        "task": task,
        "epoch": epoch,
        "scheme": state.scheme,
        "master_seed": state.master_seed,
        "seeds": _seeds_by_consumer(state, words),
        "generators": [
            {"index": i, "shared": gen.shared, "seed": seed}
            for i, (gen, seed) in enumerate(generator_seeds)
        ],
    }
    line = json.dumps(record, sort_keys=True) + "\n"
    # One write of one line with O_APPEND: ranks sharing the file do not interleave lines.
    if state.log_path is None:
        return
    fd = os.open(state.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def register_generator(fn: Callable[[int], Any], shared: bool = False, *, bits: int = 63) -> None:
    """Call ``fn(seed)`` on every reseed, after the global RNGs are seeded.

    Args:
        fn: takes one int seed, e.g. ``rng.manual_seed`` of a ``torch.Generator``.
        shared: ``True`` gives ``fn`` the same seed on every rank (never equal to a
            per-rank seed); ``False`` a seed per rank.
        bits: seeds are below ``2**bits`` (default 63). Use ``bits=32`` for
            ``numpy.random.RandomState.seed``, which rejects larger seeds.

    Seeds depend on the generator's position among the registered generators, so
    register them in the same order in every run. Usable before ``init``.

    Raises:
        TypeError: ``fn`` is not callable.
        ValueError: ``bits`` is not in [1, 63].
    """
    if not callable(fn):
        raise TypeError(f"register_generator: fn must be callable, got {fn!r}")
    bits = _check_int("bits", bits, lower=1, upper=64)
    _STATE.generators.append(_Generator(fn=fn, shared=bool(shared), bits=bits))
    _STATE.generator_cache.clear()


def unregister_generator(fn: Callable[[int], Any]) -> None:
    """Stop calling ``fn`` on reseed (its first registration if registered twice).

    Raises:
        ValueError: ``fn`` is not registered.
    """
    for index, gen in enumerate(_STATE.generators):
        if gen.fn == fn:
            del _STATE.generators[index]
            _STATE.generator_cache.clear()
            return
    raise ValueError(f"unregister_generator: {fn!r} is not a registered generator")


def _numpy_state() -> dict[str, Any]:
    name, key, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    return {
        "bit_generator": str(name),
        "key": [int(k) for k in key],
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "gauss": float(gauss),
    }


def _prepare_numpy_state(state: Any) -> tuple[Any, ...]:
    """The tuple ``np.random.set_state`` takes, checked on a scratch RandomState."""
    try:
        as_tuple = (
            state["bit_generator"],
            np.asarray(state["key"], dtype=np.uint32),
            state["pos"],
            state["has_gauss"],
            state["gauss"],
        )
        np.random.RandomState().set_state(as_tuple)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ValueError(f"load_state_dict: 'numpy' is not a NumPy RNG state ({exc})") from None
    return as_tuple


def _prepare_python_state(state: Any) -> tuple[Any, ...]:
    """The tuple ``random.setstate`` takes, checked on a scratch ``random.Random``."""
    try:
        version, internal, gauss_next = state
        as_tuple = (version, tuple(internal), gauss_next)
        random.Random().setstate(as_tuple)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ValueError(f"load_state_dict: 'python' is not a random state ({exc})") from None
    return as_tuple


def state_dict() -> dict[str, Any]:
    """Capture every RNG state the seeder manages, for an exact mid-epoch resume.

    Holds the seeder's own state (master seed, scheme, rank, world size, last task and
    epoch), Python ``random``, ``numpy.random`` and each loaded backend's RNG states, as
    plain Python values and tensors: it survives ``pickle`` and ``torch.save`` (and
    ``torch.load(weights_only=True)``). Registered generators are not captured.

    Raises:
        RuntimeError: ``init`` was not called.
    """
    state = _STATE
    if state.master_seed is None:
        raise RuntimeError("seeder_runtime: call init() before state_dict()")
    version, internal, gauss_next = random.getstate()
    result: dict[str, Any] = {
        "version": STATE_DICT_VERSION,
        "seeder": {
            "master_seed": state.master_seed,
            "scheme": state.scheme,
            "rank": state.rank,
            "world_size": state.world_size,
            "last_task": state.last_task,
            "last_epoch": state.last_epoch,
        },
        "python": [version, list(internal), gauss_next],
        "numpy": _numpy_state(),
    }
    for name, backend in state.backends.items():
        result[name] = backend.state_dict()
    return result


def load_state_dict(d: dict[str, Any]) -> None:
    """Restore what :func:`state_dict` captured.

    The seeder's master seed, scheme and last task/epoch are restored (and the seeder
    counts as initialised). Rank and world size are kept from ``init`` when it was
    called; a checkpoint from another rank or world size logs a warning, since its RNG
    states belong to that rank. Backends the dict has but this process did not load are
    skipped. Everything is checked before anything is restored: a dict that fails
    leaves the seeder and every RNG as they were.

    Raises:
        ValueError: ``d`` is not a seeder state dict of a known version, or a part of it
            is malformed (the message names the part).
    """
    restore = _prepare_load(d)
    restore()


def _saved_int(name: str, value: Any, *, lower: int = 0, upper: int = SEED_LIMIT) -> int:
    try:
        return _check_int(f"seeder.{name}", value, lower=lower, upper=upper)
    except (TypeError, ValueError) as exc:  # a malformed checkpoint: ValueError, any type
        raise ValueError(f"load_state_dict: {exc}") from None


def _prepare_load(d: Any) -> Callable[[], None]:
    """Check every part of ``d``; return the function that restores it in one step."""
    if (
        not isinstance(d, dict)
        or not isinstance(d.get("seeder"), dict)
        or d.get("version") != STATE_DICT_VERSION
    ):
        raise ValueError("load_state_dict: not a seeder_runtime state_dict (version 1)")
    saved = d["seeder"]
    for key in ("master_seed", "scheme", "rank", "world_size", "last_task", "last_epoch"):
        if key not in saved:
            raise ValueError(f"load_state_dict: seeder.{key} is missing")
    master_seed = _saved_int("master_seed", saved["master_seed"])
    scheme = saved["scheme"]
    if scheme not in SCHEMES:
        raise ValueError(f"load_state_dict: unknown seeder.scheme {scheme!r}")
    world_size = _saved_int("world_size", saved["world_size"], lower=1)
    rank = _saved_int("rank", saved["rank"], upper=world_size)
    if (saved["last_task"] is None) != (saved["last_epoch"] is None):
        raise ValueError(
            "load_state_dict: seeder.last_task and seeder.last_epoch must both be None "
            f"or both ints, got {saved['last_task']!r} and {saved['last_epoch']!r}"
        )
    last_task = last_epoch = None
    if saved["last_task"] is not None:
        last_task = _saved_int("last_task", saved["last_task"])
        last_epoch = _saved_int("last_epoch", saved["last_epoch"])
    if "python" not in d or "numpy" not in d:
        raise ValueError("load_state_dict: the 'python' or 'numpy' RNG state is missing")
    python_state = _prepare_python_state(d["python"])
    numpy_state = _prepare_numpy_state(d["numpy"])
    state = _STATE
    backend_restores = []
    for name, backend in state.backends.items():
        if name in d:
            try:
                backend_restores.append(backend.prepare_state(d[name]))
            except (KeyError, TypeError, IndexError, AttributeError) as exc:
                raise ValueError(f"load_state_dict: {name!r} is malformed ({exc!r})") from None

    def restore() -> None:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        for restore_backend in backend_restores:
            restore_backend()
        if state.master_seed is None:
            state.rank, state.world_size = rank, world_size
            state.log_path = os.environ.get(LOG_ENV) or None
        elif (state.rank, state.world_size) != (rank, world_size):
            logger.warning(
                "seeder_runtime: loading RNG states saved by rank %d of %d into rank %d of "
                "%d; save one state_dict per rank for an exact resume",
                rank,
                world_size,
                state.rank,
                state.world_size,
            )
        state.master_seed = master_seed
        state.scheme = scheme
        state.last_task, state.last_epoch = last_task, last_epoch
        state.cache.clear()
        state.generator_cache.clear()

    return restore


def reset() -> None:
    """Forget ``init``, the last reseed and every registered generator.

    The seeder is then as after a fresh import: calls other than ``init``,
    ``load_state_dict`` and ``register_generator`` raise ``RuntimeError`` again. Loaded
    backends stay loaded, and the environment (``SEEDER_MASTER_SEED``, ``SEEDER_LOG``...)
    is read again by the next ``init``. For test suites and for programs that run
    several independent trainings in one process; a training script does not need it.
    """
    vars(_STATE).update(vars(_State(backends=_STATE.backends)))


def last_reseed() -> tuple[int, int, int, int, int]:
    """``(master seed, task, epoch, rank, world size)`` of the last reseed, for helpers.

    Task and epoch are 0 when ``init`` was called but ``reseed`` was not.

    Raises:
        RuntimeError: ``init`` was not called.
    """
    state = _STATE
    if state.master_seed is None:
        raise RuntimeError("seeder_runtime: call init() first")
    task = 0 if state.last_task is None else state.last_task
    epoch = 0 if state.last_epoch is None else state.last_epoch
    return state.master_seed, task, epoch, state.rank, state.world_size
