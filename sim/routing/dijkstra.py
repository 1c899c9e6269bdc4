"""The Dijkstra core: every fastest-path search in Curtain is one of these compiled loops.

One search, :func:`search` (a binary heap with lazy deletion; aimed at a target by a lower bound, it is A*),
and its thin forms: :func:`shortest_tree` (a whole tree from one source), :func:`many_trees` (many sources on
both cores), and the pair searches of :mod:`sim.routing.landmarks`. Beside it, Dial's bucket queue
(:func:`dial_tree`), which settles the same tree faster where edge times vary little (free-flow times of a
city's streets). Everything works on a network as CSR arrays (``indptr``, ``heads``, ``weights``: see
:class:`sim.routing.trees.OriginTrees`); ``pred[v]`` is the CSR entry by which ``v`` is reached. scipy's
:func:`scipy.sparse.csgraph.dijkstra` (:func:`sim.routing.reference.scipy_routes`) and networkx's are the
references these are tested against (``tests/test_landmarks.py``, ``tests/test_traffic.py``).
"""

from __future__ import annotations

import numba
import numpy as np

#: The bound is shrunk by this relative margin, so rounding in the landmark times can never make it exceed the
#: true remaining time (an exact search needs a bound that never overestimates).
BOUND_MARGIN = 1e-9


@numba.njit(cache=True, nogil=True)
def search(indptr, heads, weights, table, active, source, target, bounded, dist, pred, touched, heap_key,
            heap_val):  # pragma: no cover - compiled
    """A* from ``source`` until ``target`` is settled (``target`` −1: every node; ``bounded`` False: no bound,
    i.e. Dijkstra), binary heap with lazy deletion.

    ``dist`` must be ``inf`` and ``pred`` −1 on entry; the nodes this search sets are listed in ``touched``, and
    their number returned, so that the caller resets only those. Returns −1 if the heap (``heap_key``,
    ``heap_val``, one slot per edge and one more) would overflow, which a consistent bound cannot cause: the
    caller then searches again unbounded, which cannot overflow.
    """
    n_touched = 1
    touched[0] = source
    dist[source] = 0.0
    heap_key[0] = bound(table, active, source, target) if bounded else 0.0
    heap_val[0] = source
    size = 1
    while size > 0:
        f = heap_key[0]
        u = heap_val[0]
        size -= 1
        if size > 0:  # move the last item to the root and sift it down
            key, val = heap_key[size], heap_val[size]
            i = 0
            while True:
                child = 2 * i + 1
                if child >= size:
                    break
                if child + 1 < size and heap_key[child + 1] < heap_key[child]:
                    child += 1
                if heap_key[child] < key:
                    heap_key[i] = heap_key[child]
                    heap_val[i] = heap_val[child]
                    i = child
                else:
                    break
            heap_key[i] = key
            heap_val[i] = val
        d = dist[u]
        if f > d + (bound(table, active, u, target) if bounded else 0.0):  # stale: u was reached faster since
            continue
        if u == target:
            break
        for j in range(indptr[u], indptr[u + 1]):
            v = heads[j]
            nd = d + weights[j]
            if nd < dist[v]:
                if dist[v] == np.inf:
                    touched[n_touched] = v
                    n_touched += 1
                dist[v] = nd
                pred[v] = j
                if size == len(heap_key):
                    return -1
                key = nd + bound(table, active, v, target) if bounded else nd
                i = size
                size += 1
                while i > 0:  # sift the new item up
                    parent = (i - 1) // 2
                    if heap_key[parent] > key:
                        heap_key[i] = heap_key[parent]
                        heap_val[i] = heap_val[parent]
                        i = parent
                    else:
                        break
                heap_key[i] = key
                heap_val[i] = v
    return n_touched


@numba.njit(cache=True, nogil=True)
def bound(table, active, v, target):  # pragma: no cover - compiled
    """The lower bound on the fastest time from ``v`` to ``target`` of the landmarks ``active``."""
    best = 0.0
    for k in active:
        a = table[target, 2 * k] - table[v, 2 * k]  # d(L, t) − d(L, v)
        if np.isfinite(a) and a > best:
            best = a
        b = table[v, 2 * k + 1] - table[target, 2 * k + 1]  # d(v, L) − d(t, L)
        if np.isfinite(b) and b > best:
            best = b
    return best * (1.0 - BOUND_MARGIN)


