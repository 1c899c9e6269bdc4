"""Road networks: osmnx-style graphs plus compact arrays for fast routing.

A :class:`RoadNetwork` wraps a :class:`networkx.MultiDiGraph` that follows
osmnx conventions (node ``x``/``y`` in a projected CRS in metres, edge
``length`` in metres, ``speed_kph``, ``travel_time`` in seconds,
``highway``) and adds arrays built once: an edge index ``e <-> (u, v, key)``,
length and travel-time vectors and a CSR adjacency matrix for
:mod:`scipy.sparse.csgraph`.

Routing is batched: :func:`fastest_routes` grows one shortest-path tree per
distinct origin and walks all of that origin's trips back through it at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from collections.abc import Callable
from typing import Any, Hashable

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from sim._arrays import distinct
from sim._errors import NetworkError

log = logging.getLogger(__name__)

#: Speeds (km/h) for roads whose input has no ``speed_kph``.
DEFAULT_SPEEDS_KPH = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 50.0,
    "secondary": 45.0,
    "tertiary": 40.0,
    "residential": 30.0,
    "unclassified": 30.0,
}

#: Origins routed per :func:`scipy.sparse.csgraph.dijkstra` call; bounds the
#: dense (origins x nodes) distance and predecessor arrays.
ORIGIN_CHUNK = 256


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A road graph with the compact arrays that routing needs.

    Build one with :func:`from_graph` or a generator such as
    :func:`sim.generators.grid_network`; do not fill the arrays by hand.

    Attributes
    ----------
    graph : networkx.MultiDiGraph
        The road graph in osmnx conventions.
    nodes : numpy.ndarray
        Node ids; a node's position here is its index in every array.
    x, y : numpy.ndarray
        Node coordinates in metres.
    edge_u, edge_v : numpy.ndarray
        Node indices of each edge's start and end.
    edge_key : numpy.ndarray
        Each edge's multigraph key.
    edge_length : numpy.ndarray
        Edge lengths in metres.
    edge_time : numpy.ndarray
        Edge free-flow travel times in seconds.
    adjacency : scipy.sparse.csr_array
        ``adjacency[i, j]`` is the fastest travel time of an edge from node
        index ``i`` to ``j`` (parallel edges reduced to the fastest).
    """

    graph: nx.MultiDiGraph
    nodes: np.ndarray
    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_key: np.ndarray
    edge_length: np.ndarray
    edge_time: np.ndarray
    adjacency: csr_array
    _pair_keys: np.ndarray
    _pair_edges: np.ndarray
    _node_index: dict[Hashable, int]
    _edge_index: dict[tuple[Hashable, Hashable, int], int]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    @property
    def crs(self) -> Any:
        """The graph's coordinate reference system (projected, metres)."""
        return self.graph.graph.get("crs")

    def node_index(self, node: Hashable) -> int:
        """Return the array index of node id ``node``; raise if unknown."""
        try:
            return self._node_index[node]
        except KeyError:
            raise NetworkError(f"node {node!r} is not in the road network") from None

    def node_indices(self, nodes: Any) -> np.ndarray:
        """Return array indices for many node ids; -1 where a node is unknown.

        Examples
        --------
        >>> from sim.generators import grid_network
        >>> net = grid_network(2, 2, rng=np.random.default_rng(0))
        >>> net.node_indices([3, 0, 99]).tolist(), net.node_indices(["3", 2.0]).tolist()
        ([3, 0, -1], [-1, 2])
        """
        # a hash index, vectorised: 35x a dict lookup per id on a county week's trip ends
        if not isinstance(nodes, (np.ndarray, pd.Series, pd.Index)):
            nodes = np.asarray(list(nodes), dtype=object)  # ids as they are (numpy would make a mixed list text)
        return np.asarray(self._node_lookup.get_indexer(nodes), dtype=np.int64)

    @cached_property
    def _node_lookup(self) -> pd.Index:
        return pd.Index(self.nodes)

    def edge_id(self, u: Hashable, v: Hashable, key: int = 0) -> int:
        """Return the edge index of ``(u, v, key)``; -1 if there is no such edge."""
        return self._edge_index.get((u, v, int(key)), -1)

    def reverse_edge(self, e: Any) -> Any:
        """The edge running the other way on the same road (v→u, same key); -1 on a one-way road.

        ``e`` may be one edge index or an array of them.
        """
        if np.ndim(e) == 0:
            return self.edge_id(self.nodes[self.edge_v[e]], self.nodes[self.edge_u[e]], int(self.edge_key[e]))
        return self.reverse_edges[np.asarray(e, dtype=np.int64)]

    @cached_property
    def reverse_edges(self) -> np.ndarray:
        """:meth:`reverse_edge` of every edge (-1 on one-way roads), computed once per network."""
        keys = self.edge_u * self.n_nodes + self.edge_v
        wanted = self.edge_v * self.n_nodes + self.edge_u
        order = np.lexsort((self.edge_key, keys))
        # the edge v→u with the same key: look (pair, key) up among the sorted (pair, key) of every edge
        at = np.searchsorted(keys[order] * (self.edge_key.max() + 1) + self.edge_key[order],
                             wanted * (self.edge_key.max() + 1) + self.edge_key)
        at = np.minimum(at, len(order) - 1)
        found = order[at]
        same = (keys[found] == wanted) & (self.edge_key[found] == self.edge_key)
        return np.where(same, found, -1).astype(np.int64)

    def edge_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Fastest edge index from node index ``a`` to ``b`` (vectorised), -1 if none."""
        keys = np.asarray(a, dtype=np.int64) * self.n_nodes + np.asarray(b, dtype=np.int64)
        pos = np.searchsorted(self._pair_keys, keys)
        pos = np.minimum(pos, len(self._pair_keys) - 1)
        found = self._pair_keys[pos] == keys
        return np.where(found, self._pair_edges[pos], -1)


def from_graph(graph: nx.MultiDiGraph, *, source: str = "graph") -> RoadNetwork:
    """Build a :class:`RoadNetwork` from an osmnx-style graph.

    Missing ``length`` is computed from node coordinates, missing
    ``speed_kph`` from the ``highway`` type, missing ``travel_time`` from
    both; attributes already present are used as given. Only the largest
    strongly connected component is kept (the dropped node count is logged).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Nodes need ``x`` and ``y`` in metres.
    source : str
        Name of where the graph came from, used in error messages.

    Returns
    -------
    RoadNetwork

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(crs="EPSG:32618")
    >>> g.add_node(0, x=0.0, y=0.0); g.add_node(1, x=100.0, y=0.0)
    >>> _ = g.add_edge(0, 1, speed_kph=36.0); _ = g.add_edge(1, 0, speed_kph=36.0)
    >>> net = from_graph(g)
    >>> float(net.edge_time[0])
    10.0
    """
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"{source}: the road network has no nodes (is the area or filter empty?)")
    graph = nx.MultiDiGraph(graph)
    _check_coordinates(graph, source)
    _fill_edge_attributes(graph, source)
    largest = max(nx.strongly_connected_components(graph), key=len)
    dropped = graph.number_of_nodes() - len(largest)
    if dropped:
        log.info("%s: kept the largest strongly connected component, dropped %d nodes", source, dropped)
        graph = nx.MultiDiGraph(graph.subgraph(largest))
    if graph.number_of_edges() == 0:
        raise NetworkError(f"{source}: the road network has no drivable edges after filtering")
    return _build_arrays(graph)


def _check_coordinates(graph: nx.MultiDiGraph, source: str) -> None:
    missing = [n for n, d in graph.nodes(data=True) if "x" not in d or "y" not in d]
    if missing:
        raise NetworkError(
            f"{source}: {len(missing)} nodes lack 'x'/'y' coordinates (e.g. node {missing[0]!r}); "
            "give every node projected coordinates in metres"
        )


def _fill_edge_attributes(graph: nx.MultiDiGraph, source: str) -> None:
    for u, v, k, data in graph.edges(keys=True, data=True):
        if "length" not in data:
            dx = graph.nodes[v]["x"] - graph.nodes[u]["x"]
            dy = graph.nodes[v]["y"] - graph.nodes[u]["y"]
            data["length"] = float(np.hypot(dx, dy))
        if "travel_time" not in data:
            if "speed_kph" not in data:
                highway = data.get("highway", "unclassified")
                if isinstance(highway, list):
                    highway = highway[0]
                data["speed_kph"] = DEFAULT_SPEEDS_KPH.get(str(highway), 30.0)
            speed = float(data["speed_kph"])
            if not speed > 0:
                raise NetworkError(
                    f"{source}: edge ({u!r}, {v!r}, {k}) has speed_kph={speed}; speeds must be > 0"
                )
            data["travel_time"] = float(data["length"]) / (speed / 3.6)
        if not float(data["length"]) >= 0 or not float(data["travel_time"]) >= 0:
            raise NetworkError(
                f"{source}: edge ({u!r}, {v!r}, {k}) has a negative or missing length/travel_time"
            )


def _build_arrays(graph: nx.MultiDiGraph) -> RoadNetwork:
    nodes = np.array(sorted(graph.nodes, key=_sort_key), dtype=object)
    node_index = {n: i for i, n in enumerate(nodes)}
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (_sort_key(e[0]), _sort_key(e[1]), e[2]))
    edge_u = np.array([node_index[u] for u, _, _, _ in edges], dtype=np.int64)
    edge_v = np.array([node_index[v] for _, v, _, _ in edges], dtype=np.int64)
    edge_key = np.array([k for _, _, k, _ in edges], dtype=np.int64)
    length = np.array([float(d["length"]) for *_, d in edges])
    # csgraph ignores zero weights in sparse input; a tiny floor keeps such edges.
    time = np.maximum(np.array([float(d["travel_time"]) for *_, d in edges]), 1e-6)
    n = len(nodes)
    best = fastest_parallel(edge_u, edge_v, time, n, np.arange(len(edges)))
    adjacency = csr_array((time[best], (edge_u[best], edge_v[best])), shape=(n, n))
    pair = edge_u * n + edge_v
    x = np.array([graph.nodes[nd]["x"] for nd in nodes], dtype=float)
    y = np.array([graph.nodes[nd]["y"] for nd in nodes], dtype=float)
    return RoadNetwork(
        graph=graph,
        nodes=_compact(nodes),
        x=x,
        y=y,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_key=edge_key,
        edge_length=length,
        edge_time=time,
        adjacency=adjacency,
        _pair_keys=pair[best],
        _pair_edges=best.astype(np.int64),
        _node_index=node_index,
        _edge_index={(u, v, int(k)): i for i, (u, v, k, _) in enumerate(edges)},
    )


def _sort_key(node: Hashable) -> tuple[int, Any]:
    # Integers sort numerically, anything else by its text: a stable order
    # for mixed ids keeps edge indices reproducible.
    if isinstance(node, (int, np.integer)):
        return (0, int(node))
    return (1, str(node))


def _compact(nodes: np.ndarray) -> np.ndarray:
    if all(isinstance(n, (int, np.integer)) for n in nodes):
        return nodes.astype(np.int64)
    return nodes


@dataclass(frozen=True)
class Routes:
    """Fastest routes of many trips, stored flat.

    The edges of trip ``i`` are ``edges[offsets[i]:offsets[i + 1]]`` in
    driving order; ``travel_time[i]`` is its free-flow time in seconds.
    ``kept`` marks, in a run that keeps only a sample of the routes
    (``[metrics] route_sample``), the trips whose edges are stored; the
    others have empty routes here (and every trip its travel time).
    """

    offsets: np.ndarray
    edges: np.ndarray
    travel_time: np.ndarray
    #: trips whose edges are stored (``None``: every trip's)
    kept: np.ndarray | None = None

    def route(self, i: int) -> np.ndarray:
        """Edge indices of trip ``i`` in driving order."""
        return self.edges[self.offsets[i] : self.offsets[i + 1]]

    def trip_of_edge(self) -> np.ndarray:
        """For each entry of ``edges``, the trip it belongs to."""
        return np.repeat(np.arange(len(self.travel_time)), np.diff(self.offsets))

    def select(self, rows: np.ndarray) -> Routes:
        """The routes of trips ``rows``, in that order (row ``i`` of the result is trip ``rows[i]``).

        Examples
        --------
        >>> r = Routes(np.array([0, 2, 2, 5]), np.array([7, 8, 1, 2, 3]), np.array([1.0, 0.0, 3.0]))
        >>> s = r.select(np.array([2, 0]))
        >>> s.offsets.tolist(), s.edges.tolist(), s.travel_time.tolist()
        ([0, 3, 5], [1, 2, 3, 7, 8], [3.0, 1.0])
        """
        rows = np.asarray(rows, np.int64)
        steps = np.diff(self.offsets)[rows]
        offsets = np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        flat = np.repeat(self.offsets[rows] - offsets[:-1], steps) + np.arange(int(offsets[-1]))
        return Routes(offsets, self.edges[flat], self.travel_time[rows])

    @staticmethod
    def scatter(n_trips: int, parts: list[tuple[np.ndarray, Routes]]) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and flat edges of ``n_trips`` trips put together from ``parts``: each the trips' rows and
        their routes (row ``i`` of a part is trip ``rows[i]``); trips in no part get an empty route.

        Examples
        --------
        >>> a = Routes(np.array([0, 1, 3]), np.array([5, 6, 7]), np.zeros(2))
        >>> b = Routes(np.array([0, 2]), np.array([8, 9]), np.zeros(1))
        >>> offsets, edges = Routes.scatter(4, [(np.array([3, 0]), a), (np.array([1]), b)])
        >>> offsets.tolist(), edges.tolist()
        ([0, 2, 4, 4, 5], [6, 7, 8, 9, 5])
        """
        lengths = np.zeros(n_trips, np.int64)
        for rows, part in parts:
            lengths[rows] = np.diff(part.offsets)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        edges = np.empty(int(offsets[-1]), np.int64)
        for rows, part in parts:
            # each part's routes, edge by edge, moved to their trips' places in the flat array
            steps = np.diff(part.offsets)
            edges[np.repeat(offsets[rows] - part.offsets[:-1], steps) + np.arange(len(part.edges))] = part.edges
        return offsets, edges


