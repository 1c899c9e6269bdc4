"""Traffic: vehicles drive their trips in SimPy and pass cameras.

Each vehicle is one SimPy process that drives its trips in order along
fastest routes. It yields only at camera crossings and at arrivals, so the
number of events grows with the number of crossings, not with the number of
edges driven. A camera reads at its edge's midpoint.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.network import RoadNetwork, Routes, fastest_routes


def choose_routes(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    noise: float = 0.0,
    classes: int = 8,
    rng: np.random.Generator | None = None,
) -> Routes:
    """Routes drivers take: fastest, or fastest on a perceived network when ``noise > 0``.

    With noise, drivers fall into ``classes`` groups; each group perceives
    every edge's time multiplied by a lognormal factor (sigma ``noise``) and
    takes its fastest route on that perceived network (so routing stays
    batched per origin). Travel times returned are the real free-flow times
    of the chosen routes.
    """
    if noise <= 0:
        return fastest_routes(net, origins, destinations)
    if rng is None:
        raise ValueError("route noise needs a random generator")
    group = rng.integers(0, classes, len(origins))
    factors = rng.lognormal(0.0, noise, size=(classes, net.n_edges))
    parts = []
    for c in range(classes):
        rows = np.flatnonzero(group == c)
        parts.append((rows, fastest_routes(net, origins[rows], destinations[rows], weights=net.edge_time * factors[c])))
    lengths = np.zeros(len(origins), dtype=np.int64)
    for rows, r in parts:
        lengths[rows] = np.diff(r.offsets)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    edges = np.zeros(offsets[-1], dtype=np.int64)
    for rows, r in parts:
        for j, trip in enumerate(rows):
            edges[offsets[trip] : offsets[trip + 1]] = r.route(j)
    travel = np.bincount(np.repeat(np.arange(len(origins)), lengths), weights=net.edge_time[edges],
                         minlength=len(origins))
    return Routes(offsets=offsets, edges=edges, travel_time=travel)


@dataclass(frozen=True)
class Crossings:
    """Where and when each trip passes a watched edge, in driving order.

    ``trip`` are row positions in the trips table, ``camera`` row positions
    in the layout, ``edge`` the travelled edge, ``offset_s`` seconds after
    the trip's actual departure.
    """

    trip: np.ndarray
    camera: np.ndarray
    edge: np.ndarray
    backward: np.ndarray
    offset_s: np.ndarray


def route_crossings(
    net: RoadNetwork,
    routes: Routes,
    watch_camera: np.ndarray,
    watch_edge: np.ndarray,
    watch_backward: np.ndarray,
) -> Crossings:
    """Match every route against the watched edges (vectorised).

    ``watch_*`` are the parallel arrays of :func:`sim.cameras.watch_pairs`,
    sorted by edge.
    """
    edges = routes.edges
    trip = routes.trip_of_edge()
    time = net.edge_time[edges]
    cumulative = np.cumsum(time)
    start_of_trip = np.concatenate([[0.0], cumulative])[routes.offsets[:-1]]
    # Seconds from departure to the middle of each edge of each route.
    mid = cumulative - time / 2 - start_of_trip[trip]
    lo = np.searchsorted(watch_edge, edges, side="left")
    hi = np.searchsorted(watch_edge, edges, side="right")
    n = hi - lo
    entry = np.repeat(np.arange(len(edges)), n)
    pair = np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return Crossings(
        trip=trip[entry],
        camera=watch_camera[pair],
        edge=edges[entry],
        backward=watch_backward[pair],
        offset_s=mid[entry],
    )


def simulate(trips: pd.DataFrame, routes: Routes, crossings: Crossings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drive every vehicle's trips in a SimPy environment.

    A vehicle leaves at its trip's ``depart_s`` or, if its previous trip
    ends later, as soon as it arrives. Trips must be sorted by vehicle and
    departure (as every demand model returns them).

    Returns
    -------
    timed_trips : pandas.DataFrame
        ``trips`` with actual ``depart_s`` and ``arrive_s``.
    passes : pandas.DataFrame
        One row per camera crossing: ``trip, camera, edge, backward,
        time_s``, sorted by time, then trip and camera (deterministic).
    """
    env = simpy.Environment()
    depart = trips["depart_s"].to_numpy(float).copy()
    arrive = np.zeros(len(trips))
    per_trip = np.bincount(crossings.trip, minlength=len(trips))
    first = np.concatenate([[0], np.cumsum(per_trip)])
    order = np.lexsort((crossings.offset_s, crossings.trip))
    offsets = crossings.offset_s[order]
    crossing_time = np.zeros(len(order))
    vehicles = trips["vehicle_id"].to_numpy()
    boundaries = np.flatnonzero(np.diff(vehicles)) + 1
    for rows in np.split(np.arange(len(trips)), boundaries):
        env.process(_drive(env, rows, depart, arrive, routes.travel_time, first, offsets, crossing_time))
    env.run()
    timed = trips.copy()
    timed["depart_s"] = depart
    timed["arrive_s"] = arrive
    passes = pd.DataFrame(
        {
            "trip": crossings.trip[order],
            "camera": crossings.camera[order],
            "edge": crossings.edge[order],
            "backward": crossings.backward[order],
            "time_s": crossing_time,
        }
    )
    passes = passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    return timed, passes


