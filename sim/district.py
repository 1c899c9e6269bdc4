"""Districts, their boundaries, and the cameras it takes to seal them.

A district is a set of nodes: listed, inside a polygon, within a radius of a
centre, or tagged with a jurisdiction. Sealing it means that no route from a
district node to a node outside, or back, avoids every watched road segment.
A road *segment* is an undirected road: the edges u→v and v→u with the same
key are one segment (a two-way segment needs a ``both`` camera, or two
directed ones).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sim._errors import CameraError
from sim._validate import read_polygon
from sim.geo import from_lonlat
from sim.network import RoadNetwork


def district_mask(net: RoadNetwork, spec: dict[str, Any], resolve: Callable[[str], Path] = Path) -> np.ndarray:
    """Boolean mask over node indices of the nodes in a district.

    Parameters
    ----------
    spec : dict
        One of ``{"nodes": [...]}``, ``{"polygon": "area.geojson"}``
        (longitude/latitude), ``{"center": [x, y], "radius_m": r}``
        (projected metres) or ``{"jurisdiction": "name"}``.
    resolve : callable
        Turns a file name into a path (relative to the scenario file).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(4, 4, rng=np.random.default_rng(0))
    >>> int(district_mask(net, {"nodes": [5, 6, 9, 10]}).sum())
    4
    """
    given = {k: v for k, v in spec.items() if v is not None}
    if given.get("nodes") is not None:
        index = net.node_indices(given["nodes"])
        if (index < 0).any():
            unknown = [n for n, i in zip(given["nodes"], index) if i < 0]
            raise CameraError(f"district.nodes: {unknown[:10]} are not nodes of the network")
        mask = np.zeros(net.n_nodes, dtype=bool)
        mask[index] = True
    elif given.get("center") is not None:
        x, y = given["center"]
        radius = given.get("radius_m")
        if radius is None:
            raise CameraError("district.center needs radius_m (metres)")
        mask = np.hypot(net.x - x, net.y - y) <= radius
    elif given.get("jurisdiction") is not None:
        name = given["jurisdiction"]
        mask = np.array([net.graph.nodes[n].get("jurisdiction") == name for n in net.nodes])
    elif given.get("polygon") is not None:
        mask = _polygon_mask(net, resolve(given["polygon"]))
    else:
        raise CameraError("a district needs nodes, polygon, center + radius_m, or jurisdiction")
    mask &= ~net.outside  # the far ends of the stubs across a city line lie beyond the network, outside any district
    if not mask.any():
        raise CameraError(f"the district {given} contains no node of the network")
    if mask.all():
        raise CameraError(f"the district {given} contains every node; nothing is outside it")
    return mask


def _polygon_mask(net: RoadNetwork, path: Path) -> np.ndarray:
    from shapely import contains_xy, transform

    area = read_polygon(path, CameraError)
    area = transform(area, lambda lon, lat: from_lonlat(net, lon, lat, what=str(path), error=CameraError),
                     interleaved=False)
    return np.asarray(contains_xy(area, net.x, net.y))


def segment_ids(net: RoadNetwork) -> np.ndarray:
    """Undirected road segment of every edge: u→v and v→u with the same key share one id."""
    lo = np.minimum(net.edge_u, net.edge_v)
    hi = np.maximum(net.edge_u, net.edge_v)
    _, ids = np.unique(np.stack([lo, hi, net.edge_key]), axis=1, return_inverse=True)
    return ids.ravel()


def boundary_edges(net: RoadNetwork, mask: np.ndarray) -> np.ndarray:
    """Edge indices with exactly one end inside the district (either direction)."""
    return np.flatnonzero(mask[net.edge_u] != mask[net.edge_v])


def far_from(net: RoadNetwork, mask: np.ndarray, buffer_m: float) -> np.ndarray:
    """Nodes more than ``buffer_m`` metres from every district node (all others when 0)."""
    if buffer_m <= 0:
        return ~mask
    from scipy.spatial import cKDTree

    distance, _ = cKDTree(np.column_stack([net.x[mask], net.y[mask]])).query(np.column_stack([net.x, net.y]))
    outside = distance > buffer_m
    if not outside.any():
        raise CameraError(f"no node lies more than buffer_m = {buffer_m} m from the district")
    return outside


def seal_cut(
    net: RoadNetwork, mask: np.ndarray, *, buffer_m: float = 0.0, outside: np.ndarray | None = None
) -> np.ndarray:
    """Fewest road segments whose watching seals the district (a minimum edge cut).

    With ``buffer_m = 0`` the fence must stand where the district ends, so the
    cut is exactly its boundary segments. With a buffer, the fence may stand
    anywhere within ``buffer_m`` metres of the district (nodes farther away
    are "outside"), which can need fewer cameras — a neighbourhood with four
    ways out is sealed by four. ``outside`` gives the far side explicitly.

    Returns
    -------
    numpy.ndarray
        One edge index per cut segment (the lowest edge index of the segment).
    """
    outside = far_from(net, mask, buffer_m) if outside is None else outside & ~mask
    segments = segment_ids(net)
    g = nx.Graph()
    for e in np.unique(segments, return_index=True)[1]:
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        if u == v:
            continue
        # parallel segments between the same two nodes add up
        capacity = g[u][v]["capacity"] + 1 if g.has_edge(u, v) else 1
        g.add_edge(u, v, capacity=capacity)
    source, sink = "district", "outside"
    big = net.n_edges + 1
    g.add_edges_from(((source, int(n)) for n in np.flatnonzero(mask)), capacity=big)
    g.add_edges_from(((int(n), sink) for n in np.flatnonzero(outside)), capacity=big)
    _, (reachable, _) = nx.minimum_cut(g, source, sink)
    side = np.zeros(net.n_nodes, dtype=bool)
    side[[n for n in reachable if n != source]] = True
    crossing = np.flatnonzero(side[net.edge_u] != side[net.edge_v])
    _, first = np.unique(segments[crossing], return_index=True)
    return crossing[first]


def directed_seal_cuts(
    net: RoadNetwork, mask: np.ndarray, *, buffer_m: float = 0.0, outside: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fewest one-direction cameras that seal the district: the edges to watch against leaving and entering.

    Each is a minimum cut of the directed road graph (unit capacity per
    directed edge): from the district to ``outside`` (ways out) and from
    ``outside`` to the district (ways in). A two-way boundary segment needs
    one camera each way, so the total is usually larger than
    :func:`seal_cut`'s count of segments; a ``both`` camera covers the two
    directions of one segment.

    Returns
    -------
    out_edges, in_edges : numpy.ndarray
        Edge indices to watch (a camera reading travel along each).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0), jitter_m=0, one_way_share=0)
    >>> mask = np.zeros(net.n_nodes, bool); mask[4] = True       # the middle intersection, four two-way roads
    >>> [len(c) for c in directed_seal_cuts(net, mask)]
    [4, 4]
    >>> one_way = grid_network(3, 3, rng=np.random.default_rng(0), jitter_m=0)  # its four roads are one-way
    >>> [len(c) for c in directed_seal_cuts(one_way, mask)], len(seal_cut(one_way, mask))
    ([2, 2], 4)
    """
    outside = far_from(net, mask, buffer_m) if outside is None else outside & ~mask
    g = nx.DiGraph()
    for e in range(net.n_edges):
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        if u != v:
            g.add_edge(u, v, capacity=g[u][v]["capacity"] + 1 if g.has_edge(u, v) else 1)
    big = net.n_edges + 1
    cuts = []
    for source_nodes, sink_nodes in ((mask, outside), (outside, mask)):
        h = g.copy()
        h.add_edges_from((("source", int(n)) for n in np.flatnonzero(source_nodes)), capacity=big)
        h.add_edges_from(((int(n), "sink") for n in np.flatnonzero(sink_nodes)), capacity=big)
        _, (reachable, _) = nx.minimum_cut(h, "source", "sink")
        side = np.zeros(net.n_nodes, dtype=bool)
        side[[n for n in reachable if n != "source"]] = True
        cuts.append(np.flatnonzero(side[net.edge_u] & ~side[net.edge_v]))
    return cuts[0], cuts[1]


