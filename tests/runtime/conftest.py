"""Fixtures for the seeder_runtime tests."""

from __future__ import annotations

import os

import pytest

from seeder_runtime import _core


@pytest.fixture(autouse=True)
def fresh_seeder(monkeypatch):
    """Every test starts with an uninitialised seeder and no seeding-related env vars."""
    for name in list(os.environ):
        if name.startswith(("SEEDER_", "OMPI_COMM_WORLD_", "SLURM_")) or name in (
            "RANK",
            "WORLD_SIZE",
        ):
            monkeypatch.delenv(name)
    state = _core._STATE
    state.master_seed = None
    state.generators.clear()
    state.cache.clear()
    state.generator_cache.clear()
    state.last_task = state.last_epoch = None
    state.log_path = None
    yield
    state.master_seed = None
    state.generators.clear()
    state.cache.clear()
    state.generator_cache.clear()
    state.log_path = None
