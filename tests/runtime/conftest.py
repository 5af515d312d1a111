"""Fixtures for the seeder_runtime tests."""

from __future__ import annotations

import os

import pytest

import seeder_runtime


@pytest.fixture(autouse=True)
def fresh_seeder(monkeypatch):
    """Every test starts with an uninitialised seeder and no seeding-related env vars."""
    for name in list(os.environ):
        if name.startswith(("SEEDER_", "OMPI_COMM_WORLD_", "SLURM_")) or name in (
            "RANK",
            "WORLD_SIZE",
        ):
            monkeypatch.delenv(name)
    seeder_runtime.reset()
    yield
    seeder_runtime.reset()
