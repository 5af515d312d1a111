"""seeder_runtime: deterministic per-(master seed, task, epoch, rank) reseeding.

``import seeder_runtime as seeder`` reseeds Python ``random`` and ``numpy.random``;
``seeder_runtime.torch`` and ``seeder_runtime.tf`` add the frameworks. Importing this
package imports neither PyTorch nor TensorFlow.
"""

from __future__ import annotations

from seeder_runtime import _core
from seeder_runtime._core import *  # noqa: F403  (the API, listed once in _core.__all__)

__all__ = []
__all__ += _core.__all__
