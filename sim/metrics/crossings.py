"""Trips across a line the network draws: a river's bridges, the roads across a city line.

A generator tags each road that joins its two sides with both sides' names, ``"west-bank|east-bank"``
(:func:`sim.generators.river_network`, :func:`sim.generators.city_line_network`). A trip *crosses* when its
route takes such a road; it is *read crossing* when one of its reads was made on one. Truth (the routes, the
trip of each read) scores; nothing here is inference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.intervals import add_share
from sim.metrics.entries import trips_over_edges
from sim.network import RoadNetwork, edge_jurisdiction
from sim.routing import Routes


def crossing_roads(net: RoadNetwork) -> tuple[np.ndarray, list[str]]:
    """The directed road segments tagged as joining two sides (``"a|b"``), and the sides' names in order.

    Examples
    --------
    >>> from sim.generators import river_network
    >>> net = river_network(4, 4, bridges=2, rng=np.random.default_rng(0))
    >>> edges, sides = crossing_roads(net)
    >>> len(edges), sides   # two bridges, each two-way
    (4, ['west-bank', 'east-bank'])
    """
    tag = edge_jurisdiction(net).astype(str)
    edges = np.flatnonzero(np.array(["|" in t for t in tag], dtype=bool))
    sides: list[str] = []
    for t in pd.Series(tag[edges]).value_counts().index:  # the commonest line first
        sides += [s for s in str(t).split("|") if s not in sides]
    return edges, sides


def line_crossings(
    net: RoadNetwork, routes: Routes, trips: pd.DataFrame, reads: pd.DataFrame, trip_table: pd.DataFrame,
    watched: np.ndarray,
) -> dict[str, Any]:
    """The roads across the line and the trips that take one (empty when the network tags no such road).

    ``crossing_sides``; ``n_crossing_roads`` (roads, a two-way road once), ``n_crossing_ways`` (directions of
    them) and ``n_crossing_ways_camera_free`` (no reader watching that direction); over the trips whose
    routes are kept: ``share_trips_crossing``, ``n_trips_crossing``, and of the crossing trips
    ``share_crossing_trips_read`` (read at least once, anywhere), ``share_crossing_trips_read_crossing`` (read
    on a road across the line) and ``route_recall_mean_crossing`` (the mean share of their route rebuilt
    from the reads); 95 % intervals clustered by vehicle. ``trip_table`` is the all-reads view's, a row per
    trip in the order of ``trips``.

    Examples
    --------
    >>> from sim.generators import river_network
    >>> net = river_network(4, 4, bridges=1, rng=np.random.default_rng(0))
    >>> edges, _ = crossing_roads(net)
    >>> routes = Routes(np.array([0, 1, 2]), np.array([edges[0], 0]), np.zeros(2))   # trip 0 crosses
    >>> trips = pd.DataFrame({"trip_id": [5, 6], "vehicle_id": [0, 1]})
    >>> reads = pd.DataFrame({"trip_id": [5], "edge": [edges[0]]})
    >>> table = pd.DataFrame({"n_reads": [1, 0], "route_recall": [1.0, 0.0]})
    >>> got = line_crossings(net, routes, trips, reads, table, watched=edges[:1])
    >>> got["n_crossing_roads"], got["n_crossing_ways"], got["n_crossing_ways_camera_free"]
    (1, 2, 1)
    >>> got["share_trips_crossing"], got["share_crossing_trips_read_crossing"], got["route_recall_mean_crossing"]
    (0.5, 1.0, 1.0)
    """
    edges, sides = crossing_roads(net)
    if not len(edges):
        return {}
    u, v = net.edge_u[edges], net.edge_v[edges]
    roads = np.unique(np.stack([np.minimum(u, v), np.maximum(u, v), net.edge_key[edges]], axis=1), axis=0)
    out: dict[str, Any] = {
        "crossing_sides": sides, "n_crossing_roads": int(len(roads)), "n_crossing_ways": int(len(edges)),
        "n_crossing_ways_camera_free": int(len(np.setdiff1d(edges, np.asarray(watched, np.int64)))),
    }
    kept, crosses, read_crossing = trips_over_edges(net, edges, routes, trips, reads)
    vehicle = trips["vehicle_id"].to_numpy()
    add_share(out, "share_trips_crossing", crosses[kept], vehicle[kept], reason="no route was kept")
    out["n_trips_crossing"] = int(crosses.sum())
    why = "no kept route crosses the line"
    add_share(out, "share_crossing_trips_read", trip_table["n_reads"].to_numpy()[crosses] >= 1, vehicle[crosses],
              reason=why)
    add_share(out, "share_crossing_trips_read_crossing", read_crossing[crosses], vehicle[crosses], reason=why)
    add_share(out, "route_recall_mean_crossing", trip_table["route_recall"].to_numpy(float)[crosses],
              vehicle[crosses], reason=why)
    return out
