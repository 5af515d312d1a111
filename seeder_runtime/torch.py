"""PyTorch backend: ``import seeder_runtime.torch as seeder``.

Everything ``seeder_runtime`` does, plus PyTorch's CPU generator and every CUDA device's
generator, determinism switches, a DataLoader ``worker_init_fn`` and a seed for
``DistributedSampler``. Never imports TensorFlow.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from seeder_runtime import _core
from seeder_runtime._core import *  # noqa: F403  (the API, listed once in _core.__all__)

__all__ = ["sampler_seed", "worker_init_fn"]
__all__ += _core.__all__

_TORCH_WORD = _core.CONSUMER_WORDS["torch"]


def _other_accelerator_present() -> bool:
    """Whether a device besides CPU and CUDA (MPS, XPU, MTIA, a custom backend) exists."""
    for name in ("mps", "xpu", "mtia"):
        module = getattr(torch, name, None)
        is_available = getattr(module, "is_available", None)
        try:
            if is_available is not None and is_available():
                return True
        except RuntimeError:
            return True
    get_custom = getattr(torch._C, "_get_privateuse1_backend_name", None)
    return get_custom is not None and get_custom() != "privateuseone"


def _seed_all_devices(seed: int) -> None:
    """What ``torch.manual_seed(seed)`` does, without its per-call traceback capture.

    ``torch.manual_seed`` queues a lazy seed for every accelerator module and records a
    formatted stack for each, which costs more than the seeding itself on CPU-only
    builds. Here: the CPU generator directly; CUDA directly once initialised, else through
    the same lazy queue; any other accelerator through ``torch.manual_seed`` itself.
    """
    if _OTHER_ACCELERATOR:
        torch.manual_seed(seed)
        return
    torch.default_generator.manual_seed(seed)
    if _CUDA_COMPILED and not torch.cuda._is_in_bad_fork():
        if torch.cuda.is_initialized():
            for generator in torch.cuda.default_generators:
                generator.manual_seed(seed)
        else:
            torch.cuda.manual_seed_all(seed)


_CUDA_COMPILED = torch.cuda._is_compiled()
_OTHER_ACCELERATOR = _other_accelerator_present()


class _TorchBackend:
    name = "torch"
    consumers: tuple[str, ...] = ("torch",)

    def reseed(self, words: tuple[int, ...]) -> None:
        _seed_all_devices(words[_TORCH_WORD])

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"cpu": torch.get_rng_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def prepare_state(self, state: Any) -> Callable[[], None]:
        cpu = state["cpu"]
        _check_rng_state("torch.cpu", cpu, torch.Generator())
        cuda_states = list(state.get("cuda") or ())
        count = 0
        if cuda_states and torch.cuda.is_available():
            count = min(len(cuda_states), torch.cuda.device_count())
            for device in range(count):
                scratch = torch.Generator(device=f"cuda:{device}")
                _check_rng_state(f"torch.cuda[{device}]", cuda_states[device], scratch)

        def restore() -> None:
            torch.set_rng_state(cpu)
            for device in range(count):
                torch.cuda.set_rng_state(cuda_states[device], device)

        return restore

    def enable_determinism(self) -> None:
        # cuBLAS needs a fixed workspace for deterministic results (CUDA >= 10.2).
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def _check_rng_state(name: str, value: Any, scratch: torch.Generator) -> None:
    """Raise ValueError unless ``value`` is an RNG state ``scratch``'s kind accepts."""
    if not isinstance(value, torch.Tensor) or value.dtype != torch.uint8:
        raise ValueError(f"load_state_dict: {name} is not an RNG state tensor: {value!r:.80}")
    try:
        scratch.set_state(value)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"load_state_dict: {name} is not an RNG state ({exc})") from None


_core.register_backend(_TorchBackend())


def _seed_worker(seeder_state: tuple[int, int, int, int, int] | None, worker_id: int) -> None:
    info = torch.utils.data.get_worker_info()
    base_seed = info.seed if info is not None else torch.initial_seed()
    worker_id = info.id if info is not None else worker_id
    if seeder_state is None:
        seeder_state = _core.last_reseed()
    master, task, epoch, rank, _ = seeder_state
    # base_seed comes from the main process's (reseeded) torch RNG when the iterator
    # starts, so two loaders in the same epoch still get different worker streams.
    index = (base_seed - worker_id) & ((1 << 64) - 1)

    def seed_for(consumer: str) -> int:
        domain = f"worker/{consumer}/{worker_id}"
        return _core.derive_seed(domain, master, task, epoch, rank, index)

    random.seed(seed_for("python"))
    np.random.seed(seed_for("numpy") & 0xFFFFFFFF)
    _seed_all_devices(seed_for("torch"))


class _WorkerInitFn:
    """DataLoader ``worker_init_fn`` seeding Python, NumPy and torch in each worker.

    Seeds are distinct per worker, rank, task and epoch: derived from the last
    ``reseed`` and ``torch.utils.data.get_worker_info()``. Workers started with ``fork``
    inherit the seeder's state; with ``spawn``/``forkserver`` the state travels inside the
    pickled function (captured when the DataLoader starts its workers).
    """

    def __init__(self, seeder_state: tuple[int, int, int, int, int] | None = None) -> None:
        self._seeder_state = seeder_state

    def __call__(self, worker_id: int) -> None:
        _seed_worker(self._seeder_state, worker_id)

    def __reduce__(self):
        try:
            captured = _core.last_reseed()
        except RuntimeError:
            captured = None  # the worker then raises the same "call init()" error
        return (_WorkerInitFn, (captured,))

    def __repr__(self) -> str:
        return "seeder_runtime.torch.worker_init_fn"


worker_init_fn = _WorkerInitFn()


def sampler_seed() -> int:
    """A seed shared by every rank, derived from the master seed, for
    ``DistributedSampler(dataset, seed=seeder.sampler_seed())``.

    The sampler's default seed is 0, which ignores the master seed; call
    ``sampler.set_epoch(epoch)`` each epoch as usual. The value is below ``2**62`` so that
    the sampler's ``seed + epoch`` stays a valid 64-bit seed.

    Raises:
        RuntimeError: ``init`` was not called.
    """
    master = _core.get_master_seed()
    return _core.derive_seed("distributed-sampler", master, 0, 0, 0) >> 1
