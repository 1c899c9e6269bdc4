"""Shortest-path trees per origin (compiled): camera crossings of millions of trips without storing their routes.

:func:`fastest_routes` keeps every edge of every route, which a
week of a county (15 M trips × ~50 edges) cannot afford. Here one
shortest-path tree per origin node (a compiled Dijkstra, origins in
parallel) serves every trip from that node, and walking each trip back
through the tree records only what the rest of the pipeline needs: the
camera crossings (camera, edge, seconds from departure), the travel time
and the length. Paths are the fastest ones, as in ``fastest_routes``
(between equally fast paths the two may choose differently).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numba
import numpy as np

from sim.arrays import distinct
from sim._errors import NetworkError
from sim.network import RoadNetwork, adjacency_matrix, edge_lookup
from sim.progress import tick
from sim.routing.dijkstra import bucket_width, source_trees
from sim.routing.landmarks import Landmarks, choose_landmarks, goal_routes, goal_times, landmark_times
from sim.routing.tables import Crossings, Routes

#: Origins whose trees are held in memory at once (each ``n_nodes`` × 12 bytes).
ORIGIN_CHUNK = 512
#: Trips routed at once by pair searches (their routes are held together).
GOAL_CHUNK = 65_536
#: In :func:`tree_times`, origins with at most this many trips are timed by goal-directed pair searches.
TIME_GOAL_TRIPS = 8
#: Pair searches only when at least this many origins have few trips: the landmarks cost about 48 trees.
GOAL_MIN_ORIGINS = 64


@dataclass
class TreeTrips:
    """What :func:`tree_crossings` keeps of each trip: travel time (s), length (m) and edge count."""

    travel_time: np.ndarray
    length_m: np.ndarray
    n_edges: np.ndarray


@numba.njit(parallel=True, cache=True)
def _count(tails, csr_edge, edge_length, watch_ptr, tree, origin, dest, pred, out_n, out_len, out_edges):
    # pragma: no cover - compiled
    for t in numba.prange(len(dest)):
        v = dest[t]
        n = 0
        length = 0.0
        steps = 0
        row = tree[t]
        while v != origin[t]:
            j = pred[row, v]
            e = csr_edge[j]
            n += watch_ptr[e + 1] - watch_ptr[e]
            length += edge_length[e]
            steps += 1
            v = tails[j]
        out_n[t] = n
        out_len[t] = length
        out_edges[t] = steps


@numba.njit(parallel=True, cache=True)
def _fill(tails, csr_edge, edge_time, watch_ptr, watch_camera, watch_backward, tree, origin, dest, dist, pred,
          start, trip_row, out_trip, out_camera, out_edge, out_backward, out_offset):  # pragma: no cover
    for t in numba.prange(len(dest)):
        v = dest[t]
        k = start[t]
        row = tree[t]
        while v != origin[t]:
            j = pred[row, v]
            e = csr_edge[j]
            u = tails[j]
            for w in range(watch_ptr[e], watch_ptr[e + 1]):
                out_trip[k] = trip_row[t]
                out_camera[k] = watch_camera[w]
                out_edge[k] = e
                out_backward[k] = watch_backward[w]
                out_offset[k] = dist[row, u] + edge_time[e] / 2.0
                k += 1
            v = u


@dataclass
class OriginTrees:
    """The network as the compiled Dijkstra reads it (CSR of the fastest parallel edges)."""

    indptr: np.ndarray
    heads: np.ndarray
    weights: np.ndarray
    tails: np.ndarray
    csr_edge: np.ndarray
    width: float
    n_buckets: int
    #: route an origin with at most this many trips by goal-directed pair searches instead of a whole tree
    #: (:mod:`sim.routing.landmarks`; 0: never). Set only where every fastest path is unique, so that both find
    #: the same path: :meth:`of` keeps it only when no two edges have the same weight.
    goal_trips: int = 0

    @classmethod
    def of(cls, net: RoadNetwork, weights: np.ndarray | None = None, *, heap: bool = False,
           goal_trips: int = 0) -> OriginTrees:
        """The trees of ``net`` at its travel times, or at other per-edge ``weights`` (perceived times).

        ``heap`` uses a binary heap rather than Dial's buckets (faster when edge times vary widely, as
        perceived times do: 2x scipy on a 10,000-node grid, against 1.3x for the buckets). ``goal_trips``: see
        the attribute; it is set to 0 when two edges weigh the same (zero-length streets floored to 1e-6 s
        under perceived times, say), where equally fast paths could make a search and a tree differ.
        """
        adjacency = net.adjacency if weights is None else adjacency_matrix(net, weights=weights)
        edge_between = net.edge_between if weights is None else edge_lookup(net, weights)
        indptr = adjacency.indptr.astype(np.int64)
        heads = adjacency.indices.astype(np.int64)
        data = adjacency.data.astype(np.float64)
        tails = np.repeat(np.arange(net.n_nodes, dtype=np.int64), np.diff(indptr))
        width, n_buckets = (0.0, 1) if heap else bucket_width(data)
        if goal_trips and len(distinct(data)) < len(data):
            goal_trips = 0
        return cls(indptr, heads, data, tails, edge_between(tails, heads).astype(np.int64), width, n_buckets,
                   goal_trips)

    def by_origin(self, origins: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Chunks of up to :data:`ORIGIN_CHUNK` origins: the trips (rows) from them, each trip's tree row,
        and the trees' times and predecessor CSR entries."""
        n_nodes = len(self.indptr) - 1
        order = np.argsort(origins, kind="stable")
        unique, first = np.unique(origins[order], return_index=True)
        bounds = np.concatenate([first, [len(origins)]])
        for c in range(0, len(unique), ORIGIN_CHUNK):
            sources = unique[c : c + ORIGIN_CHUNK]
            dist = np.empty((len(sources), n_nodes))
            pred = np.empty((len(sources), n_nodes), np.int64)
            source_trees(self.indptr, self.heads, self.weights, sources, dist, pred, self.width, self.n_buckets)
            rows = order[bounds[c] : bounds[min(c + ORIGIN_CHUNK, len(unique))]]
            tree = np.repeat(np.arange(len(sources)), np.diff(bounds[c : c + len(sources) + 1]))
            yield rows, tree, dist, pred


