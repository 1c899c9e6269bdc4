"""Which way drivers go, and where their routes pass cameras."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from sim._errors import NetworkError
from sim.network import RoadNetwork
from sim.routing.tables import Crossings, Driven, Routes
from sim.routing.trees import OriginTrees, fastest_routes, route_chunks, routes_on_trees
from sim.shard import shard_map

#: A driver class: its trips' rows and the per-edge times it perceives (``None``: the real ones).
DriverClass = tuple[np.ndarray, np.ndarray | None]


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
    return _routes_of_classes(net, origins, destinations, driver_classes(net, len(origins), noise=noise,
                                                                         classes=classes, rng=rng))


def driver_classes(
    net: RoadNetwork, n_trips: int, *, noise: float, classes: int, rng: np.random.Generator | None
) -> list[DriverClass]:
    """The drivers' classes: each class's trip rows and the per-edge times it perceives (``None``: the real ones).

    Every draw of route choice happens here, once, before any routing: routing the trips of a class in
    parts, or on workers, then gives the very routes of routing them together.
    """
    if noise <= 0:
        return [(np.arange(n_trips), None)]
    if rng is None:
        raise ValueError("route noise needs a random generator")
    group = rng.integers(0, classes, n_trips)
    factors = rng.lognormal(0.0, noise, size=(classes, net.n_edges))
    return [(np.flatnonzero(group == c), net.edge_time * factors[c]) for c in range(classes)]


def _routes_of_classes(
    net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray,
    plan: list[DriverClass],
) -> Routes:
    """Each class's routes on its perceived times, put back in trip order (rows not in ``plan`` get no route)."""
    # perceived times are continuous: each class's fastest paths are unique, and the compiled trees
    # (both cores) find the very routes scipy's trees would, twice as fast (tests/test_traffic.py). Every
    # draw is made before (driver_classes), so the classes are independent shards: on workers or here, the
    # same routes.
    routed = shard_map(_class_routes, [(_class_trees(net, weights), origins[rows], destinations[rows])
                                       for rows, weights in plan], counts=[len(rows) for rows, _ in plan])
    parts = [(rows, r) for (rows, _), r in zip(plan, routed)]
    _check_reachable(net, origins, destinations, [rows[~np.isfinite(r.travel_time)] for rows, r in parts])
    offsets, edges = Routes.scatter(len(origins), parts)
    travel = np.bincount(np.repeat(np.arange(len(origins)), np.diff(offsets)), weights=net.edge_time[edges],
                         minlength=len(origins))
    return Routes(offsets=offsets, edges=edges, travel_time=travel)


def _check_reachable(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray,
                     unreachable: list[np.ndarray]) -> None:
    bad = np.concatenate(unreachable) if unreachable else np.zeros(0, np.int64)
    if len(bad):
        raise NetworkError(f"no route from node {net.nodes[origins[bad[0]]]!r} to "
                           f"{net.nodes[destinations[bad[0]]]!r}")


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
    mid = _middles(net.edge_time[edges], np.asarray(routes.offsets, np.int64))
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


