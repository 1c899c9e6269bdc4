"""Trips into a district: how many of them are read as they enter, and which ways in carry no reader.

A trip enters the district when its route takes a road segment from outside it to inside it (a directed
edge whose tail is outside and head inside). It is read as it enters when one of its reads was made on
such a segment. Truth (the routes, the trip of each read) scores; nothing here is inference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import rows_of
from sim.intervals import add_share
from sim.network import RoadNetwork
from sim.routing import Routes


def entering_edges(net: RoadNetwork, mask: np.ndarray) -> np.ndarray:
    """The directed road segments from outside the district (``mask`` False) to inside it.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, one_way_share=0, rng=np.random.default_rng(0))
    >>> len(entering_edges(net, np.arange(9) == 4))   # the middle intersection: four roads in
    4
    """
    return np.flatnonzero(~mask[net.edge_u] & mask[net.edge_v])


def trips_over_edges(net: RoadNetwork, edges: np.ndarray, routes: Routes, trips: pd.DataFrame,
                     reads: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per trip (the rows of ``trips``): whether its route is kept, whether it drives one of ``edges`` (kept
    routes only), and whether one of its reads was made on one of them.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> from sim.routing import fastest_routes
    >>> net = grid_network(3, 3, one_way_share=0, rng=np.random.default_rng(0))
    >>> routes = fastest_routes(net, np.array([0, 2]), np.array([2, 0]))
    >>> trips = pd.DataFrame({"trip_id": [5, 6], "vehicle_id": [0, 1]})
    >>> reads = pd.DataFrame({"trip_id": [6], "edge": [routes.edges[routes.offsets[1]]]})
    >>> kept, drives, read_on = trips_over_edges(net, routes.edges[:1], routes, trips, reads)
    >>> kept.tolist(), drives.tolist(), read_on.tolist()
    ([True, True], [True, False], [False, False])
    """
    on = np.zeros(net.n_edges, bool)
    on[np.asarray(edges, np.int64)] = True
    kept = np.ones(len(trips), bool) if routes.kept is None else np.asarray(routes.kept, bool)
    drives = np.zeros(len(trips), bool)
    drives[routes.trip_of_edge()[on[routes.edges]]] = True
    drives &= kept
    # the reads on the edges first (a few of a county week's 12 M), then their trips' rows (no hash of the trips)
    edge = reads["edge"].to_numpy(np.int64)
    hit = np.flatnonzero(np.append(on, False)[edge])  # (edge -1, none, picks the appended False)
    hit = hit[edge[hit] >= 0]
    row_of_trip = rows_of(trips["trip_id"].to_numpy(), reads["trip_id"].to_numpy()[hit])
    read_on = np.zeros(len(trips), bool)
    read_on[row_of_trip[row_of_trip >= 0]] = True
    return kept, drives, read_on


def district_entries(
    net: RoadNetwork, mask: np.ndarray, routes: Routes, trips: pd.DataFrame, reads: pd.DataFrame,
    watched: np.ndarray,
) -> dict[str, Any]:
    """Ways in and trips in: ``n_ways_in``, ``n_ways_in_camera_free`` (no reader watching the way in),
    ``n_trips_entering`` and ``share_trips_entering_read`` (read on a way in; 95 % interval clustered by
    vehicle), over the trips whose routes are kept.
    """
    ways_in = entering_edges(net, mask)
    camera_free = np.setdiff1d(ways_in, np.asarray(watched, np.int64))
    out: dict[str, Any] = {"n_ways_in": int(len(ways_in)), "n_ways_in_camera_free": int(len(camera_free))}
    _, entering, read_entering = trips_over_edges(net, ways_in, routes, trips, reads)
    out["n_trips_entering"] = int(entering.sum())
    add_share(out, "share_trips_entering_read", read_entering[entering],
              trips["vehicle_id"].to_numpy()[entering], reason="no kept route enters the district")
    return out
