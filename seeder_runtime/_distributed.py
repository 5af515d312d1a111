"""Rank / world-size detection and master-seed agreement across ranks.

Nothing here imports a framework: torch.distributed and Horovod are consulted only when
the training script has already imported them (looked up in ``sys.modules``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import NamedTuple

logger = logging.getLogger("seeder_runtime")

# Environment variables set by common launchers, as (rank variable, world-size variable).
# torchrun / torch.distributed.launch, Open MPI's mpirun, Slurm's srun, in that order.
ENV_RANK_VARIABLES: tuple[tuple[str, str], ...] = (
    ("RANK", "WORLD_SIZE"),
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS"),
)

_HOROVOD_MODULES = ("horovod.torch", "horovod.tensorflow", "horovod.tensorflow.keras")


def _torch_process_group():
    """Return ``torch.distributed`` if the script imported it and initialised a group."""
    dist = sys.modules.get("torch.distributed")
    if dist is None:
        return None
    try:
        if dist.is_available() and dist.is_initialized():
            return dist
    except (AttributeError, RuntimeError):
        return None
    return None


def _horovod():
    """Return an imported and initialised Horovod module, or None."""
    for name in _HOROVOD_MODULES:
        hvd = sys.modules.get(name)
        if hvd is None:
            continue
        is_initialized = getattr(hvd, "is_initialized", None)
        try:
            if is_initialized is not None and is_initialized():
                return hvd
            if is_initialized is None:
                hvd.size()  # raises ValueError when Horovod is not initialised
                return hvd
        except (ValueError, RuntimeError):
            continue
    return None


class Placement(NamedTuple):
    """This process's global rank and the world size, with where each was read."""

    rank: int
    world_size: int
    rank_source: str  # "RANK=3", "torch.distributed", "Horovod", "default"
    size_source: str


def _env_int(environ: Mapping[str, str], name: str, lower: int) -> int:
    value = environ[name]
    try:
        parsed = int(value)
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} is not an integer") from None
    if parsed < lower:
        raise ValueError(f"environment variable {name}={value} must be at least {lower}")
    return parsed


def detect_placement(environ: Mapping[str, str] | None = None) -> Placement:
    """Return this process's global rank and the world size, and where they were read.

    Looked up in order: an initialised ``torch.distributed`` process group, an initialised
    Horovod, then the environment variables ``RANK``/``WORLD_SIZE``,
    ``OMPI_COMM_WORLD_RANK``/``OMPI_COMM_WORLD_SIZE`` and ``SLURM_PROCID``/``SLURM_NTASKS``.
    A single process (rank 0 of 1) when none is found.

    Raises:
        ValueError: a launcher variable is not an integer, is negative (a world size
            below 1), or the rank is not below the world size; the message names the
            variables.
    """
    dist = _torch_process_group()
    if dist is not None:
        source = "torch.distributed"
        return Placement(int(dist.get_rank()), int(dist.get_world_size()), source, source)
    hvd = _horovod()
    if hvd is not None:
        return Placement(int(hvd.rank()), int(hvd.size()), "Horovod", "Horovod")
    environ = os.environ if environ is None else environ
    for rank_var, size_var in ENV_RANK_VARIABLES:
        if rank_var in environ and size_var in environ:
            rank = _env_int(environ, rank_var, lower=0)
            size = _env_int(environ, size_var, lower=1)
            if rank >= size:
                raise ValueError(
                    f"environment variables {rank_var}={rank} and {size_var}={size}: "
                    f"the rank must be below the world size"
                )
            return Placement(rank, size, f"{rank_var}={rank}", f"{size_var}={size}")
    return Placement(0, 1, "default", "default")


def can_broadcast() -> bool:
    """Whether an initialised torch.distributed group or Horovod can share a value."""
    return _torch_process_group() is not None or _horovod() is not None


def broadcast_from_rank0(value: int, world_size: int) -> int:
    """Make every rank agree on ``value`` by taking rank 0's.

    Uses ``torch.distributed`` when a process group is initialised, else Horovod when it is
    imported and initialised. Without either, and with more than one rank, the ranks cannot
    agree: a warning is logged and the local value is returned.
    """
    dist = _torch_process_group()
    if dist is not None:
        import torch  # already imported: torch.distributed is in sys.modules

        device = torch.device("cpu")
        if dist.get_backend() == "nccl":
            device = torch.device("cuda", torch.cuda.current_device())
        tensor = torch.tensor([value], dtype=torch.int64, device=device)
        dist.broadcast(tensor, src=0)
        return int(tensor.item())
    hvd = _horovod()
    if hvd is not None:
        return int(hvd.broadcast_object(value, root_rank=0))
    if world_size > 1:
        logger.warning(
            "seeder_runtime: generated a master seed with world size %d but no initialised "
            "torch.distributed process group or Horovod to share it; ranks will disagree. "
            "Pass master_seed, set SEEDER_MASTER_SEED, or call init after the process group "
            "is initialised.",
            world_size,
        )
    return value
