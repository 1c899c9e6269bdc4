"""Which way drivers go, and where their routes pass cameras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

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
    from sim.shard import shard_map

    group = rng.integers(0, classes, len(origins))
    factors = rng.lognormal(0.0, noise, size=(classes, net.n_edges))
    rows_of = [np.flatnonzero(group == c) for c in range(classes)]
    # perceived times are continuous: each class's fastest paths are unique, and the compiled trees
    # (both cores) find the very routes scipy's trees would, twice as fast (tests/test_traffic.py). Every
    # draw is made above, so the classes are independent shards: on workers or here, the same routes.
    routed = shard_map(_class_routes, [(_class_trees(net, net.edge_time * factors[c]), origins[rows],
                                        destinations[rows]) for c, rows in enumerate(rows_of)],
                       counts=[len(rows) for rows in rows_of])
    parts = list(zip(rows_of, routed))
    unreachable = [rows[~np.isfinite(r.travel_time)] for rows, r in parts]
    bad = np.concatenate(unreachable) if unreachable else np.zeros(0, np.int64)
    if len(bad):
        from sim._errors import NetworkError

        raise NetworkError(f"no route from node {net.nodes[origins[bad[0]]]!r} to "
                           f"{net.nodes[destinations[bad[0]]]!r}")
    lengths = np.zeros(len(origins), dtype=np.int64)
    for rows, r in parts:
        lengths[rows] = np.diff(r.offsets)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    edges = np.zeros(offsets[-1], dtype=np.int64)
    for rows, r in parts:
        # each class's routes, edge by edge, moved to their trips' places in the flat array
        within = np.arange(len(r.edges)) - np.repeat(r.offsets[:-1], np.diff(r.offsets))
        edges[np.repeat(offsets[rows], np.diff(r.offsets)) + within] = r.edges
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


def _class_trees(net: RoadNetwork, weights: np.ndarray) -> Any:
    from sim.traffic.trees import OriginTrees

    return OriginTrees.of(net, weights, heap=True)


def _class_routes(trees: Any, origins: np.ndarray, destinations: np.ndarray) -> Routes:
    from sim.traffic.trees import routes_on_trees

    return routes_on_trees(trees, origins, destinations)
