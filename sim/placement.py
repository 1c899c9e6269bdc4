"""Camera placement strategies: where would a planner put the cameras?

Each strategy is a plain function returning edge indices (and, for the
fence-like strategies, directions); :func:`place_cameras` turns them into a
layout.

- ``random``: uniformly random edges.
- ``betweenness``: top-k travel-time edge betweenness (sampled on big graphs).
- ``volume``: top-k edges by traffic on the trips' routes.
- ``greedy``: lazy greedy maximisation of the share of trips read at least
  ``min_reads`` times — within (1 − 1/e) of the optimum.
- ``cordon``: every edge crossing a district's boundary.
- ``curtain``: the fewest road segments that seal a district (minimum cut).
- ``route_id``: cameras that tell the trips' routes apart by the set of
  cameras each passes (Castillo et al. 2008; Mínguez et al. 2010).
"""

from __future__ import annotations

import heapq
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csc_array, csr_array

from sim._errors import CameraError
from sim.cameras import make_layout
from sim.district import boundary_edges, seal_cut
from sim.network import RoadNetwork, Routes

#: Above this many nodes, betweenness is estimated from a sample of sources.
BETWEENNESS_EXACT_MAX_NODES = 2_000
BETWEENNESS_SAMPLE = 500
STRATEGIES = ("random", "betweenness", "volume", "greedy", "cordon", "curtain", "route_id")


def _allowed(net: RoadNetwork, allowed: np.ndarray | None) -> np.ndarray:
    return np.ones(net.n_edges, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)


def _check_count(net: RoadNetwork, count: int, allowed: np.ndarray | None = None) -> None:
    available = net.n_edges if allowed is None else int(np.count_nonzero(allowed))
    where = "edges" if allowed is None else "edges in the chosen jurisdiction"
    if not 0 <= count <= available:
        raise CameraError(
            f"cameras.count = {count} but the network has {available} {where}; "
            f"choose a count between 0 and {available}"
        )


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest scores, ties to the lowest index, sorted."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return np.sort(order[:count])


def random_edges(
    net: RoadNetwork, count: int, rng: np.random.Generator, allowed: np.ndarray | None = None
) -> np.ndarray:
    """``count`` distinct edges drawn uniformly at random.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(4, 4, rng=np.random.default_rng(0))
    >>> len(set(random_edges(net, 5, np.random.default_rng(1)).tolist()))
    5
    """
    _check_count(net, count, allowed)
    return np.sort(rng.choice(np.flatnonzero(_allowed(net, allowed)), size=count, replace=False))


def edge_betweenness(net: RoadNetwork, rng: np.random.Generator) -> np.ndarray:
    """Travel-time edge betweenness of every edge (networkx), sampled on big graphs."""
    k = None if net.n_nodes <= BETWEENNESS_EXACT_MAX_NODES else BETWEENNESS_SAMPLE
    seed = int(rng.integers(2**31)) if k else None
    scores = nx.edge_betweenness_centrality(net.graph, k=k, weight="travel_time", seed=seed)
    result = np.zeros(net.n_edges)
    for (u, v, key), score in scores.items():
        result[net.edge_id(u, v, key)] = score
    return result


def betweenness_edges(
    net: RoadNetwork, count: int, rng: np.random.Generator, allowed: np.ndarray | None = None
) -> np.ndarray:
    """The ``count`` edges of highest travel-time betweenness (ties by edge index)."""
    _check_count(net, count, allowed)
    return _top(np.where(_allowed(net, allowed), edge_betweenness(net, rng), -np.inf), count)


def edge_volume(net: RoadNetwork, routes: Routes) -> np.ndarray:
    """Number of routes using each edge."""
    return np.bincount(routes.edges, minlength=net.n_edges).astype(float)


def volume_edges(net: RoadNetwork, count: int, routes: Routes, allowed: np.ndarray | None = None) -> np.ndarray:
    """The ``count`` edges carrying the most trips (ties by edge index)."""
    _check_count(net, count, allowed)
    return _top(np.where(_allowed(net, allowed), edge_volume(net, routes), -np.inf), count)