def sealed_directions(
    net: RoadNetwork, mask: np.ndarray, watched_edges: np.ndarray, outside: np.ndarray | None = None
) -> tuple[bool, bool]:
    """Whether every way out of the district, and every way in, passes a watched edge: ``(out, in)``.

    Checked by breadth-first search from the whole district at once (a
    super-source joined to every district node), on the roads without the
    watched edges (ways out) and on their reverse (ways in).
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import breadth_first_order

    outside = ~mask if outside is None else outside
    keep = np.ones(net.n_edges, dtype=bool)
    keep[np.asarray(watched_edges, dtype=np.int64)] = False
    district = np.flatnonzero(mask)
    source = net.n_nodes
    sealed = []
    for tail, head in ((net.edge_u, net.edge_v), (net.edge_v, net.edge_u)):
        rows = np.concatenate([tail[keep], np.full(len(district), source)])
        cols = np.concatenate([head[keep], district])
        graph = csr_array((np.ones(len(rows)), (rows, cols)), shape=(net.n_nodes + 1, net.n_nodes + 1))
        reached = breadth_first_order(graph, source, directed=True, return_predecessors=False)
        reached = reached[reached < net.n_nodes]
        sealed.append(not outside[reached].any())
    return sealed[0], sealed[1]


def is_sealed(
    net: RoadNetwork, mask: np.ndarray, watched_edges: np.ndarray, outside: np.ndarray | None = None
) -> bool:
    """True when no camera-free route joins the district and ``outside`` (default: every other node), either way."""
    return all(sealed_directions(net, mask, watched_edges, outside))
