"""Worker processes for ``-j``: a worker that dies costs the file it was on, nothing else.

``concurrent.futures.ProcessPoolExecutor`` breaks as a whole when one of its workers is
killed (out of memory, a crash in a C extension, ``os._exit``): every pending result is
lost to ``BrokenProcessPool``, and which file killed it is unknown. Here each worker has
its own pipe and gets a small batch of items at a time, and sends one result per item,
so the parent always knows which item a worker is on. When a worker dies, that item's
result is ``on_failure(item, why)``, the rest of its batch goes back to the queue, and
a fresh worker takes its place.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any


def _serve(conn: Connection, work: Callable[[Any], Any]) -> None:
    """A worker's loop: batches of ``(index, item)`` in, one ``(index, ok, result)`` out
    per item (``ok`` false: ``result`` says why ``work`` raised)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for index, item in batch:
            try:
                conn.send((index, True, work(item)))
            except Exception as exc:  # noqa: BLE001 - reported for this item alone
                conn.send((index, False, f"internal error: {type(exc).__name__}: {exc}"))


def _why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = "; out of memory?" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}" if exitcode is not None else "it stopped answering"


class _Worker:
    def __init__(self, context: Any, work: Callable[[Any], Any]) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work), daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.batch: deque[int] = deque()  # indices sent whose results have not come back

    def stop(self) -> None:
        """End the worker: politely when idle; at once when still busy (the run is
        being abandoned: an exception, Ctrl-C)."""
        if self.batch:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def died(self) -> str:
        """Why this worker is gone (waits briefly for its exit status)."""
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():  # closed its pipe yet still running: end it
            self.process.kill()
            self.process.join()
        return _why(self.process.exitcode)


def map_in_order(
    work: Callable[[Any], Any],
    items: Sequence[Any],
    jobs: int,
    on_failure: Callable[[Any, str], Any],
    *,
    chunksize: int = 1,
) -> Iterator[Any]:
    """``work(item)`` for every item, on ``jobs`` worker processes, yielded in order.

    An item whose worker dies while on it, or whose ``work`` raises, yields
    ``on_failure(item, why)`` instead; every other item's result stands.
    """
    context = multiprocessing.get_context()
    todo: deque[int] = deque(range(len(items)))
    done: dict[int, Any] = {}
    following = 0
    workers = [_Worker(context, work) for _ in range(max(1, min(jobs, len(items))))]
    try:
        while following < len(items):
            for number, worker in enumerate(workers):
                if worker.batch or not todo:
                    continue
                batch = [todo.popleft() for _ in range(min(chunksize, len(todo)))]
                try:
                    worker.conn.send([(index, items[index]) for index in batch])
                except OSError:  # died while idle: no item of its own is lost
                    worker.died()
                    todo.extendleft(reversed(batch))
                    workers[number] = _Worker(context, work)
                    continue
                worker.batch.extend(batch)
            busy = [worker for worker in workers if worker.batch]
            if not busy:
                continue
            wait([worker.conn for worker in busy])
            for worker in busy:
                if _collect(worker, items, done, on_failure):
                    continue
                # dead: the item it was on is lost, the rest of its batch is not
                why = worker.died()
                index = worker.batch.popleft()
                message = f"worker died while processing this file ({why})"
                done[index] = on_failure(items[index], message)
                todo.extendleft(reversed(worker.batch))
                worker.batch.clear()
                workers[workers.index(worker)] = _Worker(context, work)
            while following in done:
                yield done.pop(following)
                following += 1
    finally:
        for worker in workers:
            worker.stop()


def _collect(
    worker: _Worker, items: Sequence[Any], done: dict[int, Any], on_failure: Callable
) -> bool:
    """Take every result ``worker`` has sent; ``False`` when it has died."""
    try:
        while worker.batch and worker.conn.poll():
            index, ok, result = worker.conn.recv()
            worker.batch.remove(index)
            done[index] = result if ok else on_failure(items[index], result)
    except (EOFError, OSError):
        return False
    return True