def route_incidence(net: RoadNetwork, routes: Routes) -> csr_array:
    """Trips × edges 0/1 matrix: does trip i use edge e?"""
    trips = routes.trip_of_edge()
    matrix = csr_array((np.ones(len(trips)), (trips, routes.edges)), shape=(len(routes.travel_time), net.n_edges))
    matrix.data[:] = 1.0  # an edge driven twice still counts once
    return matrix


def coverage(incidence: csr_array, edges: np.ndarray, min_reads: int = 1) -> float:
    """Share of trips passing at least ``min_reads`` of ``edges``."""
    if incidence.shape[0] == 0:
        return 0.0
    hits = incidence[:, np.asarray(edges, dtype=np.int64)].sum(axis=1) if len(edges) else np.zeros(incidence.shape[0])
    return float((np.asarray(hits) >= min_reads).mean())


def greedy_edges(
    net: RoadNetwork, count: int, routes: Routes, *, min_reads: int = 1, allowed: np.ndarray | None = None
) -> np.ndarray:
    """Lazy greedy choice of ``count`` edges maximising trips read ≥ ``min_reads`` times.

    Maximises the submodular surrogate Σ_trips min(hits, min_reads), which for
    ``min_reads = 1`` is the number of trips read at least once, so the result
    is within (1 − 1/e) of the best ``count`` edges (Nemhauser et al. 1978).
    Ties go to the lowest edge index. Returns edges in the order chosen.
    """
    _check_count(net, count, allowed)
    columns = csc_array(route_incidence(net, routes))
    hits = np.zeros(columns.shape[0], dtype=np.int64)
    ok = _allowed(net, allowed)
    heap = [(-float(g), e) for e, g in enumerate(np.diff(columns.indptr)) if ok[e]]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < count and heap:
        _, e = heapq.heappop(heap)
        trips = columns.indices[columns.indptr[e] : columns.indptr[e + 1]]
        gain = float((hits[trips] < min_reads).sum())
        if not heap or gain >= -heap[0][0]:
            chosen.append(e)
            hits[trips] += 1
        else:
            heapq.heappush(heap, (-gain, e))
    return np.array(chosen, dtype=np.int64)


