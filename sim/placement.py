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

The ranking strategies (``random``, ``betweenness``, ``volume``,
``greedy``) keep a group's cameras at least ``min_spacing_m`` apart
(straight-line distance between camera sites), as real fixed readers stand
at chosen places rather than on every block of one arterial. With
``site = "edge"`` a camera's site is the middle of its road segment; with
``site = "intersection"`` a camera stands at the intersection a road leads
into and reads the traffic approaching it (as most fixed ALPRs are mounted),
and up to ``approaches`` cameras may share one intersection.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csc_array, csr_array

from sim._defaults import DEFAULT_MIN_SPACING_M  # noqa: F401 - documented here, defined once there
from sim._errors import CameraError
from sim.cameras import make_layout
from sim.district import boundary_edges, seal_cut
from sim.network import RoadNetwork, edge_highway
from sim.routing import Routes
from sim.profiles import LOCAL_ROADS

#: Above this many nodes, betweenness is estimated from a sample of sources.
BETWEENNESS_EXACT_MAX_NODES = 2_000
BETWEENNESS_SAMPLE = 500
STRATEGIES = ("random", "betweenness", "volume", "greedy", "cordon", "curtain", "route_id", "entrances")
SPACED = ("random", "betweenness", "volume", "greedy", "entrances")
SITES = ("edge", "intersection")


@dataclass(frozen=True)
class Spacing:
    """How a ranked strategy kept its cameras apart.

    ``positions`` (x, y per edge) and ``site_of`` (a site id per edge) say
    where a camera on each edge stands; two cameras of one site do not count
    against each other (up to ``per_site`` of them).
    """

    min_spacing_m: float
    positions: np.ndarray
    site_of: np.ndarray
    per_site: int = 1

    @classmethod
    def for_network(cls, net: RoadNetwork, min_spacing_m: float, site: str = "edge", approaches: int = 1) -> Spacing:
        """Sites in the middle of each edge (``site = "edge"``) or at the intersection it leads into."""
        if site == "intersection":
            positions = np.column_stack([net.x[net.edge_v], net.y[net.edge_v]])
            return cls(min_spacing_m, positions, net.edge_v.astype(np.int64), approaches)
        if site != "edge":
            raise CameraError(f"cameras.site must be one of {', '.join(SITES)}, got {site!r}")
        positions = np.column_stack([(net.x[net.edge_u] + net.x[net.edge_v]) / 2,
                                     (net.y[net.edge_u] + net.y[net.edge_v]) / 2])
        return cls(min_spacing_m, positions, np.arange(net.n_edges, dtype=np.int64), 1)


class _SpacingGuard:
    """Accepts a candidate edge only if its site is far enough from every chosen camera's (a grid hash)."""

    def __init__(self, spacing: Spacing | None) -> None:
        self.spacing = spacing
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.count_at: dict[int, int] = {}
        self.prevented = 0
        self.closest = np.inf

    def accept(self, edge: int) -> bool:
        sp = self.spacing
        if sp is None:
            return True
        site = int(sp.site_of[edge])
        if site in self.count_at:
            if self.count_at[site] >= sp.per_site:
                self.prevented += 1
                return False
            self.count_at[site] += 1
            return True
        x, y = sp.positions[edge]
        size = max(sp.min_spacing_m, 1e-9)
        cx, cy = int(np.floor(x / size)), int(np.floor(y / size))
        nearest = np.inf
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in self.cells.get((cx + dx, cy + dy), ()):
                    ox, oy = sp.positions[other]
                    nearest = min(nearest, float(np.hypot(x - ox, y - oy)))
        if nearest < sp.min_spacing_m:
            self.prevented += 1
            return False
        self.closest = min(self.closest, nearest)
        self.cells.setdefault((cx, cy), []).append(edge)
        self.count_at[site] = 1
        return True


