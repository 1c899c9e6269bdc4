"""The two traffic engines, and how each runs a process: a vehicle, a patrol car, a camera's failures.

``"simpy"`` is the readable reference: every process a SimPy process. ``"compiled"`` gives the same results bit
for bit without SimPy: the vehicles' departure rule as one numba loop (:mod:`sim.traffic.compiled`), and
independent processes (patrol cars, camera outages: each with its own random stream, none waiting for another)
one after the other in a plain loop with SimPy's arithmetic (:func:`run_each`). A process's behaviour is written
once (:data:`Behaviour`) and run by either (:func:`run_processes`). For these, "compiled" names the engine,
not the code: the loop is plain Python, needing no SimPy event queue (1.1–1.2× SimPy's speed for patrol cars,
whose time is mostly routing; 2–4× for outages).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any, Literal

import simpy

#: The traffic engines :func:`drive` accepts.
ENGINES: tuple[str, ...] = ("simpy", "compiled")
Engine = Literal["simpy", "compiled"]
#: ``traffic.engine = "auto"`` runs SimPy up to this many trips (every vehicle a process stays cheap), compiled above.
AUTO_COMPILED_ABOVE_TRIPS = 20_000


def engine_for(choice: str, n_trips: int) -> Engine:
    """The engine ``traffic.engine = choice`` runs for ``n_trips`` trips (``auto``: see
    :data:`AUTO_COMPILED_ABOVE_TRIPS`).

    Examples
    --------
    >>> engine_for("auto", 5_000), engine_for("auto", 2_000_000), engine_for("simpy", 2_000_000)
    ('simpy', 'compiled', 'simpy')
    """
    if choice == "auto":
        return "compiled" if n_trips > AUTO_COMPILED_ABOVE_TRIPS else "simpy"
    if choice not in ENGINES:
        raise ValueError(f"unknown traffic engine {choice!r}; use auto or one of {', '.join(ENGINES)}")
    return choice  # type: ignore[return-value]


#: A process's behaviour: it yields each delay (seconds) to wait, and is sent the clock once the delay has passed.
Behaviour = Generator[float, float, None]


def check_engine(engine: str) -> None:
    """Refuse an engine that is not one of :data:`ENGINES`."""
    if engine not in ENGINES:
        raise ValueError(f"unknown traffic engine {engine!r}; use one of {', '.join(ENGINES)}")


def in_simpy(env: simpy.Environment, behaviour: Callable[[float], Behaviour]) -> Generator[simpy.Event, Any, None]:
    """A SimPy process running ``behaviour`` from ``env.now``: each delay it yields is an ``env.timeout``."""
    steps = behaviour(env.now)
    try:
        delay = next(steps)
        while True:
            yield env.timeout(delay)
            delay = steps.send(env.now)
    except StopIteration:
        return


def run_each(behaviours: Iterable[Callable[[float], Behaviour]], until: float | None = None) -> None:
    """Run each behaviour without SimPy, as if alone in ``simpy.Environment().run(until)``.

    For independent processes only (their own random streams, no shared
    resource): each keeps its own clock, with SimPy's arithmetic. The clock
    starts at SimPy's initial time (the integer 0) and a delay ``d`` ends at
    ``now + d``; a negative delay raises SimPy's error. With ``until``, only
    waits ending strictly before it end: SimPy schedules ``until`` as an
    urgent event, processed before any timeout at the same time, and stops
    there.
    """
    start: float = 0
    at = None if until is None else until if isinstance(until, int) else float(until)  # as Environment.run
    if at is not None and at <= start:
        raise ValueError(f"until ({at}) must be greater than the current simulation time")
    for behaviour in behaviours:
        now = start
        steps = behaviour(now)
        try:
            delay = next(steps)
            while True:
                if delay < 0:
                    raise ValueError(f"Negative delay {delay}")
                now = now + delay
                if at is not None and now >= at:
                    break
                delay = steps.send(now)
        except StopIteration:
            pass


def run_processes(behaviours: Sequence[Callable[[float], Behaviour]], engine: str, *,
                  until: float | None = None) -> None:
    """Run independent processes on ``engine``: SimPy processes (``"simpy"``), or each alone in a plain loop
    (``"compiled"``, :func:`run_each`); the same events, at the same times, either way.

    Examples
    --------
    >>> def clock(name, log):
    ...     def behaviour(now):
    ...         for _ in range(3):
    ...             now = yield 1.5
    ...             log.append((name, now))
    ...     return behaviour
    >>> logs = {}
    >>> for engine in ENGINES:
    ...     logs[engine] = []
    ...     run_processes([clock("a", logs[engine]), clock("b", logs[engine])], engine, until=4.0)
    >>> sorted(logs["simpy"]) == sorted(logs["compiled"]) == [("a", 1.5), ("a", 3.0), ("b", 1.5), ("b", 3.0)]
    True
    """
    check_engine(engine)
    if engine == "simpy":
        env = simpy.Environment()
        for behaviour in behaviours:
            env.process(in_simpy(env, behaviour))
        env.run(until=until)
    else:
        run_each(behaviours, until)
