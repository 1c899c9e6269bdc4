"""Static user-equilibrium traffic assignment with BPR link costs (conjugate Frank–Wolfe).

Congestion makes drivers spread over routes: at user equilibrium no driver
can save time by switching route. Link travel time follows the BPR function
``t = t0 · (1 + b · (x / c) ** power)`` (``b`` = 0.15, ``power`` = 4 unless
the network says otherwise, as TNTP networks do). The equilibrium flows are
found by the conjugate Frank–Wolfe method (Mitradjieva & Lindberg 2013):
all-or-nothing loads on the current fastest routes, a direction conjugate to
the previous one, and an exact line search on the Beckmann objective,
until the relative gap is below the target. The congested times then serve
as the network's travel times for routing the individual vehicles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.sparse import csr_array

from sim.network import RoadNetwork, fastest_parallel
from sim.routing import fastest_routes

log = logging.getLogger(__name__)

#: Capacity per direction (vehicles per hour) by OSM road class where a network gives none.
DEFAULT_CAPACITY_VPH = {
    "motorway": 4000.0, "motorway_link": 1500.0, "trunk": 3000.0, "trunk_link": 1200.0, "primary": 1800.0,
    "primary_link": 1000.0, "secondary": 1400.0, "secondary_link": 900.0, "tertiary": 1000.0,
    "tertiary_link": 800.0, "residential": 600.0, "living_street": 300.0, "unclassified": 600.0,
}


@dataclass
class Assignment:
    """The result of :func:`user_equilibrium`.

    Attributes
    ----------
    flow : numpy.ndarray
        Vehicles per hour on every edge.
    travel_time : numpy.ndarray
        BPR travel time of every edge at that flow, seconds.
    relative_gap : float
        ``(Σ t·x − Σ t·y) / Σ t·x``, ``y`` the all-or-nothing flows at the
        final times: 0 at equilibrium.
    iterations : int
    gaps : list of float
        Relative gap after each iteration.
    """

    flow: np.ndarray
    travel_time: np.ndarray
    relative_gap: float
    iterations: int
    gaps: list[float] = field(default_factory=list)


def bpr_parameters(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capacity (veh/h), ``b`` and ``power`` of every edge: the network's ``capacity``, ``bpr_b``,
    ``bpr_power`` attributes, else defaults by road class (:data:`DEFAULT_CAPACITY_VPH`, 0.15, 4)."""
    capacity, b, power = (np.empty(net.n_edges) for _ in range(3))
    for e, (u, v, k) in enumerate(zip(net.edge_u, net.edge_v, net.edge_key)):
        data = net.graph.edges[net.nodes[u], net.nodes[v], int(k)]
        highway = data.get("highway", "unclassified")
        highway = highway[0] if isinstance(highway, list) else highway
        capacity[e] = float(data.get("capacity", DEFAULT_CAPACITY_VPH.get(str(highway), 600.0)))
        b[e] = float(data.get("bpr_b", 0.15))
        power[e] = float(data.get("bpr_power", 4.0))
    if not (capacity > 0).all():
        raise ValueError("every edge needs a capacity > 0 for congestion (check the network's capacity values)")
    return capacity, b, power


def bpr_time(t0: np.ndarray, flow: np.ndarray, capacity: np.ndarray, b: np.ndarray, power: np.ndarray) -> np.ndarray:
    """BPR link travel time.

    Examples
    --------
    >>> float(bpr_time(np.array([60.0]), np.array([1000.0]), np.array([1000.0]), np.array([0.15]), np.array([4.0]))[0])
    69.0
    """
    return t0 * (1.0 + b * (flow / capacity) ** power)


def all_or_nothing(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray, demand: np.ndarray,
                   times: np.ndarray) -> np.ndarray:
    """Edge flows when every OD pair's demand takes its fastest route at ``times``."""
    routes = fastest_routes(net, origins, destinations, weights=times)
    per_edge = np.repeat(demand, np.diff(routes.offsets))
    return np.bincount(routes.edges, weights=per_edge, minlength=net.n_edges)