def _spaced_top(scores: np.ndarray, count: int, guard: _SpacingGuard) -> np.ndarray:
    """The ``count`` highest scores (ties to the lowest index) whose sites keep their distance, sorted."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    chosen: list[int] = []
    for e in order[np.isfinite(scores[order])]:
        if len(chosen) == count:
            break
        if guard.accept(int(e)):
            chosen.append(int(e))
    return np.sort(np.array(chosen, dtype=np.int64))


def _allowed(net: RoadNetwork, allowed: np.ndarray | None) -> np.ndarray:
    return np.ones(net.n_edges, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)


def check_count(net: RoadNetwork, count: int, allowed: np.ndarray | None = None) -> None:
    available = net.n_edges if allowed is None else int(np.count_nonzero(allowed))
    where = "edges" if allowed is None else "edges in the chosen jurisdiction"
    if not 0 <= count <= available:
        raise CameraError(
            f"cameras.count = {count} but the network has {available} {where}; "
            f"choose a count of at most {available} (fewer where min_spacing_m keeps cameras apart)"
        )


def random_edges(
    net: RoadNetwork, count: int, rng: np.random.Generator, allowed: np.ndarray | None = None,
    guard: _SpacingGuard | None = None,
) -> np.ndarray:
    """``count`` distinct edges drawn uniformly at random (kept apart by ``guard``, if given).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(4, 4, rng=np.random.default_rng(0))
    >>> len(set(random_edges(net, 5, np.random.default_rng(1)).tolist()))
    5
    """
    check_count(net, count, allowed)
    if guard is None:
        return np.sort(rng.choice(np.flatnonzero(_allowed(net, allowed)), size=count, replace=False))
    draw_order = np.where(_allowed(net, allowed), rng.permutation(net.n_edges).astype(float), -np.inf)
    return _spaced_top(draw_order, count, guard)


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
    net: RoadNetwork, count: int, rng: np.random.Generator, allowed: np.ndarray | None = None,
    guard: _SpacingGuard | None = None,
) -> np.ndarray:
    """The ``count`` edges of highest travel-time betweenness (ties by edge index), kept apart by ``guard``."""
    check_count(net, count, allowed)
    return _spaced_top(np.where(_allowed(net, allowed), edge_betweenness(net, rng), -np.inf), count,
                       guard or _SpacingGuard(None))


#: The strategies that place cameras from the trips' routes.
ROUTED_STRATEGIES = ("volume", "greedy", "route_id", "entrances")


def entrance_edges(net: RoadNetwork) -> np.ndarray:
    """Which directed edges are ways into a neighbourhood: a local street from a bigger road into local streets.

    An entrance runs from an intersection that touches a road bigger than a
    local street (``highway`` not in :data:`sim.profiles.LOCAL_ROADS`) to
    one that touches local streets only. A camera on it reads the traffic
    entering; what leaves by the same street uses the reverse edge, which is
    not an entrance.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(7, 7, arterial_every=6, one_way_share=0, rng=np.random.default_rng(0))
    >>> way_in = entrance_edges(net)
    >>> int(way_in.sum())  # arterials all round; 5 streets lead in from each of the 4
    20
    >>> sorted({(int(net.nodes[u]), int(net.nodes[v])) for u, v in zip(net.edge_u[way_in], net.edge_v[way_in])})[:3]
    [(1, 8), (2, 9), (3, 10)]
    """
    local = np.isin(edge_highway(net), LOCAL_ROADS)
    touches_major = np.zeros(net.n_nodes, bool)
    touches_major[net.edge_u[~local]] = True
    touches_major[net.edge_v[~local]] = True
    return local & touches_major[net.edge_u] & ~touches_major[net.edge_v]


def road_class_edges(net: RoadNetwork, classes: list[str] | tuple[str, ...]) -> np.ndarray:
    """Which edges are of one of the OSM ``highway`` ``classes``."""
    return np.isin(edge_highway(net), list(classes))


def edge_volume(net: RoadNetwork, routes: Routes) -> np.ndarray:
    """Number of routes using each edge."""
    return np.bincount(routes.edges, minlength=net.n_edges).astype(float)


def volume_edges(
    net: RoadNetwork, count: int, routes: Routes, allowed: np.ndarray | None = None,
    guard: _SpacingGuard | None = None,
) -> np.ndarray:
    """The ``count`` edges carrying the most trips (ties by edge index), kept apart by ``guard``."""
    check_count(net, count, allowed)
    return _spaced_top(np.where(_allowed(net, allowed), edge_volume(net, routes), -np.inf), count,
                       guard or _SpacingGuard(None))


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
    net: RoadNetwork, count: int, routes: Routes, *, min_reads: int = 1, allowed: np.ndarray | None = None,
    guard: _SpacingGuard | None = None,
) -> np.ndarray:
    """Lazy greedy choice of ``count`` edges maximising trips read ≥ ``min_reads`` times.

    Maximises the submodular surrogate Σ_trips min(hits, min_reads), which for
    ``min_reads = 1`` is the number of trips read at least once, so the result
    is within (1 − 1/e) of the best ``count`` edges (Nemhauser et al. 1978).
    Ties go to the lowest edge index. Returns edges in the order chosen. An
    edge whose site ``guard`` rejects (too near a chosen camera) is dropped
    for good: the chosen set only grows, so it could never become far enough.
    """
    guard = guard or _SpacingGuard(None)
    check_count(net, count, allowed)
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
            if guard.accept(e):
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
    check_count(net, count, allowed)
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


def cordon_edges(net: RoadNetwork, district: np.ndarray, watch: str = "both") -> np.ndarray:
    """Every directed edge crossing the district boundary: into it (``watch = "in"``), out of it, or both.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, one_way_share=0, rng=np.random.default_rng(0))
    >>> centre = np.arange(9) == 4
    >>> len(cordon_edges(net, centre)), len(cordon_edges(net, centre, "in")), len(cordon_edges(net, centre, "out"))
    (8, 4, 4)
    >>> bool(centre[net.edge_v[cordon_edges(net, centre, "in")]].all())
    True
    """
    edges = boundary_edges(net, district)
    if watch == "in":
        return edges[district[net.edge_v[edges]]]
    if watch == "out":
        return edges[district[net.edge_u[edges]]]
    return edges


def two_way(net: RoadNetwork, edges: np.ndarray) -> np.ndarray:
    """True where an edge's road also runs the other way (reverse edge, same key)."""
    return np.array([net.reverse_edge(int(e)) >= 0 for e in edges], dtype=bool)