def tree_crossings(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    watch_camera: np.ndarray,
    watch_edge: np.ndarray,
    watch_backward: np.ndarray,
    *,
    progress=None,  # noqa: ANN001 - callable(done, total) or None
) -> tuple[Crossings, TreeTrips]:
    """Camera crossings of trips ``origins[i] → destinations[i]`` (node indices) on their fastest routes.

    Parameters
    ----------
    watch_camera, watch_edge, watch_backward : numpy.ndarray
        As :func:`sim.cameras.watch_pairs` returns them (sorted by edge).
    progress : callable, optional
        Called as ``progress(origins_done, origins_total)`` after each chunk.

    Returns
    -------
    crossings : Crossings
        As :func:`sim.routing.route_crossings` (sorted by trip, then time).
    routes : TreeTrips
        Travel time, length and number of edges of every trip.
    """
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    trees = OriginTrees.of(net)
    watch_ptr = np.searchsorted(np.asarray(watch_edge, np.int64), np.arange(net.n_edges + 1)).astype(np.int64)
    watch_camera = np.asarray(watch_camera, np.int64)
    watch_backward = np.asarray(watch_backward, np.bool_)
    n_trips = len(origins)
    travel = np.zeros(n_trips)
    length = np.zeros(n_trips)
    n_edges = np.zeros(n_trips, np.int64)
    parts = []
    n_origins, done = len(distinct(origins)), 0
    for rows, tree, dist, pred in trees.by_origin(origins):
        dest = destinations[rows]
        travel[rows] = dist[tree, dest]
        if not np.isfinite(travel[rows]).all():
            bad = rows[~np.isfinite(travel[rows])][0]
            raise NetworkError(f"no route from node {net.nodes[origins[bad]]!r} to {net.nodes[destinations[bad]]!r}")
        count = np.empty(len(rows), np.int64)
        trip_length = np.empty(len(rows))
        steps = np.empty(len(rows), np.int64)
        _count(trees.tails, trees.csr_edge, net.edge_length, watch_ptr, tree, origins[rows], dest, pred, count,
               trip_length, steps)
        length[rows] = trip_length
        n_edges[rows] = steps
        start = np.concatenate([[0], np.cumsum(count)])
        total = int(start[-1])
        out = (np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total, np.int64),
               np.empty(total, np.bool_), np.empty(total))
        _fill(trees.tails, trees.csr_edge, net.edge_time, watch_ptr, watch_camera, watch_backward, tree,
              origins[rows], dest, dist, pred, start[:-1], rows.astype(np.int64), *out)
        parts.append(out)
        done += len(pred)
        if progress is not None:
            progress(done, n_origins)
    trip, camera, edge, backward, offset = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
                                            for i in range(5))
    sort = np.lexsort((camera, offset, trip))
    crossings = Crossings(trip=trip[sort].astype(np.int64), camera=camera[sort].astype(np.int64),
                          edge=edge[sort].astype(np.int64), backward=backward[sort].astype(bool),
                          offset_s=offset[sort].astype(float))
    return crossings, TreeTrips(travel, length, n_edges)


