"""One simulation on several workers (Dask), with results that do not depend on how many.

Two stages split into independent shards: route choice (one shard per
driver class: each class's routes depend only on its trips and its
perceived times, both drawn before the split) and traffic (one shard per
block of whole vehicles: a vehicle's trips chain only with each other).
Every random draw happens before the split, so the shards compute the same
numbers wherever they run: a run on 1, 2 or 20 workers — or in-process
without Dask — writes the same metrics.json and the same reads.

Examples
--------
>>> shard_map(pow, [(2, 3), (3, 2)])  # no workers: in this process
[8, 9]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any
import os
import time
import uuid

import numpy as np

from sim.progress import muted, tick

#: The Dask client of the running ``workers(...)`` block (``None``: run shards in this process).
_CLIENT: ContextVar[Any] = ContextVar("curtain_dask_client", default=None)

#: Threads a task may use on a worker of the running local cluster (``None``: the worker's default). The compiled
#: routing runs its trees on every core of a process; two workers each doing so on 2 cores ran each task 2–3× slower
#: than alone (the whole week's routes per driver class: 16.8 s of work in one process, 38.7 s on 2 workers).
_TASK_THREADS: ContextVar[int | None] = ContextVar("curtain_task_threads", default=None)

#: The running :func:`ledger` block's book: shard kind → tasks, seconds, longest task (``None``: not recording).
_LEDGER: ContextVar[dict[str, dict[str, float]] | None] = ContextVar("curtain_shard_ledger", default=None)

#: Vehicles per traffic shard (whole vehicles, so each shard's trips chain only with each other).
VEHICLES_PER_SHARD = 50_000
#: True trips per block of the per-trip table (routes compared, ends located: :func:`sim.metrics.trip_metrics`).
TRIPS_PER_BLOCK = 1_000_000
#: Reads per block of whole plates (as read) in reconstruction's routes and the next-camera models (see
#: :func:`plate_blocks`); the blocks are fixed by the reads, so any number of workers computes the same numbers.
READS_PER_BLOCK = 1_000_000


@contextmanager
def workers(n_workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Run the shardable stages on a local Dask cluster of ``n_workers`` processes, or on ``scheduler``.

    ``n_workers`` of ``None`` or 1 without a scheduler runs everything in this
    process (no cluster is started).
    """
    if scheduler is None and (n_workers is None or n_workers <= 1):
        yield None
        return
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
    threads = _TASK_THREADS.set(None if cluster is None else task_threads(int(n_workers or 1)))
    try:
        with Client(scheduler or cluster) as client:
            token = _CLIENT.set(client)
            try:
                yield client
            finally:
                _CLIENT.reset(token)
    finally:
        _TASK_THREADS.reset(threads)
        if cluster is not None:
            cluster.close()


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, as numba sizes its threads; a job given 2 of a host's 64
    cores has 2), else the machine's count."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def task_threads(n_workers: int) -> int:
    """The threads each of ``n_workers`` workers of a local cluster gives its task's compiled code: its part of the
    usable cores, not all of them (used by :func:`workers` and by ``curtain sweep``'s cluster)."""
    return max(1, usable_cpus() // n_workers)


def use_threads(threads: int | None) -> None:
    """Run this thread's compiled code on ``threads`` threads (``None``: leave the count as it is; numba's count is
    per thread, so a worker's task sets its own)."""
    if threads is not None:
        import numba  # lazy: only a worker's task of a local cluster sets its thread's count

        numba.set_num_threads(min(threads, int(getattr(numba.config, "NUMBA_NUM_THREADS"))))


def shard_map(function: Callable[..., Any], shards: Iterable[tuple[Any, ...]], *,
              counts: Sequence[int] | None = None) -> list[Any]:
    """``[function(*shard) for shard in shards]``, on the workers of the running :func:`workers` block if any.

    Results come back in the order of ``shards`` whatever order the workers finish in. ``counts``
    (units of work per shard) advance the running :func:`sim.progress.counting` block as shards finish.
    ``shards`` may be an iterator: each shard is then made only when its turn comes, and handed on (run, or sent
    to a worker) before the next is made, so that this process never holds two. With workers, every shard is
    sent before any result is gathered, and an iterator's shards go to the workers even when there is only one
    (a list of one runs in this process).
    """
    client = _CLIENT.get()
    book = _LEDGER.get()
    if client is None or (isinstance(shards, Sequence) and len(shards) <= 1):
        timed = []
        token = _LEDGER.set(None)  # a shard's own shards are part of its time, not counted again
        try:
            for i, shard in enumerate(shards):
                with nullcontext() if counts is None else muted():  # counted here, per shard, not again inside
                    timed.append(_timed(function, *shard))
                if counts is not None:
                    tick(counts[i])
        finally:
            _LEDGER.reset(token)
    else:
        # the shards' data go to the workers first (scatter), not inside the task graph; each task is named
        # after the function, and times itself on its worker
        threads = _TASK_THREADS.get()
        futures = [client.submit(_timed_with, threads, function,
                                 *(client.scatter(list(shard), hash=False) if len(shard) else ()),
                                 key=f"{function.__name__}-{uuid.uuid4().hex}", pure=False) for shard in shards]
        try:
            if counts is not None:
                from dask.distributed import as_completed

                index = {future.key: i for i, future in enumerate(futures)}
                for future in as_completed(futures):
                    tick(counts[index[future.key]])
            # gathered one at a time, each future dropped once its result is here: a worker frees each result as
            # it is taken, so the results are never held twice over (on the workers and in this process)
            timed = []
            for k in range(len(futures)):
                timed.append(futures[k].result())
                futures[k].release()
        finally:
            client.cancel(futures)
    if book is not None and timed:
        entry = book.setdefault(f"{function.__module__}.{function.__name__}", {"tasks": 0, "seconds": 0.0,
                                                                              "longest_s": 0.0})
        seconds = [s for _, s in timed]
        entry["tasks"] += len(timed)
        entry["seconds"] = round(entry["seconds"] + sum(seconds), 4)
        entry["longest_s"] = round(max(entry["longest_s"], *seconds), 4)
    return [result for result, _ in timed]


def _timed_with(threads: int | None, function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """:func:`_timed` on a worker, its compiled code given ``threads`` threads (``None``: as many as it has)."""
    use_threads(threads)
    return _timed(function, *args)


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``function(*args)`` and the seconds it took, measured where it ran (this process or a worker)."""
    clock = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - clock


@contextmanager
def ledger() -> Iterator[dict[str, dict[str, float]]]:
    """Record, per kind of shard (its function), how many tasks ran, their seconds summed and the longest.

    Each task is timed where it ran (a worker, or this process), so the sums are the work a worker does, not
    the time waited: what a cluster estimate divides among workers (``run.json``'s ``shards``).

    Examples
    --------
    >>> with ledger() as book:
    ...     _ = shard_map(pow, [(2, 3), (3, 2)])
    >>> book["builtins.pow"]["tasks"]
    2
    """
    book: dict[str, dict[str, float]] = {}
    token = _LEDGER.set(book)
    try:
        yield book
    finally:
        _LEDGER.reset(token)


def n_workers() -> int:
    """How many workers the running :func:`workers` block has (1 without one)."""
    client = _CLIENT.get()
    return 1 if client is None else max(1, len(client.scheduler_info().get("workers", {})))


def plate_blocks(plate: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Blocks ``[a, b)`` of about ``size`` rows of ``plate`` (sorted codes) that never split a plate's rows: the
    shards of a per-plate computation (each block ends at the first plate to start ``size`` rows or more after
    its own start).

    Examples
    --------
    >>> plate_blocks(np.array([0, 0, 0, 1, 2, 2, 3]), 2)
    [(0, 3), (3, 6), (6, 7)]
    """
    if size < 1:
        raise ValueError(f"a block holds at least one read; got size {size}")
    n = len(plate)
    starts = np.flatnonzero(np.concatenate([[True], plate[1:] != plate[:-1]])) if n else np.zeros(0, np.int64)
    # each block ends at the first plate start at or after a multiple of ``size`` reads past its own start
    bounds = [0] if n else []
    while bounds and bounds[-1] < n:
        k = int(np.searchsorted(starts, bounds[-1] + size))
        bounds.append(int(starts[k]) if k < len(starts) else n)
    return list(zip(bounds[:-1], bounds[1:]))