@dataclass(frozen=True)
class Placement:
    """How one group of cameras is placed: a strategy and its options (a ``[cameras]`` table, as data).

    Attributes
    ----------
    strategy : str
        One of :data:`STRATEGIES`.
    count : int
        Number of cameras (not used by ``cordon`` and ``curtain``, whose size
        follows from the district).
    read_rate : float
        Probability (0–1) that a passing vehicle is read.
    buffer_m : float
        ``curtain``: how far from the district the fence may stand.
    min_reads : int
        ``greedy``: reads a trip needs to count as covered.
    min_spacing_m : float
        ``random``, ``betweenness``, ``volume``, ``greedy``: no two camera
        sites of the group closer than this (straight line, metres).
    site : {"edge", "intersection"}
        Where a camera stands: the middle of its road segment, or the
        intersection the road leads into (reading the approaching traffic).
    approaches : int
        ``site = "intersection"``: cameras one intersection may hold.
    watch : {"both", "in", "out"}
        ``cordon``: the roads into the district, out of it, or both.
    camera : dict
        Passed to :func:`sim.cameras.make_layout` (``operator``, ``vendor``,
        ``misread_rate``, ``direction``).
    """

    strategy: str
    count: int
    read_rate: float
    buffer_m: float = 0.0
    min_reads: int = 1
    min_spacing_m: float = 0.0
    site: str = "edge"
    approaches: int = 1
    watch: str = "both"
    camera: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, strategy: str, **options: Any) -> Placement:
        """A placement from keyword options: the fields above, the rest passed to :func:`sim.cameras.make_layout`.

        Examples
        --------
        >>> p = Placement.of("random", count=3, read_rate=0.9, operator="city")
        >>> p.count, p.camera
        (3, {'operator': 'city'})
        """
        names = {f for f in cls.__dataclass_fields__ if f not in ("strategy", "camera")}
        return cls(strategy, **{k: v for k, v in options.items() if k in names},
                   camera={k: v for k, v in options.items() if k not in names})


def place_cameras(net: RoadNetwork, strategy: str, *, rng: np.random.Generator, routes: Routes | None = None,
                  district: np.ndarray | None = None, outside: np.ndarray | None = None,
                  allowed: np.ndarray | None = None, **options: Any) -> pd.DataFrame:
    """Place cameras with a named strategy and return the layout (``options``: see :class:`Placement`;
    the rest as :func:`place_camera_group`).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(6, 6, rng=np.random.default_rng(0), block_m=100)
    >>> layout = place_cameras(net, "betweenness", count=4, read_rate=0.9, rng=np.random.default_rng(1),
    ...                        min_spacing_m=250)
    >>> len(layout)
    4
    """
    return place_camera_group(net, Placement.of(strategy, **options), rng=rng, routes=routes, district=district,
                              outside=outside, allowed=allowed)[0]