@numba.njit(parallel=True, cache=True)
def _route_lengths(tails, tree, origin, dest, pred, out):  # pragma: no cover - compiled
    for t in numba.prange(len(dest)):
        v = dest[t]
        n = 0
        while v != origin[t]:
            v = tails[pred[tree[t], v]]
            n += 1
        out[t] = n


@numba.njit(parallel=True, cache=True)
def _route_edges(tails, csr_edge, tree, origin, dest, pred, start, length, out):  # pragma: no cover - compiled
    for t in numba.prange(len(dest)):
        v = dest[t]
        k = start[t] + length[t] - 1  # walking back from the destination fills the route from its end
        while v != origin[t]:
            j = pred[tree[t], v]
            out[k] = csr_edge[j]
            k -= 1
            v = tails[j]


def fastest_routes(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    weights: np.ndarray | None = None,
) -> Routes:
    """Fastest routes between node indices, one compiled shortest-path tree per origin (both cores).

    Parameters
    ----------
    net : RoadNetwork
    origins, destinations : numpy.ndarray
        Node indices (not ids) of each trip's ends.
    weights : numpy.ndarray, optional
        Per-edge costs replacing ``net.edge_time`` (e.g. congested or perceived times).

    Returns
    -------
    Routes
        ``travel_time`` is each route's cost at ``weights``. Between equally fast paths the choice is the
        heap's (scipy's :func:`sim.routing.reference.scipy_routes`, the reference, may choose the other).

    Raises
    ------
    NetworkError
        When a destination cannot be reached from its origin.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> r = fastest_routes(net, np.array([0]), np.array([8]))
    >>> len(r.route(0))
    4
    """
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    routes = routes_on_trees(OriginTrees.of(net, weights, heap=True), origins, destinations)
    unreachable = np.flatnonzero(~np.isfinite(routes.travel_time))
    if len(unreachable):
        bad = unreachable[0]
        raise NetworkError(f"no route from node {net.nodes[origins[bad]]!r} to {net.nodes[destinations[bad]]!r}")
    return routes


def routes_on_trees(trees: OriginTrees, origins: np.ndarray, destinations: np.ndarray) -> Routes:
    """The routes of :func:`fastest_routes` from prepared trees (arrays only: cheap to send to a worker).

    An unreachable destination gets an empty route and an infinite ``travel_time``.
    """
    travel = np.zeros(len(origins))
    chunks = []
    for rows, part in route_chunks(trees, origins, destinations):
        travel[rows] = part.travel_time
        chunks.append((rows, part))
    offsets, edges = Routes.scatter(len(origins), chunks)
    return Routes(offsets=offsets, edges=edges, travel_time=travel)


def route_chunks(
    trees: OriginTrees, origins: np.ndarray, destinations: np.ndarray
) -> Iterator[tuple[np.ndarray, Routes]]:
    """The routes of :func:`routes_on_trees`, a chunk at a time: the trips' rows and their routes.

    Trips from origins with few trips (``trees.goal_trips``) come first, by pair searches in chunks of
    :data:`GOAL_CHUNK` trips; the others one chunk of origins' trees at a time. Memory stays one chunk of
    trees and routes, whatever the number of trips (row ``i`` of each chunk's ``Routes`` is trip ``rows[i]``;
    an unreachable destination gets an empty route and ``inf``).
    """
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    _check_nodes(len(trees.indptr) - 1, origins, destinations)
    treed = np.arange(len(origins))
    few = _sparse_origins(origins, trees.goal_trips)
    if few.any():
        yield from _goal_chunks(trees, np.flatnonzero(few), origins, destinations)
        treed = np.flatnonzero(~few)
    for part, tree, dist, pred in trees.by_origin(origins[treed]):
        rows = treed[part]
        travel = dist[tree, destinations[rows]]
        reachable = np.isfinite(travel)
        steps = np.zeros(len(rows), np.int64)
        found = np.empty(int(reachable.sum()), np.int64)
        _route_lengths(trees.tails, tree[reachable], origins[rows[reachable]], destinations[rows[reachable]], pred,
                       found)
        steps[reachable] = found
        offsets = np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        edges = np.empty(int(offsets[-1]), np.int64)
        _route_edges(trees.tails, trees.csr_edge, tree[reachable], origins[rows[reachable]],
                     destinations[rows[reachable]], pred, offsets[:-1][reachable], found, edges)
        tick(len(rows))
        yield rows, Routes(offsets=offsets, edges=edges, travel_time=travel)


