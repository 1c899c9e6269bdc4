"""The roads that cross a city line: where a network cut from OpenStreetMap at an area's boundary goes on.

A network downloaded for one place (``osmnx.graph_from_place``) stops at the place's boundary, and a road
that goes on into the next town ends at its last intersection inside. osmnx records how many streets meet at
each intersection before the cut (node ``street_count``; osmnx before 1.0 kept a graph-wide
``streets_per_node``): where more streets meet than the network holds, roads went on. :func:`add_city_line`
gives each such intersection a short stub across the line, ending at a node outside (id: minus the
intersection's), so that traffic from
outside has a way in, a reader can stand on the road into the city, and the city is a district whose
sealing can be checked (its nodes carry ``jurisdiction`` = the city's name, the stubs' ends ``"outside"``).
"""

from __future__ import annotations

import re

import networkx as nx
import numpy as np

from sim._errors import NetworkError
from sim.network import ROAD_RANK

#: How far outside the line a stub ends (metres): the first stretch of the road into the next town.
STUB_M = 60.0
#: What a stub's far end is called in ``jurisdiction`` (and marked ``outside = True``).
OUTSIDE = "outside"


def street_counts(graph: nx.MultiDiGraph) -> dict[object, int]:
    """Streets meeting at each node before the network was cut: osmnx's ``street_count`` (node attribute) or
    the old graph-wide ``streets_per_node``; empty when the graph has neither."""
    counts = {n: int(d["street_count"]) for n, d in graph.nodes(data=True) if d.get("street_count") is not None}
    if counts:
        return counts
    text = str(graph.graph.get("streets_per_node", ""))
    pairs = dict(re.findall(r"['\"]?(\w+)['\"]?\s*:\s*(\d+)", text))
    by_text = {str(n): n for n in graph.nodes}
    return {by_text[k]: int(v) for k, v in pairs.items() if k in by_text}


def crossing_nodes(graph: nx.MultiDiGraph) -> list[object]:
    """The nodes where roads went on beyond the network: more streets met there than the network holds."""
    counts = street_counts(graph)
    if not counts:
        raise NetworkError("network.city_line needs the street counts osmnx records (node street_count, or "
                           "streets_per_node): save the network with osmnx, or leave city_line out")
    undirected = nx.Graph(graph.to_undirected(as_view=True))
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    return sorted((n for n in graph.nodes if counts.get(n, 0) > undirected.degree(n)), key=str)


def add_city_line(graph: nx.MultiDiGraph, name: str, *, stub_m: float = STUB_M) -> int:
    """Add a two-way stub across the line at every :func:`crossing_nodes` node; label the inside ``name``.

    The graph must be projected (metres). A stub leaves the node away from the streets it has inside (the road
    goes on the other way); it takes the biggest road class at the node. Returns the number of stubs.

    Examples
    --------
    >>> g = nx.MultiDiGraph(crs="EPSG:32610", streets_per_node="{1: 2, 2: 1}")
    >>> g.add_node(1, x=0.0, y=0.0); g.add_node(2, x=100.0, y=0.0)
    >>> _ = g.add_edge(1, 2, length=100.0, highway="residential"); _ = g.add_edge(2, 1, length=100.0,
    ...                                                                          highway="residential")
    >>> add_city_line(g, "Town"), g.nodes[-1]["x"], g.nodes[-1]["jurisdiction"], g.nodes[1]["jurisdiction"]
    (1, -60.0, 'outside', 'Town')
    """
    crossings = crossing_nodes(graph)
    for n, data in graph.nodes(data=True):
        data["jurisdiction"] = name
    for u, v, data in graph.edges(data=True):
        data["jurisdiction"] = name
    centre = np.array([np.mean([d["x"] for _, d in graph.nodes(data=True)]),
                       np.mean([d["y"] for _, d in graph.nodes(data=True)])])
    for n in crossings:
        here = np.array([graph.nodes[n]["x"], graph.nodes[n]["y"]], dtype=float)
        inward = [np.array([graph.nodes[m]["x"], graph.nodes[m]["y"]], dtype=float) - here
                  for m in set(graph.successors(n)) | set(graph.predecessors(n)) if m != n]
        units = [d / np.linalg.norm(d) for d in inward if np.linalg.norm(d) > 0]
        away = -np.sum(units, axis=0) if units else here - centre
        if np.linalg.norm(away) < 1e-9:  # streets inside on every side: leave away from the centre
            away = here - centre
        away = away / (np.linalg.norm(away) or 1.0)
        # the far end's id: minus the crossing's (OSM ids are positive integers), or "city line <id>"
        stub: object = -int(n) if isinstance(n, (int, np.integer)) and int(n) > 0 else f"city line {n}"
        x, y = here + stub_m * away
        graph.add_node(stub, x=float(x), y=float(y), jurisdiction=OUTSIDE, outside=True)
        highway = _biggest_class(graph, n)
        for a, b in ((stub, n), (n, stub)):
            graph.add_edge(a, b, length=stub_m, highway=highway, oneway=False, name="(across the city line)",
                           jurisdiction=name)
    return len(crossings)


def _biggest_class(graph: nx.MultiDiGraph, node: object) -> str:
    kinds = set()
    for _, _, data in graph.edges(node, data=True):
        value = data.get("highway", "residential")
        kinds |= set(value) if isinstance(value, list) else {value}
    kinds = {str(k).removesuffix("_link") for k in kinds}
    return next((k for k in ROAD_RANK if k in kinds), "residential")
