"""Fastest paths between single pairs, goal-directed by landmarks (A*, landmarks and the triangle inequality).

Route choice with noise (:func:`sim.routing.choose_routes`) gives each driver
class its own perceived network, so an origin with a handful of trips in a
class would cost a whole shortest-path tree for each class. A search aimed at
the one destination settles a few per cent of the nodes a tree does. The
classic way to aim it on a road network without coordinates that bound the
travel times is ALT (Goldberg and Harrelson, "Computing the shortest path: A*
search meets graph theory", SODA 2005): the fastest times from and to a few
*landmarks* bound every remaining time from below by the triangle inequality,

    d(v, t) ≥ max over landmarks L of  d(L, t) − d(L, v)  and  d(v, L) − d(t, L),

and A* with that bound is exact. With continuous perceived times the fastest
path is unique, so the path found is the very one a tree gives
(``tests/test_landmarks.py`` checks this route for route); :func:`goal_routes` is
what :func:`sim.routing.trees.route_chunks` uses for the origins of a class
with few trips.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sim.routing.dijkstra import many_trees, search, shortest_tree

#: Landmarks per network: 16 is the usual choice in the ALT literature (more tighten the bound, each costs two
#: trees per perceived network and 16 bytes per node).
N_LANDMARKS = 16
#: Landmarks each search uses: the ones that bound its pair best (8 of 16 was the fastest on the 10,000-node
#: benchmark city: 40 µs a search on 2 cores, against 52 with 4 and 44 with all 16).
ACTIVE = 8


@dataclass(frozen=True)
class Landmarks:
    """Fastest times from and to each landmark: ``table[v, 2k]`` is d(landmark k, v), ``table[v, 2k + 1]``
    d(v, landmark k), ``inf`` where unreachable: one row per node, so that a node's bounds are read from one
    place (single precision was no faster on the benchmark city)."""

    nodes: np.ndarray
    table: np.ndarray


def choose_landmarks(indptr: np.ndarray, heads: np.ndarray, weights: np.ndarray, k: int = N_LANDMARKS) -> np.ndarray:
    """``k`` nodes spread over the network: farthest-point selection on fastest times.

    Deterministic (no random draw): the first landmark is the node farthest from node 0, each next one the
    node farthest from those chosen so far (the "farthest" method of Goldberg and Harrelson).

    Examples
    --------
    >>> indptr, heads = np.array([0, 1, 2, 3]), np.array([1, 2, 0])   # a directed ring 0 → 1 → 2 → 0
    >>> choose_landmarks(indptr, heads, np.array([1.0, 1.0, 1.0]), k=2).tolist()
    [2, 1]
    """
    n = len(indptr) - 1
    k = min(k, n)
    chosen = np.empty(k, np.int64)
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    shortest_tree(indptr, heads, weights, 0, dist, pred)
    nearest = np.where(np.isfinite(dist), dist, -np.inf)  # from node 0 (only to find the first landmark)
    for i in range(k):
        candidates = nearest.copy()
        candidates[chosen[:i]] = -np.inf
        chosen[i] = int(np.argmax(candidates))
        shortest_tree(indptr, heads, weights, chosen[i], dist, pred)
        reached = np.where(np.isfinite(dist), dist, np.inf)
        nearest = reached if i == 0 else np.minimum(nearest, reached)
        nearest = np.where(np.isfinite(nearest), nearest, -np.inf)
    return chosen


def landmark_times(indptr: np.ndarray, heads: np.ndarray, weights: np.ndarray, nodes: np.ndarray) -> Landmarks:
    """The fastest times from and to each landmark at ``weights`` (two trees per landmark, both cores)."""
    n = len(indptr) - 1
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    order = np.lexsort((tails, heads))  # the reversed graph's CSR: edges into each node
    r_indptr = np.searchsorted(heads[order], np.arange(n + 1)).astype(np.int64)
    sources = np.asarray(nodes, np.int64)
    out = np.empty((len(sources), n))
    back = np.empty((len(sources), n))
    many_trees(indptr, heads, weights, sources, out)
    many_trees(r_indptr, tails[order], weights[order], sources, back)
    table = np.empty((n, 2 * len(sources)))
    table[:, 0::2], table[:, 1::2] = out.T, back.T
    return Landmarks(sources, table)


@numba.njit(cache=True, nogil=True)
def _active(table, source, target, k):  # pragma: no cover - compiled
    """The ``k`` landmarks that bound the time from ``source`` to ``target`` best (Goldberg and Harrelson's
    active landmarks: a few good ones cost less per node than all of them, for nearly the same pruning)."""
    n_marks = table.shape[1] // 2
    score = np.empty(n_marks)
    for i in range(n_marks):
        a = table[target, 2 * i] - table[source, 2 * i]
        b = table[source, 2 * i + 1] - table[target, 2 * i + 1]
        score[i] = max(a if np.isfinite(a) else 0.0, b if np.isfinite(b) else 0.0)
    return np.argsort(-score, kind="mergesort")[: min(k, n_marks)]


@numba.njit(parallel=True, cache=True)
def _pair_searches(indptr, heads, weights, tails, csr_edge, table, n_active, origins, destinations, n_blocks,
                   width, lengths, times, buffer, fill, starts, edges):  # pragma: no cover - compiled
    """Every pair's search, in ``n_blocks`` blocks (one workspace each): its time, edge count and, when it has at
    most ``width`` edges, its edges in ``buffer[q]``. With ``fill``, the edges go to ``edges`` from ``starts``."""
    n = len(indptr) - 1
    m = len(origins)
    for b in numba.prange(n_blocks):
        dist = np.full(n, np.inf)
        pred = np.full(n, -1, np.int64)
        touched = np.empty(n + 1, np.int64)
        heap_key = np.empty(len(heads) + 1)
        heap_val = np.empty(len(heads) + 1, np.int64)
        for q in range(b * m // n_blocks, (b + 1) * m // n_blocks):
            s, t = origins[q], destinations[q]
            active = _active(table, s, t, n_active)
            n_touched = search(indptr, heads, weights, table, active, s, t, True, dist, pred, touched,
                                heap_key, heap_val)
            if n_touched < 0:  # (rounding made the bound inconsistent: search again without it)
                dist[:] = np.inf
                pred[:] = -1
                n_touched = search(indptr, heads, weights, table, active, s, t, False, dist, pred, touched,
                                    heap_key, heap_val)
            times[q] = dist[t]
            walk = np.isfinite(dist[t]) and (fill or width > 0)  # (width 0: times only, no path walked)
            steps = 0
            if walk:
                v = t
                while v != s:
                    v = tails[pred[v]]
                    steps += 1
            lengths[q] = steps
            if walk and (fill or steps <= width):
                k = starts[q] + steps - 1 if fill else steps - 1
                v = t
                while v != s:
                    j = pred[v]
                    if fill:
                        edges[k] = csr_edge[j]
                    else:
                        buffer[q, k] = csr_edge[j]
                    k -= 1
                    v = tails[j]
            for i in range(n_touched):
                dist[touched[i]] = np.inf
                pred[touched[i]] = -1


def _n_blocks(n_pairs: int) -> int:
    """Blocks of pairs for the threads: at least 16 pairs a block, at most four blocks a thread."""
    return int(min(max(n_pairs // 16, 1), 4 * max(numba.get_num_threads(), 1)))


#: Pairs searched at once, and the edges of each path held in their buffer (longer paths are searched again).
PAIR_CHUNK = 4096
PATH_WIDTH = 512


def goal_routes(
    indptr: np.ndarray, heads: np.ndarray, weights: np.ndarray, tails: np.ndarray, csr_edge: np.ndarray,
    landmarks: Landmarks, origins: np.ndarray, destinations: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fastest path of every pair ``origins[i] → destinations[i]`` by A* with landmarks, both cores.

    Returns ``offsets`` (n + 1), ``edges`` (network edge ids, in driving order) and ``travel_time`` at ``weights``
    (``inf`` and an empty path where the destination cannot be reached).
    """
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    lengths = np.zeros(len(origins), np.int64)
    times = np.empty(len(origins))
    pieces = []
    empty = np.zeros(0, np.int64)
    for c in range(0, len(origins), PAIR_CHUNK):
        part = slice(c, c + PAIR_CHUNK)
        o, d = origins[part], destinations[part]
        n_blocks = _n_blocks(len(o))
        buffer = np.empty((len(o), PATH_WIDTH), np.int64)
        _pair_searches(indptr, heads, weights, tails, csr_edge, landmarks.table, ACTIVE, o, d, n_blocks,
                       PATH_WIDTH, lengths[part], times[part], buffer, False, empty, empty)
        n_steps = lengths[part]
        long = np.flatnonzero(n_steps > PATH_WIDTH)
        if len(long):  # the few paths longer than the buffer: searched again, written in place
            starts = np.concatenate([[0], np.cumsum(n_steps[long])[:-1]]).astype(np.int64)
            extra = np.empty(int(n_steps[long].sum()), np.int64)
            _pair_searches(indptr, heads, weights, tails, csr_edge, landmarks.table, ACTIVE, o[long], d[long],
                           1, PATH_WIDTH, np.empty(len(long), np.int64), np.empty(len(long)), buffer[:0], True,
                           starts, extra)
        within = np.arange(PATH_WIDTH) < np.where(n_steps <= PATH_WIDTH, n_steps, 0)[:, None]
        flat = buffer[within]
        if len(long):
            offsets = np.concatenate([[0], np.cumsum(n_steps)])
            kept = np.repeat(n_steps <= PATH_WIDTH, n_steps)
            merged = np.empty(int(offsets[-1]), np.int64)
            merged[kept] = flat
            merged[~kept] = extra
            flat = merged
        pieces.append(flat)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return offsets, np.concatenate(pieces) if pieces else empty, times


def goal_times(
    indptr: np.ndarray, heads: np.ndarray, weights: np.ndarray, landmarks: Landmarks, origins: np.ndarray,
    destinations: np.ndarray,
) -> np.ndarray:
    """The fastest time of every pair ``origins[i] → destinations[i]`` by A* with landmarks (no path kept);
    ``inf`` where the destination cannot be reached."""
    origins = np.asarray(origins, np.int64)
    destinations = np.asarray(destinations, np.int64)
    times = np.empty(len(origins))
    if not len(origins):
        return times
    empty = np.zeros(0, np.int64)
    _pair_searches(indptr, heads, weights, empty, empty, landmarks.table, ACTIVE, origins,
                   destinations, _n_blocks(len(origins)), 0, np.empty(len(origins), np.int64), times,
                   np.empty((len(origins), 0), np.int64), False, empty, empty)
    return times