def route_id_edges(
    net: RoadNetwork, count: int, routes: Routes, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Greedy plate-scanning sensor location: tell routes apart by their camera sets.

    Each step adds the edge that splits the most still-indistinguishable
    pairs of distinct routes (routes whose sets of watched edges are equal).
    Stops at ``count`` cameras or when every route is identified.

    Returns
    -------
    edges : numpy.ndarray
    share_identified : float
        Share of distinct routes whose camera set no other route has.
    """
    _check_count(net, count, allowed)
    incidence = _distinct_routes(net, routes)
    ok = _allowed(net, allowed)
    n_routes = incidence.shape[0]
    label = np.zeros(n_routes, dtype=np.int64)
    chosen: list[int] = []
    while len(chosen) < count and _unidentified_pairs(label) > 0:
        n_labels = int(label.max()) + 1
        onehot = csr_array((np.ones(n_routes), (label, np.arange(n_routes))), shape=(n_labels, n_routes))
        with_edge = (onehot @ incidence).toarray()  # classes x edges: members using the edge
        size = np.bincount(label, minlength=n_labels)[:, None]
        split = (with_edge * (size - with_edge)).sum(axis=0)  # pairs separated by each edge
        split[chosen] = -1
        split[~ok] = -1
        best = int(np.argmax(split))
        if split[best] <= 0:
            break
        chosen.append(best)
        uses = incidence[:, [best]].toarray().ravel() > 0
        _, label = np.unique(np.column_stack([label, uses]), axis=0, return_inverse=True)
        label = label.ravel()
    return np.sort(np.array(chosen, dtype=np.int64)), identified_share(incidence, np.array(chosen, dtype=np.int64))


def _distinct_routes(net: RoadNetwork, routes: Routes) -> csr_array:
    """Incidence rows of the distinct routes (the same edge set counts once)."""
    incidence = route_incidence(net, routes)
    first: dict[tuple[int, ...], int] = {}
    for i in range(incidence.shape[0]):
        key = tuple(sorted(incidence.indices[incidence.indptr[i] : incidence.indptr[i + 1]].tolist()))
        first.setdefault(key, i)
    return incidence[sorted(first.values())]


def _unidentified_pairs(label: np.ndarray) -> int:
    size = np.bincount(label)
    return int((size * (size - 1) // 2).sum())


def identified_share(incidence: csr_array, edges: np.ndarray) -> float:
    """Share of routes (rows) whose set of watched edges no other row has."""
    if incidence.shape[0] == 0:
        return 1.0
    watched = incidence[:, edges].toarray() > 0 if len(edges) else np.zeros((incidence.shape[0], 0), bool)
    _, inverse, counts = np.unique(watched, axis=0, return_inverse=True, return_counts=True)
    return float((counts[inverse.ravel()] == 1).mean())


def cordon_edges(net: RoadNetwork, district: np.ndarray) -> np.ndarray:
    """Every directed edge crossing the district boundary (in or out)."""
    return boundary_edges(net, district)


def two_way(net: RoadNetwork, edges: np.ndarray) -> np.ndarray:
    """True where an edge's road also runs the other way (reverse edge, same key)."""
    return np.array([net.reverse_edge(int(e)) >= 0 for e in edges], dtype=bool)


def place_cameras(
    net: RoadNetwork,
    strategy: str,
    *,
    count: int,
    read_rate: float,
    rng: np.random.Generator,
    routes: Routes | None = None,
    district: np.ndarray | None = None,
    buffer_m: float = 0.0,
    outside: np.ndarray | None = None,
    min_reads: int = 1,
    allowed: np.ndarray | None = None,
    **camera_fields: Any,
) -> pd.DataFrame:
    """Place cameras with a named strategy and return the layout.

    Parameters
    ----------
    net : RoadNetwork
    strategy : str
        One of :data:`STRATEGIES`.
    count : int
        Number of cameras (not used by ``cordon`` and ``curtain``, whose size
        follows from the district).
    read_rate : float
        Probability (0–1) that a passing vehicle is read.
    rng : numpy.random.Generator
    routes : Routes, optional
        Trip routes, needed by ``volume``, ``greedy`` and ``route_id``.
    district : numpy.ndarray of bool, optional
        Node mask, needed by ``cordon`` and ``curtain``.
    buffer_m : float
        ``curtain``: how far from the district the fence may stand.
    outside : numpy.ndarray of bool, optional
        ``curtain``: the nodes to fence the district off from (default: all
        nodes farther than ``buffer_m``).
    min_reads : int
        ``greedy``: reads a trip needs to count as covered.
    allowed : numpy.ndarray of bool, optional
        Edges a camera may go on (e.g. one jurisdiction's roads); ``random``,
        ``betweenness``, ``volume``, ``greedy`` and ``route_id`` only.
    **camera_fields
        Passed to :func:`sim.cameras.make_layout` (``operator``, ``vendor``,
        ``misread_rate``, ``direction``).
    """
    if strategy in ("volume", "greedy", "route_id") and routes is None:
        raise CameraError(f"strategy {strategy!r} needs the trips' routes")
    if strategy in ("cordon", "curtain") and district is None:
        raise CameraError(f"strategy {strategy!r} needs cameras.district (nodes, polygon, center + radius_m "
                          "or jurisdiction)")
    if strategy == "random":
        edges = random_edges(net, count, rng, allowed)
    elif strategy == "betweenness":
        edges = betweenness_edges(net, count, rng, allowed)
    elif strategy == "volume":
        edges = volume_edges(net, count, routes, allowed)  # type: ignore[arg-type]
    elif strategy == "greedy":
        edges = np.sort(greedy_edges(net, count, routes, min_reads=min_reads, allowed=allowed))  # type: ignore[arg-type]
    elif strategy == "route_id":
        edges, _ = route_id_edges(net, count, routes, allowed)  # type: ignore[arg-type]
    elif strategy == "cordon":
        camera_fields["direction"] = "forward"
        edges = cordon_edges(net, district)  # type: ignore[arg-type]
    elif strategy == "curtain":
        edges = seal_cut(net, district, buffer_m=buffer_m, outside=outside)  # type: ignore[arg-type]
        layout = make_layout(net, edges, read_rate=read_rate, **{**camera_fields, "direction": "forward"})
        layout["direction"] = np.where(two_way(net, edges), "both", "forward")
        return layout
    else:
        raise CameraError(f"unknown placement strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return make_layout(net, edges, read_rate=read_rate, **camera_fields)