@numba.njit(cache=True)
def _middles(time: np.ndarray, offsets: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Seconds from departure to the middle of each edge of each route, summed within the trip.

    Summed edge by edge from the trip's start (as a shortest-path tree sums its times), so a trip's times do not
    depend on the trips stored before it (a run-wide running sum would round differently in every chunk).
    """
    out = np.empty(len(time))
    for t in range(len(offsets) - 1):
        before = 0.0
        for k in range(offsets[t], offsets[t + 1]):
            out[k] = before + time[k] / 2.0
            before += time[k]
    return out


#: A driver class's origins with at most this many of its trips are routed by goal-directed pair searches
#: (:mod:`sim.routing.landmarks`), the others on whole trees: on the 10,000-node benchmark city a search
#: aimed by landmarks settles about a tenth of the nodes a tree does (docs/scale.md). Either way the same
#: routes, perceived times being continuous.
GOAL_TRIPS = 8


def _class_trees(net: RoadNetwork, weights: np.ndarray | None) -> Any:
    return OriginTrees.of(net, weights, heap=True, goal_trips=GOAL_TRIPS if weights is not None else 0)


def _class_routes(trees: Any, origins: np.ndarray, destinations: np.ndarray) -> Routes:
    return routes_on_trees(trees, origins, destinations)


def kept_routes(
    net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray, kept: np.ndarray,
    plan: list[DriverClass],
) -> Routes:
    """The routes of the trips ``kept`` (a boolean mask): the others get an empty route and a NaN travel time
    until :func:`drive_sampled` fills it. The kept trips' routes are those :func:`choose_routes` gives them."""
    kept = np.asarray(kept, bool)
    if plan[0][1] is not None:  # route noise: each class's kept trips on its perceived times
        full = _routes_of_classes(net, origins, destinations, [(rows[kept[rows]], w) for rows, w in plan])
        return Routes(full.offsets, full.edges, np.where(kept, full.travel_time, np.nan), kept)
    rows = np.flatnonzero(kept)
    part = fastest_routes(net, origins[rows], destinations[rows])
    travel = np.full(len(origins), np.nan)
    travel[rows] = part.travel_time
    return Routes(*Routes.scatter(len(origins), [(rows, part)]), travel, kept)


def drive_sampled(
    net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray, kept: np.ndarray,
    plan: list[DriverClass], watch: tuple[np.ndarray, np.ndarray, np.ndarray],
    *, known: Routes | None = None,
) -> tuple[Routes, Driven]:
    """Route every trip, one chunk of origins at a time, keeping the routes of the trips ``kept`` only.

    Of every trip it keeps the camera crossings (``watch``: :func:`sim.cameras.watch_pairs`), the travel
    time and the length. ``known`` are the kept trips' routes when already found (:func:`kept_routes`, to
    place cameras on them): only the other trips are routed then. Memory stays one chunk of routes whatever
    the number of trips, and a trip's numbers are bit for bit those :func:`choose_routes` and
    :func:`route_crossings` give it (the same trees, sums in the same order).

    Returns the kept routes (``Routes.kept``; every trip's travel time) and what every trip drove.
    """
    kept = np.asarray(kept, bool)
    todo = [rows if known is None else rows[~kept[rows]] for rows, _ in plan]
    shards = [(net, _class_trees(net, weights), origins[rows], destinations[rows], kept[rows], weights is not None,
               watch) for rows, (_, weights) in zip(todo, plan)]
    results = shard_map(_drive_class, shards, counts=[len(rows) for rows in todo])
    n = len(origins)
    travel, length = np.full(n, np.nan), np.zeros(n)
    volume = np.zeros(net.n_edges, np.int64)
    crossings, pieces = [], []
    for rows, (cross, t, m, v, kept_parts) in zip(todo, results):
        _check_reachable(net, origins, destinations, [rows[~np.isfinite(t)]])
        travel[rows], length[rows] = t, m
        volume += v
        crossings.append(Crossings(rows[cross.trip], cross.camera, cross.edge, cross.backward, cross.offset_s))
        pieces += [(rows[at], part) for at, part in kept_parts]
    if known is None:
        known = Routes(*Routes.scatter(n, pieces), travel, kept)
    else:
        travel[kept] = known.travel_time[kept]
        length[kept] = np.bincount(known.trip_of_edge(), weights=net.edge_length[known.edges], minlength=n)[kept]
        volume += np.bincount(known.edges, minlength=net.n_edges)
        crossings.append(route_crossings(net, known, *watch))
    trip = np.concatenate([c.trip for c in crossings])
    order = np.argsort(trip, kind="stable")  # each trip's crossings come from one part, in driving order
    merged = Crossings(*(np.concatenate([getattr(c, f) for c in crossings])[order]
                         for f in ("trip", "camera", "edge", "backward", "offset_s")))
    return Routes(known.offsets, known.edges, travel, kept), Driven(merged, length, volume)


def _drive_class(
    net: RoadNetwork, trees: Any, origins: np.ndarray, destinations: np.ndarray, keep: np.ndarray, perceived: bool,
    watch: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[Crossings, np.ndarray, np.ndarray, np.ndarray, list[tuple[np.ndarray, Routes]]]:
    """One class's trips routed chunk by chunk: crossings (``trip`` = position here), travel time, length, edge
    volumes, and the routes of the trips ``keep`` marks (per chunk: their positions here, and their routes)."""
    n = len(origins)
    travel, length = np.full(n, np.inf), np.zeros(n)
    volume = np.zeros(net.n_edges, np.int64)
    parts, kept_parts = [], []
    for rows, part in route_chunks(trees, origins, destinations):
        trip = part.trip_of_edge()
        # as choose_routes: the real times of a perceived route, summed in driving order; else the tree's times
        travel[rows] = (np.bincount(trip, weights=net.edge_time[part.edges], minlength=len(rows)) if perceived
                        else part.travel_time)
        travel[rows[~np.isfinite(part.travel_time)]] = np.inf
        length[rows] = np.bincount(trip, weights=net.edge_length[part.edges], minlength=len(rows))
        volume += np.bincount(part.edges, minlength=net.n_edges)
        c = route_crossings(net, part, *watch)
        parts.append(Crossings(rows[c.trip], c.camera, c.edge, c.backward, c.offset_s))
        mine = np.flatnonzero(keep[rows])
        kept_parts.append((rows[mine], part.select(mine)))
    fields = ("trip", "camera", "edge", "backward", "offset_s")
    empty = np.zeros(0, np.int64)
    crossings = (Crossings(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields)) if parts
                 else Crossings(*(empty for _ in fields)))
    return crossings, travel, length, volume, kept_parts