def _drive(
    env: simpy.Environment,
    rows: np.ndarray,
    depart: np.ndarray,
    arrive: np.ndarray,
    travel_time: np.ndarray,
    first: np.ndarray,
    offsets: np.ndarray,
    crossing_time: np.ndarray,
) -> Generator[Any, Any, None]:
    """One vehicle: wait for each departure, pass each camera, arrive."""
    for trip in rows:
        start = max(depart[trip], env.now)
        depart[trip] = start
        yield env.timeout(start - env.now)
        for c in range(first[trip], first[trip + 1]):
            # Times are computed from the departure, not accumulated, so
            # they are exact to the last bit whatever the event order.
            crossing_time[c] = start + offsets[c]
            yield env.timeout(max(0.0, crossing_time[c] - env.now))
        arrive[trip] = start + travel_time[trip]
        yield env.timeout(max(0.0, arrive[trip] - env.now))


def camera_outages(
    n_cameras: int, horizon_s: float, *, mtbf_s: float, mttr_s: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Outage windows of every camera, from one SimPy process per camera.

    Each camera works for an exponential time with mean ``mtbf_s`` (mean time
    between failures), is down for an exponential time with mean ``mttr_s``
    (mean time to repair), and so on until ``horizon_s``.

    Returns
    -------
    pandas.DataFrame
        ``camera`` (layout row), ``start_s``, ``end_s`` of each outage.

    Examples
    --------
    >>> w = camera_outages(3, 86_400, mtbf_s=36_000, mttr_s=3_600, rng=np.random.default_rng(0))
    >>> bool((w["end_s"] > w["start_s"]).all())
    True
    """
    if mtbf_s <= 0 or mttr_s <= 0:
        raise ValueError("mtbf and mttr must be positive")
    env = simpy.Environment()
    streams = rng.spawn(n_cameras)  # one stream per camera: draws do not depend on event order
    windows: list[tuple[int, float, float]] = []

    def camera(c: int) -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(streams[c].exponential(mtbf_s))
            start = env.now
            yield env.timeout(streams[c].exponential(mttr_s))
            windows.append((c, start, env.now))

    for c in range(n_cameras):
        env.process(camera(c))
    # run past the horizon so an outage under way at the horizon is recorded whole
    # (one lasting 50 mean repair times is a chance of e^-50)
    env.run(until=horizon_s + 50 * mttr_s)
    frame = pd.DataFrame(windows, columns=["camera", "start_s", "end_s"])
    frame = frame[frame["start_s"] < horizon_s]
    return frame.sort_values(["camera", "start_s"], ignore_index=True)


def during_outage(passes: pd.DataFrame, outages: pd.DataFrame) -> np.ndarray:
    """True for each camera pass that falls inside an outage window of its camera."""
    hit = np.zeros(len(passes), dtype=bool)
    if not len(outages) or not len(passes):
        return hit
    camera = passes["camera"].to_numpy()
    time = passes["time_s"].to_numpy()
    for c, windows in outages.groupby("camera"):
        rows = np.flatnonzero(camera == c)
        starts, ends = windows["start_s"].to_numpy(), windows["end_s"].to_numpy()
        k = np.searchsorted(starts, time[rows], side="right") - 1
        inside = (k >= 0) & (time[rows] < ends[np.maximum(k, 0)])
        hit[rows[inside]] = True
    return hit