def _goal_chunks(
    trees: OriginTrees, rows: np.ndarray, origins: np.ndarray, destinations: np.ndarray
) -> Iterator[tuple[np.ndarray, Routes]]:
    """The routes of trips ``rows`` by pair searches aimed by landmarks (the same paths as the trees where the
    fastest path is unique), a chunk at a time."""
    marks = _landmarks(trees)
    for c in range(0, len(rows), GOAL_CHUNK):
        part = rows[c : c + GOAL_CHUNK]
        offsets, edges, travel = goal_routes(trees.indptr, trees.heads, trees.weights, trees.tails, trees.csr_edge,
                                             marks, origins[part], destinations[part])
        tick(len(part))
        yield part, Routes(offsets=offsets, edges=edges, travel_time=travel)


def tree_times(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray, *,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Fastest travel time (s) of every trip ``origins[i] → destinations[i]`` with compiled trees, both cores.

    No routes are kept, so memory stays one chunk of trees whatever the number of trips. ``weights`` replace the travel
    times (``inf`` closes an edge); unreachable destinations get ``inf``.
    """
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    _check_nodes(net.n_nodes, origins, destinations)
    out = np.empty(len(origins))
    trees = OriginTrees.of(net, weights, heap=True)
    treed = np.arange(len(origins))
    few = _sparse_origins(origins, TIME_GOAL_TRIPS)
    if few.any():  # origins with few trips: a search aimed at each destination (a time is a time, whichever
        # of two equally fast paths the search takes)
        rows = np.flatnonzero(few)
        out[rows] = goal_times(trees.indptr, trees.heads, trees.weights, _landmarks(trees), origins[rows],
                               destinations[rows])
        treed = np.flatnonzero(~few)
    for part, tree, dist, _ in trees.by_origin(origins[treed]):
        rows = treed[part]
        out[rows] = dist[tree, destinations[rows]]
    return out


def _sparse_origins(origins: np.ndarray, goal_trips: int) -> np.ndarray:
    """Which trips go by pair searches: those from origins with at most ``goal_trips`` trips, when there are
    enough such origins to repay the landmarks' trees (:data:`GOAL_MIN_ORIGINS`); none otherwise."""
    if goal_trips <= 0 or not len(origins):
        return np.zeros(len(origins), bool)
    per_origin = np.bincount(origins)
    if int(((per_origin > 0) & (per_origin <= goal_trips)).sum()) < GOAL_MIN_ORIGINS:
        return np.zeros(len(origins), bool)
    return per_origin[origins] <= goal_trips


def _check_nodes(n_nodes: int, *nodes: np.ndarray) -> None:
    """Node indices out of range would be read out of bounds by the compiled searches: refuse them."""
    for array in nodes:
        if len(array) and (int(array.min()) < 0 or int(array.max()) >= n_nodes):
            raise ValueError(f"node indices must lie in 0…{n_nodes - 1}; got {int(array.min())}…{int(array.max())}")


def _landmarks(trees: OriginTrees) -> Landmarks:
    return landmark_times(trees.indptr, trees.heads, trees.weights,
                          choose_landmarks(trees.indptr, trees.heads, trees.weights))


@numba.njit(cache=True)
def _walk_volumes(tails, csr_edge, tree, origin, dest, pred, volume):  # pragma: no cover - compiled
    for t in range(len(dest)):
        v = dest[t]
        row = tree[t]
        while v != origin[t]:
            j = pred[row, v]
            volume[csr_edge[j]] += 1
            v = tails[j]


def edge_volumes(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """How many of the trips ``origins[i] → destinations[i]`` drive each edge on their fastest routes.

    For placing cameras where traffic is (as the ``volume`` strategy does)
    from a pilot sample of a county's trips, without storing routes.
    """
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    trees = OriginTrees.of(net)
    volume = np.zeros(net.n_edges, np.int64)
    for rows, tree, _, pred in trees.by_origin(origins):
        _walk_volumes(trees.tails, trees.csr_edge, tree, origins[rows], destinations[rows], pred, volume)
    return volume
