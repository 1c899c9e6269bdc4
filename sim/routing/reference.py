"""The reference router: scipy's Dijkstra (:mod:`scipy.sparse.csgraph`), slow and plain.

The compiled searches of :mod:`sim.routing.dijkstra` are tested against it (and against networkx); nothing in a
run calls it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sim.arrays import distinct
from sim._errors import NetworkError
from sim.network import RoadNetwork, adjacency_matrix, edge_lookup
from sim.routing.tables import Routes

#: Origins routed per :func:`scipy.sparse.csgraph.dijkstra` call; bounds the
#: dense (origins x nodes) distance and predecessor arrays.
ORIGIN_CHUNK = 256


def scipy_routes(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    weights: np.ndarray | None = None,
) -> Routes:
    """:func:`sim.routing.fastest_routes` with scipy's Dijkstra (``scipy.sparse.csgraph``): the reference."""
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    adjacency = net.adjacency if weights is None else adjacency_matrix(net, weights=weights)
    # between two nodes, the edge the router used: the cheapest at these weights (parallel edges differ)
    edge_between = net.edge_between if weights is None else edge_lookup(net, weights)
    trip_parts, edge_parts, step_parts = [], [], []
    travel_time = np.zeros(len(origins))
    unique = distinct(origins)
    for start in range(0, len(unique), ORIGIN_CHUNK):
        chunk = unique[start : start + ORIGIN_CHUNK]
        dist, pred = dijkstra(adjacency, directed=True, indices=chunk, return_predecessors=True)
        trips = np.flatnonzero(np.isin(origins, chunk))
        rows = np.searchsorted(chunk, origins[trips])
        travel_time[trips] = dist[rows, destinations[trips]]
        if not np.isfinite(travel_time[trips]).all():
            bad = trips[~np.isfinite(travel_time[trips])][0]
            raise NetworkError(
                f"no route from node {net.nodes[origins[bad]]!r} to {net.nodes[destinations[bad]]!r}"
            )
        t, e, s = _walk_back(edge_between, pred, rows, origins[trips], destinations[trips])
        trip_parts.append(trips[t])
        edge_parts.append(e)
        step_parts.append(s)
    trip = np.concatenate(trip_parts) if trip_parts else np.zeros(0, np.int64)
    edges = np.concatenate(edge_parts) if edge_parts else np.zeros(0, np.int64)
    steps = np.concatenate(step_parts) if step_parts else np.zeros(0, np.int64)
    order = np.lexsort((-steps, trip))
    offsets = np.zeros(len(origins) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(trip, minlength=len(origins)))
    return Routes(offsets=offsets, edges=edges[order], travel_time=travel_time)


def _walk_back(
    edge_between: Callable[[np.ndarray, np.ndarray], np.ndarray], pred: np.ndarray, rows: np.ndarray,
    origins: np.ndarray, dests: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Walk every trip from its destination back to its origin in lock step."""
    idx = np.arange(len(dests))
    current = dests.copy()
    trips, edges, steps = [], [], []
    step = 0
    active = current != origins
    while active.any():
        t = idx[active]
        node = current[t]
        prev = pred[rows[t], node]
        trips.append(t)
        edges.append(edge_between(prev, node))
        steps.append(np.full(len(t), step))
        current[t] = prev
        step += 1
        active = current != origins
    if not trips:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(trips), np.concatenate(edges), np.concatenate(steps)
