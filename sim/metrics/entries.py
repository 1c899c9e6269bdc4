"""Trips into a district: how many of them are read as they enter, and which ways in carry no reader.

A trip enters the district when its route takes a road segment from outside it to inside it (a directed
edge whose tail is outside and head inside). It is read as it enters when one of its reads was made on
such a segment. Truth (the routes, the trip of each read) scores; nothing here is inference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

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


def district_entries(
    net: RoadNetwork, mask: np.ndarray, routes: Routes, trips: pd.DataFrame, reads: pd.DataFrame,
    watched: np.ndarray,
) -> dict[str, Any]:
    """Ways in and trips in: ``n_ways_in``, ``n_ways_in_camera_free`` (no reader watching the way in),
    ``n_trips_entering`` and ``share_trips_entering_read`` (read on a way in; 95 % interval clustered by
    vehicle), over the trips whose routes are kept.
    """
    ways_in = entering_edges(net, mask)
    is_way_in = np.zeros(net.n_edges, bool)
    is_way_in[ways_in] = True
    camera_free = np.setdiff1d(ways_in, np.asarray(watched, np.int64))
    out: dict[str, Any] = {"n_ways_in": int(len(ways_in)), "n_ways_in_camera_free": int(len(camera_free))}
    kept = np.ones(len(trips), bool) if routes.kept is None else np.asarray(routes.kept, bool)
    trip_of_edge = routes.trip_of_edge()
    entering = np.zeros(len(trips), bool)
    entering[trip_of_edge[is_way_in[routes.edges]]] = True
    entering &= kept
    row_of_trip = pd.Index(trips["trip_id"]).get_indexer(reads["trip_id"])
    edge = reads["edge"].to_numpy(np.int64)
    on_way_in = (row_of_trip >= 0) & (edge >= 0) & is_way_in[np.maximum(edge, 0)]
    read_entering = np.zeros(len(trips), bool)
    read_entering[row_of_trip[on_way_in]] = True
    out["n_trips_entering"] = int(entering.sum())
    add_share(out, "share_trips_entering_read", read_entering[entering],
              trips["vehicle_id"].to_numpy()[entering], reason="no kept route enters the district")
    return out
