"""Counts inside long stages (trips routed, trips driven, camera passes) for a progress bar with an ETA.

A stage wraps its long call in :func:`counting`; the loops inside call
:func:`tick` as work gets done. Nothing is reported unless a caller (the
command line) is :func:`listening`, so library use stays silent and costs
nothing.

Examples
--------
>>> seen = []
>>> with listening(lambda unit, done, total: seen.append((unit, done, total))):
...     with counting("trips routed", 10):
...         tick(4); tick(6)
>>> seen
[('trips routed', 0, 10), ('trips routed', 4, 10), ('trips routed', 10, 10)]
>>> tick(3)  # outside counting: nothing happens
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

#: ``listener(unit, done, total)``
Listener = Callable[[str, int, int], None]


@dataclass
class _Counter:
    unit: str
    total: int
    done: int = 0


_LISTENER: ContextVar[Listener | None] = ContextVar("curtain_progress_listener", default=None)
_COUNTER: ContextVar[_Counter | None] = ContextVar("curtain_progress_counter", default=None)
_MUTED: ContextVar[bool] = ContextVar("curtain_progress_muted", default=False)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send the counts of every :func:`counting` block inside to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


@contextmanager
def counting(unit: str, total: int) -> Iterator[None]:
    """Count ``total`` units of work (``unit`` names them, e.g. "trips routed") done inside the block.

    A block inside another counts into the outer one (its own total is ignored).
    """
    listener = _LISTENER.get()
    if listener is None or _COUNTER.get() is not None:
        yield
        return
    token = _COUNTER.set(_Counter(unit, int(total)))
    listener(unit, 0, int(total))
    try:
        yield
    finally:
        _COUNTER.reset(token)


def tick(n: int = 1) -> None:
    """``n`` more units done in the running :func:`counting` block (none: nothing happens)."""
    counter, listener = _COUNTER.get(), _LISTENER.get()
    if counter is None or listener is None or _MUTED.get():
        return
    counter.done = min(counter.total, counter.done + int(n))
    listener(counter.unit, counter.done, counter.total)


@contextmanager
def muted() -> Iterator[None]:
    """Ignore :func:`tick` inside (a caller counts this work itself, e.g. per shard)."""
    token = _MUTED.set(True)
    try:
        yield
    finally:
        _MUTED.reset(token)
