"""seeder_runtime: deterministic per-(master seed, task, epoch, rank) reseeding.

``import seeder_runtime as seeder`` reseeds Python ``random`` and ``numpy.random``;
``seeder_runtime.torch`` and ``seeder_runtime.tf`` add the frameworks. Importing this
package imports neither PyTorch nor TensorFlow.
"""

from __future__ import annotations

from seeder_runtime._core import (
    get_master_seed,
    init,
    load_state_dict,
    register_generator,
    reseed,
    state_dict,
    unregister_generator,
)

__all__ = [
    "get_master_seed",
    "init",
    "load_state_dict",
    "register_generator",
    "reseed",
    "state_dict",
    "unregister_generator",
]