def user_equilibrium(
    net: RoadNetwork,
    origins: np.ndarray,
    destinations: np.ndarray,
    demand: np.ndarray,
    *,
    gap: float = 1e-4,
    max_iterations: int = 1000,
    delta: float = 1e-3,
) -> Assignment:
    """Static user equilibrium of hourly OD ``demand`` (node indices) by conjugate Frank–Wolfe.

    Parameters
    ----------
    origins, destinations : numpy.ndarray
        Node indices of each OD pair.
    demand : numpy.ndarray
        Vehicles per hour of each pair.
    gap : float
        Stop at this relative gap.
    delta : float
        Keeps the conjugate weight below ``1 - delta`` (as in the paper).

    Examples
    --------
    Two parallel roads, one twice as fast when empty: at equilibrium both
    take traffic and cost the same.

    >>> import networkx as nx
    >>> from sim.network import from_graph
    >>> g = nx.MultiDiGraph(crs="EPSG:32618")
    >>> g.add_node(0, x=0.0, y=0.0); g.add_node(1, x=1000.0, y=0.0)
    >>> _ = g.add_edge(0, 1, length=1000.0, travel_time=60.0, capacity=1000.0)
    >>> _ = g.add_edge(0, 1, length=1000.0, travel_time=120.0, capacity=1000.0)
    >>> _ = g.add_edge(1, 0, length=1000.0, travel_time=60.0, capacity=1000.0)
    >>> a = user_equilibrium(from_graph(g), np.array([0]), np.array([1]), np.array([3000.0]))
    >>> bool(abs(a.travel_time[0] - a.travel_time[1]) < 0.1), a.relative_gap < 1e-4
    (True, True)
    """
    origins, destinations = np.asarray(origins, np.int64), np.asarray(destinations, np.int64)
    demand = np.asarray(demand, float)
    if (demand < 0).any():
        raise ValueError("OD demand must be ≥ 0")
    capacity, b, power = bpr_parameters(net)
    t0 = net.edge_time
    x = all_or_nothing(net, origins, destinations, demand, t0)
    gaps: list[float] = []
    s_prev = None
    rel_gap = np.inf
    iteration = 0
    for iteration in range(1, max_iterations + 1):
        t = bpr_time(t0, x, capacity, b, power)
        y = all_or_nothing(net, origins, destinations, demand, t)
        total = float(t @ x)
        rel_gap = (total - float(t @ y)) / total if total > 0 else 0.0
        gaps.append(rel_gap)
        if rel_gap <= gap:
            break
        s = y
        if s_prev is not None:
            slope = t0 * b * power * np.divide(x, capacity) ** np.maximum(power - 1, 0) / capacity  # dt/dx
            old = s_prev - x
            numerator = float(old @ (slope * (y - x)))
            denominator = float(old @ (slope * (y - s_prev)))
            alpha = numerator / denominator if denominator != 0 else 0.0
            alpha = min(max(alpha, 0.0), 1.0 - delta) if np.isfinite(alpha) else 0.0
            s = alpha * s_prev + (1 - alpha) * y
        direction = s - x
        step = _line_search(t0, x, direction, capacity, b, power)
        x = x + step * direction
        s_prev = s
    else:
        log.warning("user equilibrium: relative gap %.2e after %d iterations (target %.0e)", rel_gap,
                    max_iterations, gap)
    return Assignment(x, bpr_time(t0, x, capacity, b, power), float(rel_gap), iteration, gaps)


def _line_search(t0: np.ndarray, x: np.ndarray, d: np.ndarray, capacity: np.ndarray, b: np.ndarray,
                 power: np.ndarray, iterations: int = 60) -> float:
    """The step in [0, 1] minimising the Beckmann objective along ``d`` (bisection on its derivative)."""
    def slope(step: float) -> float:
        return float(d @ bpr_time(t0, x + step * d, capacity, b, power))

    if slope(1.0) <= 0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def with_travel_times(net: RoadNetwork, times: np.ndarray) -> RoadNetwork:
    """The same network with other edge travel times (e.g. congested ones) for routing."""
    time = np.maximum(np.asarray(times, float), 1e-6)
    best = fastest_parallel(net.edge_u, net.edge_v, time, net.n_nodes, np.arange(net.n_edges))
    adjacency = csr_array((time[best], (net.edge_u[best], net.edge_v[best])), shape=net.adjacency.shape)
    pair = net.edge_u * net.n_nodes + net.edge_v
    return replace(net, edge_time=time, adjacency=adjacency, _pair_keys=pair[best],
                   _pair_edges=best.astype(np.int64))