def fastest_routes(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    weights: np.ndarray | None = None,
) -> Routes:
    """Fastest routes between node indices, one shortest-path tree per origin.

    Parameters
    ----------
    net : RoadNetwork
    origins, destinations : numpy.ndarray
        Node indices (not ids) of each trip's ends.
    weights : numpy.ndarray, optional
        Per-edge costs replacing ``net.edge_time`` (e.g. congested times).

    Returns
    -------
    Routes

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> r = fastest_routes(net, np.array([0]), np.array([8]))
    >>> len(r.route(0))
    4
    """
    from sim.traffic.trees import tree_routes

    # compiled trees on both cores: 2.5x scipy's dijkstra on a 10,000-node city (benchmarks/README.md);
    # scipy_routes is the reference they are tested against
    return tree_routes(net, np.asarray(origins, dtype=np.int64), np.asarray(destinations, dtype=np.int64),
                       weights=weights)


def scipy_routes(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    weights: np.ndarray | None = None,
) -> Routes:
    """:func:`fastest_routes` with scipy's Dijkstra (``scipy.sparse.csgraph``): the reference implementation."""
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    adjacency = net.adjacency if weights is None else adjacency_matrix(net, weights=weights)
    # between two nodes, the edge the router used: the cheapest at these weights (parallel edges differ)
    edge_between = net.edge_between if weights is None else _edge_lookup(net, weights)
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