def place_camera_group(
    net: RoadNetwork,
    placement: Placement,
    *,
    rng: np.random.Generator,
    routes: Routes | None = None,
    district: np.ndarray | None = None,
    outside: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Place one group of cameras: the layout, and how the spacing rule shaped it.

    Parameters
    ----------
    net : RoadNetwork
    placement : Placement
        The strategy and its options.
    rng : numpy.random.Generator
    routes : Routes, optional
        Trip routes, needed by ``volume``, ``greedy``, ``route_id`` and ``entrances``.
    district : numpy.ndarray of bool, optional
        Node mask, needed by ``cordon`` and ``curtain``.
    outside : numpy.ndarray of bool, optional
        ``curtain``: the nodes to fence the district off from (default: all
        nodes farther than ``buffer_m``).
    allowed : numpy.ndarray of bool, optional
        Edges a camera may go on (e.g. one jurisdiction's roads); ``random``,
        ``betweenness``, ``volume``, ``greedy``, ``route_id`` and ``cordon``.

    Returns
    -------
    layout : pandas.DataFrame
    spacing : dict
        ``min_spacing_m``, ``site``, ``nearest_site_m`` (the closest two
        sites achieved, ``None`` with fewer than two) and ``n_prevented``
        (candidates the spacing rule turned down before the count was
        reached); empty for strategies that do not rank roads.
    """
    strategy, count, read_rate = placement.strategy, placement.count, placement.read_rate
    min_spacing_m, site = placement.min_spacing_m, placement.site
    camera_fields = dict(placement.camera)
    if strategy in ROUTED_STRATEGIES and routes is None:
        raise CameraError(f"strategy {strategy!r} needs the trips' routes")
    if strategy in ("cordon", "curtain") and district is None:
        raise CameraError(f"strategy {strategy!r} needs cameras.district (nodes, polygon, center + radius_m "
                          "or jurisdiction)")
    spacing = Spacing.for_network(net, min_spacing_m, site, placement.approaches) if strategy in SPACED else None
    guard = _SpacingGuard(spacing) if spacing is not None else None
    if strategy == "random":
        edges = random_edges(net, count, rng, allowed, guard)
    elif strategy == "betweenness":
        edges = betweenness_edges(net, count, rng, allowed, guard)
    elif strategy == "volume":
        edges = volume_edges(net, count, routes, allowed, guard)  # type: ignore[arg-type]
    elif strategy == "greedy":
        edges = np.sort(greedy_edges(net, count, routes, min_reads=placement.min_reads, allowed=allowed,  # type: ignore[arg-type]
                                     guard=guard))
    elif strategy == "route_id":
        edges, _ = route_id_edges(net, count, routes, allowed)  # type: ignore[arg-type]
    elif strategy == "entrances":
        way_in = entrance_edges(net) & _allowed(net, allowed)
        if way_in.sum() < count:
            raise CameraError(f"the network has {int(way_in.sum())} ways into neighbourhoods (local streets "
                              f"leaving a bigger road{' of the allowed roads' if allowed is not None else ''}), "
                              f"fewer than count = {count}; lower the count")
        edges = volume_edges(net, count, routes, way_in, guard)  # type: ignore[arg-type]
    elif strategy == "cordon":
        camera_fields["direction"] = "forward"
        edges = cordon_edges(net, district, placement.watch)  # type: ignore[arg-type]
        if allowed is not None:
            edges = edges[allowed[edges]]
            if not len(edges):
                raise CameraError("no road into or out of the district is among the allowed roads "
                                  "(jurisdiction, road_classes, only_city_line)")
    elif strategy == "curtain":
        edges = seal_cut(net, district, buffer_m=placement.buffer_m, outside=outside)  # type: ignore[arg-type]
        layout = make_layout(net, edges, read_rate=read_rate, **{**camera_fields, "direction": "forward"})
        layout["direction"] = np.where(two_way(net, edges), "both", "forward")
        return layout, {}
    else:
        raise CameraError(f"unknown placement strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    report: dict[str, Any] = {}
    if guard is not None:
        if len(edges) < count:
            raise CameraError(
                f"only {len(edges)} of {count} cameras fit {min_spacing_m:g} m apart ({strategy}, site = {site!r}); "
                "lower min_spacing_m or the count")
        report = {"min_spacing_m": float(min_spacing_m), "site": site,
                  "nearest_site_m": float(guard.closest) if np.isfinite(guard.closest) else None,
                  "n_prevented": int(guard.prevented)}
    return make_layout(net, edges, read_rate=read_rate, **camera_fields), report
