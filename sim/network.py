"""Road networks: osmnx-style graphs plus compact arrays for fast routing.

A :class:`RoadNetwork` wraps a :class:`networkx.MultiDiGraph` that follows
osmnx conventions (node ``x``/``y`` in a projected CRS in metres, edge
``length`` in metres, ``speed_kph``, ``travel_time`` in seconds,
``highway``) and adds arrays built once: an edge index ``e <-> (u, v, key)``,
length and travel-time vectors and a CSR adjacency matrix for
:mod:`scipy.sparse.csgraph`, and per-edge attributes read from the graph
(highway class, lanes, jurisdiction).

The graph and its arrays only: routing is :mod:`sim.routing`, geometry and
longitude/latitude :mod:`sim.geo`.
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
    def outside(self) -> np.ndarray:
        """Which nodes lie outside the area the network covers (the far ends of :mod:`sim.io.city_line`'s
        stubs): ways in for traffic from outside, never a home or a place."""
        return np.array([bool(self.graph.nodes[n].get("outside", False)) for n in self.nodes], dtype=bool)

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


def edge_lookup(net: RoadNetwork, weights: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``edge_between`` for other edge costs: the cheapest edge from node ``a`` to ``b`` at ``weights``."""
    cost = np.maximum(np.asarray(weights, dtype=float), 1e-6)
    best = fastest_parallel(net.edge_u, net.edge_v, cost, net.n_nodes, np.arange(net.n_edges))
    keys = net.edge_u[best] * net.n_nodes + net.edge_v[best]

    def edge_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wanted = np.asarray(a, dtype=np.int64) * net.n_nodes + np.asarray(b, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where(keys[pos] == wanted, best[pos], -1)

    return edge_between


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


def reader_sites(net: RoadNetwork, edges: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a reader on each of ``edges`` stands, in the coordinates ``x``, ``y`` (one per node): the edge's
    middle; on a road across a city line (its tail beyond the network: :mod:`sim.io.city_line`), its inner end,
    the last intersection inside, since the stub beyond is no real place.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(2, 2, jitter_m=0, rng=np.random.default_rng(0))
    >>> sx, _ = reader_sites(net, np.array([0]), net.x, net.y)
    >>> float(sx[0]) == float(net.x[net.edge_u[0]] + net.x[net.edge_v[0]]) / 2
    True
    """
    edges = np.asarray(edges, dtype=np.int64)
    u, v = net.edge_u[edges], net.edge_v[edges]
    t = np.where(net.outside[u], 1.0, 0.5)
    return x[u] + t * (x[v] - x[u]), y[u] + t * (y[v] - y[u])


def edge_jurisdiction(net: RoadNetwork) -> np.ndarray:
    """The ``jurisdiction`` attribute of every edge ("" where absent)."""
    return np.array([
        str(net.graph.edges[net.nodes[u], net.nodes[v], int(k)].get("jurisdiction", ""))
        for u, v, k in zip(net.edge_u, net.edge_v, net.edge_key)
    ], dtype=object)


#: OSM road classes, biggest first (the gateways of :mod:`sim.external`, the stubs of :mod:`sim.io.city_line`).
ROAD_RANK = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential")

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