@numba.njit(cache=True, nogil=True)
def shortest_tree(indptr, heads, weights, source, dist, pred):  # pragma: no cover - compiled
    """Fastest times from ``source`` into ``dist`` and the CSR entry into each node into ``pred`` (−1: none):
    a whole shortest-path tree, Dijkstra with a binary heap and lazy deletion (the search below with no target
    and no bound)."""
    n = len(indptr) - 1
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
    empty = np.zeros((0, 0))
    heap_key = np.empty(len(heads) + 1)
    heap_val = np.empty(len(heads) + 1, np.int64)
    search(indptr, heads, weights, empty, np.zeros(0, np.int64), source, -1, False, dist, pred,
            np.empty(n + 1, np.int64), heap_key, heap_val)


@numba.njit(parallel=True, cache=True)
def many_trees(indptr, heads, weights, sources, dist):  # pragma: no cover - compiled
    for k in numba.prange(len(sources)):
        pred = np.empty(len(indptr) - 1, np.int64)
        shortest_tree(indptr, heads, weights, sources[k], dist[k], pred)


@numba.njit(cache=True, nogil=True)
def dial_tree(indptr, heads, weights, width, n_buckets, source, dist, pred):  # pragma: no cover - compiled
    """Dijkstra with a bucket queue (Dial): buckets ``width`` wide, ``width`` ≤ the smallest edge weight.

    A node in the current bucket cannot improve another node of the same
    bucket (every edge is at least one bucket wide), so a bucket's nodes are
    settled in any order; the circular array holds ``n_buckets`` > max
    weight / width buckets. Nodes are pushed again when improved (stale
    copies are skipped).
    """
    n = len(indptr) - 1
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
    head = np.full(n_buckets, -1, dtype=np.int64)
    entry_node = np.empty(len(heads) + 1, dtype=np.int64)
    entry_next = np.empty(len(heads) + 1, dtype=np.int64)
    entry_bucket = np.empty(len(heads) + 1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    used = 0
    dist[source] = 0.0
    entry_node[0] = source
    entry_next[0] = -1
    entry_bucket[0] = 0
    head[0] = 0
    used = 1
    pending = 1
    current = 0
    while pending > 0:
        slot = current % n_buckets
        entry = head[slot]
        if entry == -1:
            current += 1
            continue
        head[slot] = entry_next[entry]
        pending -= 1
        u = entry_node[entry]
        if done[u] or entry_bucket[entry] != int(dist[u] / width):
            continue
        done[u] = True
        d = dist[u]
        for j in range(indptr[u], indptr[u + 1]):
            v = heads[j]
            nd = d + weights[j]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = j
                b = int(nd / width)
                if used == len(entry_node):  # more pushes than edges cannot happen; guard anyway
                    grow = len(entry_node) * 2
                    entry_node = np.concatenate((entry_node, np.empty(grow, dtype=np.int64)))
                    entry_next = np.concatenate((entry_next, np.empty(grow, dtype=np.int64)))
                    entry_bucket = np.concatenate((entry_bucket, np.empty(grow, dtype=np.int64)))
                entry_node[used] = v
                entry_bucket[used] = b
                entry_next[used] = head[b % n_buckets]
                head[b % n_buckets] = used
                used += 1
                pending += 1


@numba.njit(parallel=True, cache=True)
def source_trees(indptr, heads, weights, sources, dist, pred, width, n_buckets):  # pragma: no cover - compiled
    for k in numba.prange(len(sources)):
        if width > 0:
            dial_tree(indptr, heads, weights, width, n_buckets, sources[k], dist[k], pred[k])
        else:
            shortest_tree(indptr, heads, weights, sources[k], dist[k], pred[k])


def bucket_width(weights: np.ndarray) -> tuple[float, int]:
    """Dial's bucket width (the smallest edge time) and bucket count; width 0 selects the heap instead."""
    width = float(weights.min()) if len(weights) else 0.0
    if width < 1e-3:  # near-zero edge times would make too many buckets
        return 0.0, 1
    return width, int(np.ceil(weights.max() / width)) + 2
