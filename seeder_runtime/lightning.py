"""Lightning backend: ``import seeder_runtime.lightning as seeder``.

Everything :mod:`seeder_runtime.torch` offers (``init``, ``reseed``, ``get_master_seed``,
``register_generator``, ``worker_init_fn``, ``sampler_seed``...), plus
:class:`SeederCallback`, which takes the place of ``seed_everything``: pass it to the
``Trainer`` and every training epoch starts with ``seeder.reseed(1, epoch)`` on every
rank, so a run resumed from a checkpoint draws exactly what the uninterrupted run drew.

The callback subclasses the ``Callback`` of the Lightning package the script uses:
``lightning.pytorch`` (``import lightning``) or ``pytorch_lightning``, whichever is
already imported when this module is (``lightning.pytorch`` when both or neither are).
Never imports TensorFlow.
"""

from __future__ import annotations

import sys
from typing import Any

from seeder_runtime import _core
from seeder_runtime import torch as _torch_backend
from seeder_runtime.torch import *  # noqa: F403  (the torch backend's API, listed once there)

__all__ = ["SeederCallback"]
__all__ += _torch_backend.__all__


def _callback_base() -> type:
    """``Callback`` of the Lightning flavour the script imported (the Trainer checks it)."""
    if "pytorch_lightning" in sys.modules and "lightning.pytorch" not in sys.modules:
        from pytorch_lightning import Callback
    else:
        try:
            from lightning.pytorch import Callback  # type: ignore[assignment]
        except ImportError:
            from pytorch_lightning import Callback
    return Callback


class SeederCallback(_callback_base()):  # type: ignore[misc]
    """Reseed at the start of every training epoch, per global rank.

    ``setup`` makes the seeder agree with the Trainer: if the script did not call
    ``seeder.init``, it is called with the Trainer's world size and global rank (the
    master seed from ``SEEDER_MASTER_SEED``, else drawn on rank 0, shared and logged);
    if it did, but the rank or world size it used differ from the Trainer's (processes
    launched by the Trainer itself), it is called again with the same master seed.
    ``on_train_epoch_start`` calls ``seeder.reseed(task, trainer.current_epoch)``.

    Args:
        task: the reseed task number for training epochs (default 1, as the codemod's
            epoch loops use).
    """

    def __init__(self, task: int = 1) -> None:
        super().__init__()
        self.task = task

    def setup(self, trainer: Any, pl_module: Any, stage: str) -> None:
        rank, world_size = int(trainer.global_rank), int(trainer.world_size)
        try:
            master, _, _, seeded_rank, seeded_size = _core.last_reseed()
        except RuntimeError:  # the script never called init
            _core.init(ngpus=world_size, local_rank=rank)
            return
        if (seeded_rank, seeded_size) != (rank, world_size):
            scheme = getattr(_core._STATE, "scheme", "v1")
            _core.init(master, ngpus=world_size, local_rank=rank, scheme=scheme)

    def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        _core.reseed(self.task, int(trainer.current_epoch))

    def __repr__(self) -> str:
        return f"SeederCallback(task={self.task})"
