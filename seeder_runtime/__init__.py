"""seeder_runtime: deterministic per-(master seed, task, epoch, rank) reseeding.

``import seeder_runtime as seeder`` reseeds Python ``random`` and ``numpy.random``;
``seeder_runtime.torch`` and ``seeder_runtime.tf`` add the frameworks.
"""

from __future__ import annotations