def _edge_lookup(net: RoadNetwork, weights: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``edge_between`` for other edge costs: the cheapest edge from node ``a`` to ``b`` at ``weights``."""
    cost = np.maximum(np.asarray(weights, dtype=float), 1e-6)
    best = fastest_parallel(net.edge_u, net.edge_v, cost, net.n_nodes, np.arange(net.n_edges))
    keys = net.edge_u[best] * net.n_nodes + net.edge_v[best]

    def edge_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wanted = np.asarray(a, dtype=np.int64) * net.n_nodes + np.asarray(b, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where(keys[pos] == wanted, best[pos], -1)

    return edge_between


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


def fastest_parallel(
    edge_u: np.ndarray, edge_v: np.ndarray, cost: np.ndarray, n_nodes: int, edges: np.ndarray
) -> np.ndarray:
    """Of ``edges``, the cheapest one per (u, v) node pair (ties to the lowest index).

    scipy sums duplicate entries of a sparse matrix, so parallel edges must be
    reduced to one before building an adjacency matrix.
    """
    pair = edge_u[edges] * n_nodes + edge_v[edges]
    order = np.lexsort((edges, cost[edges], pair))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    return edges[order[first]]


def adjacency_matrix(
    net: RoadNetwork, *, weights: np.ndarray | None = None, removed: np.ndarray | None = None
) -> csr_array:
    """Travel-cost adjacency of ``net``, optionally with other edge costs or edges removed.

    Parameters
    ----------
    weights : numpy.ndarray, optional
        Per-edge costs (default: free-flow travel times).
    removed : numpy.ndarray, optional
        Edge indices to leave out (e.g. every watched edge).
    """
    cost = net.edge_time if weights is None else np.maximum(np.asarray(weights, dtype=float), 1e-6)
    keep = np.ones(net.n_edges, dtype=bool)
    if removed is not None:
        keep[np.asarray(removed, dtype=np.int64)] = False
    best = fastest_parallel(net.edge_u, net.edge_v, cost, net.n_nodes, np.flatnonzero(keep))
    return csr_array((cost[best], (net.edge_u[best], net.edge_v[best])), shape=net.adjacency.shape)


def edge_jurisdiction(net: RoadNetwork) -> np.ndarray:
    """The ``jurisdiction`` attribute of every edge ("" where absent)."""
    return np.array([
        str(net.graph.edges[net.nodes[u], net.nodes[v], int(k)].get("jurisdiction", ""))
        for u, v, k in zip(net.edge_u, net.edge_v, net.edge_key)
    ], dtype=object)


def edges_frame(net: RoadNetwork) -> pd.DataFrame:
    """One row per directed edge, as written to ``edges.parquet``.

    Columns: ``edge, u, v, key, length_m, travel_time_s, highway,
    jurisdiction, geometry`` (WKT in the network's projected CRS).
    """
    rows = []
    for e in range(net.n_edges):
        u, v, k = net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]], int(net.edge_key[e])
        data = net.graph.edges[u, v, k]
        geometry = data.get("geometry")
        if geometry is not None:
            wkt = geometry.wkt
        else:
            a, b = net.edge_u[e], net.edge_v[e]
            wkt = f"LINESTRING ({float(net.x[a])!r} {float(net.y[a])!r}, {float(net.x[b])!r} {float(net.y[b])!r})"
        highway = data.get("highway", "")
        rows.append(
            (e, u, v, k, net.edge_length[e], net.edge_time[e],
             ",".join(highway) if isinstance(highway, list) else str(highway),
             str(data.get("jurisdiction", "")), wkt)
        )
    return pd.DataFrame(
        rows,
        columns=["edge", "u", "v", "key", "length_m", "travel_time_s", "highway", "jurisdiction", "geometry"],
    )


def nearest_edges(net: RoadNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest edge (by straight segment) to each point, and its distance in metres."""
    from shapely import STRtree, points
    from shapely.geometry import LineString

    lines = [LineString([(net.x[u], net.y[u]), (net.x[v], net.y[v])]) for u, v in zip(net.edge_u, net.edge_v)]
    tree = STRtree(lines)
    query = points(x, y)
    index, distance = tree.query_nearest(query, return_distance=True, all_matches=False)
    edges = np.full(len(x), -1, dtype=np.int64)
    dist = np.full(len(x), np.inf)
    edges[index[0]] = index[1]
    dist[index[0]] = distance
    return edges, dist


#: OSM ``highway`` classes drawn as arterials in the figures and the map.
MAJOR_HIGHWAYS = ("motorway", "trunk", "primary", "secondary")


def edge_highway(net: RoadNetwork) -> np.ndarray:
    """Each edge's OSM ``highway`` class (the first of a list; ``""`` when the edge has none)."""
    def first(value: object) -> str:
        return str(value[0]) if isinstance(value, list) and value else str(value or "")

    return np.array([first(net.graph.edges[net.nodes[u], net.nodes[v], k].get("highway", ""))
                     for u, v, k in zip(net.edge_u, net.edge_v, net.edge_key)])


def lanes_each_way(net: RoadNetwork) -> np.ndarray:
    """Lanes of each edge in its own direction, from OSM's ``lanes`` (total; halved, rounded up, on a two-way
    road); 1 where the tag is missing or unreadable (synthetic networks have none).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(2, 2, one_way_share=0, rng=np.random.default_rng(0))
    >>> u, v, k = net.nodes[net.edge_u[0]], net.nodes[net.edge_v[0]], int(net.edge_key[0])
    >>> net.graph.edges[u, v, k]["lanes"] = "4"
    >>> int(lanes_each_way(net)[0]), int(lanes_each_way(net)[1])
    (2, 1)
    """
    out = np.ones(net.n_edges, dtype=np.int64)
    for e, (u, v, k) in enumerate(zip(net.edge_u, net.edge_v, net.edge_key)):
        value = net.graph.edges[net.nodes[u], net.nodes[v], k].get("lanes")
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            lanes = int(float(str(value).split(";")[0]))
        except (TypeError, ValueError):
            continue
        out[e] = max(1, -(-lanes // 2) if net.reverse_edge(e) >= 0 else lanes)
    return out


def major_roads(net: RoadNetwork) -> np.ndarray:
    """Which edges are arterials (``highway`` in :data:`MAJOR_HIGHWAYS`), for drawing."""
    return np.isin(edge_highway(net), MAJOR_HIGHWAYS)


#: What a synthetic city without ``network.point`` says when asked for longitude/latitude.
NOT_ON_EARTH = ("the network is a synthetic city in plane metres with no place on Earth; set "
                "network.point = [lat, lon] (its centre) to place it, or draw it from OSM")


def from_lonlat(net: RoadNetwork, lon: np.ndarray, lat: np.ndarray, *, what: str,
                error: type[Exception] = NetworkError) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude into the network's metres.

    ``what`` names the input (e.g. a file) in the error raised when the network has no CRS: a
    synthetic city is not silently treated as if its metres were degrees.
    """
    if net.crs is None:
        if np.size(lon) == 0:  # nothing to place (an empty file gets its own error downstream)
            return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        raise error(f"{what} gives longitude/latitude, but {NOT_ON_EARTH}")
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", net.crs, always_xy=True).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_lonlat(net: RoadNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """WGS84 longitude/latitude of points in the network's metres; None when it has no place on Earth."""
    if net.crs is None:
        return None
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def place_on_earth(net: RoadNetwork, lat: float, lon: float) -> RoadNetwork:
    """Give a synthetic network a place (in place, and returned): its centre at ``lat``/``lon`` (degrees), metres kept.

    The CRS is an azimuthal equidistant projection centred there, so distances near the centre are true.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.generators import grid_network
    >>> net = place_on_earth(grid_network(3, 3, rng=np.random.default_rng(0)), 36.85, -76.29)
    >>> lon, lat = to_lonlat(net, np.array([net.x.mean()]), np.array([net.y.mean()]))
    >>> round(float(lat[0]), 2), round(float(lon[0]), 2)
    (36.85, -76.29)
    """
    cx, cy = (net.x.min() + net.x.max()) / 2, (net.y.min() + net.y.max()) / 2
    net.graph.graph["crs"] = (f"+proj=aeqd +lat_0={lat:.7f} +lon_0={lon:.7f} +x_0={cx:.3f} +y_0={cy:.3f} "
                              "+datum=WGS84 +units=m +no_defs")
    return net
