"""seedmigrate.workers: results in order; a worker that dies costs its own item only."""

from __future__ import annotations

import os
import signal
import time

from seedmigrate.workers import map_in_order


def _work(item: int) -> int:
    if item == 3:
        raise ValueError("bad item")
    if item == 5:
        os._exit(7)
    if item == 8:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 2


def _failed(item: int, why: str) -> str:
    return f"{item}: {why}"


def _slow(item: int) -> int:
    time.sleep(0.2)
    return item


def test_results_come_in_order_and_a_death_costs_one_item():
    results = list(map_in_order(_work, list(range(12)), 2, _failed, chunksize=3))
    assert results == [
        0,
        2,
        4,
        "3: internal error: ValueError: bad item",
        8,
        "5: worker died while processing this file (exit code 7)",
        12,
        14,
        "8: worker died while processing this file (killed by SIGKILL; out of memory?)",
        18,
        20,
        22,
    ]


def test_abandoning_the_results_ends_busy_workers_at_once():
    started = time.monotonic()
    results = map_in_order(_slow, list(range(40)), 2, _failed, chunksize=8)
    assert next(results) == 0
    results.close()
    assert time.monotonic() - started < 5
