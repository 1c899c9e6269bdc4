"""Traffic from outside: vehicles that live beyond the simulated area and enter it through gateways.

A city's cameras read more than its residents. Most people who work in a
central city live outside it — 73.5 % of Norfolk, VA's workforce (Koch &
Agarwal, Old Dominion University, *Our Jobs Also are Your Jobs*, 2015: "26.5
percent of the city workforce actually live in Norfolk"), 72.4 % of
Washington, DC's (US Census Bureau, McKenzie, *Out-of-State and Long
Commutes: 2011*, ACS-20, 2013) — and some traffic on the roads into a city
only passes through it: 18.4 % of the traffic approaching cities of
100,000–300,000 people, 7.2 % for 300,000–500,000 (*Interregional
Highways*, House Document 379, 1944, table 14; measured before the
Interstates, so an order of magnitude, not a current figure).

Residents work outside too: in Hampton Roads "47 percent [of the labour
force] works in a city where they don't live" (Hampton Roads TPO, ACS
2009–2013, reported by The Virginian-Pilot); ``[demand] out_commuter_share``
of the resident workers have their job beyond a gateway (the nearer
gateways more likely) and are read on their way out and back.

The population model adds two kinds of outside vehicles
(``[demand] in_commuter_share``, ``through_share``):

- **In-commuters**: ``in_commuter_share`` of the area's jobs are held by
  people from outside. Each such vehicle's "home" is a gateway; on weekdays
  it drives in to a work place drawn like a resident's (gravity from the
  gateway's zone) and back out at the same times as residents' commutes.
  Their evenings and weekends happen outside the area.
- **Through traffic**: ``through_share`` of the vehicles entering the area
  each day cross it from one gateway to another, each a vehicle seen that
  day only (a new plate), leaving between 6:00 and 22:00.

- **Visitors** (``visitor_share``, default 0): each day that many vehicles
  per resident vehicle come in by a gateway, stop at one place drawn like a
  resident's errand (gravity from the gateway's zone) for 30 minutes to 3
  hours between 10:00 and 19:00, and leave by the same gateway; each a new
  plate. The default is 0 because no published share of a city's traffic
  that visits it (shoppers, deliveries, tourists) was found to cite; set it
  where a local survey gives one.

Gateways (:func:`gateway_nodes`) are the intersections on the edge of the
network where its biggest road that leads inward ends: where the roads into
the area cross its boundary.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim._errors import DemandError
from sim._time import DAY_S
from sim.network import ROAD_RANK, RoadNetwork, edge_highway


def gateway_nodes(net: RoadNetwork, *, edge_m: float | None = None) -> np.ndarray:
    """Node indices where roads come into the area: the far ends of the stubs across a city line
    (``network.city_line``), or else on its outer edge, on the biggest road leading inward.

    A node is on the edge when it lies within ``edge_m`` of the convex hull's
    boundary (default: 2 % of the square root of the hull's area, at least
    30 m). An edge road leads inward when its other end is not on the edge;
    of those roads' classes (:data:`sim.network.ROAD_RANK`) the biggest present decides
    which edge nodes are gateways.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(13, 13, arterial_every=6, jitter_m=0, rng=np.random.default_rng(0))
    >>> sorted(int(net.nodes[n]) for n in gateway_nodes(net))  # the arterial at column and row 6 meets the edge
    [6, 78, 90, 162]
    """
    from shapely import MultiPoint, Point

    if net.outside.any():  # the roads across a city line (network.city_line) are the ways in
        return np.flatnonzero(net.outside)
    points = np.column_stack([net.x, net.y])
    hull = MultiPoint(points).convex_hull
    if hull.area <= 0:
        raise DemandError("traffic from outside needs a network with an area (its nodes are on one line)")
    tolerance = edge_m if edge_m is not None else max(30.0, 0.02 * float(np.sqrt(hull.area)))
    boundary = hull.exterior
    on_edge = np.array([boundary.distance(Point(x, y)) <= tolerance for x, y in points])
    highway = edge_highway(net)
    inward = on_edge[net.edge_u] != on_edge[net.edge_v]
    rank = {name: i for i, name in enumerate(ROAD_RANK)}
    edge_rank = np.array([rank.get(h, len(ROAD_RANK)) for h in highway])
    if not inward.any():
        raise DemandError("no road leads from the network's edge inward: give demand.gateways = [node ids]")
    best = edge_rank[inward].min()
    chosen = inward & (edge_rank == best)
    ends = np.concatenate([net.edge_u[chosen], net.edge_v[chosen]])
    return np.unique(ends[on_edge[ends]])


def nearby_gateways(
    net: RoadNetwork, gateways: np.ndarray, homes: np.ndarray, decay_km: float, rng: np.random.Generator
) -> np.ndarray:
    """A gateway for each home: the way out to a job outside, drawn with weight exp(-distance / ``decay_km``).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(13, 13, arterial_every=6, jitter_m=0, rng=np.random.default_rng(0))
    >>> gates = gateway_nodes(net)
    >>> home = np.full(4000, 14)  # near the south-west corner: 765 m from gateways 6 and 78, 1,812 m from the others
    >>> picked = net.nodes[nearby_gateways(net, gates, home, 0.5, np.random.default_rng(1))]
    >>> near = 2 * np.exp(-0.765 / 0.5) / (2 * np.exp(-0.765 / 0.5) + 2 * np.exp(-1.812 / 0.5))
    >>> round(float(near), 3), bool(abs(np.isin(picked, [6, 78]).mean() - near) < 0.02)
    (0.89, True)
    """
    dx = net.x[homes][:, None] - net.x[gateways][None, :]
    dy = net.y[homes][:, None] - net.y[gateways][None, :]
    weight = np.exp(-np.hypot(dx, dy) / (decay_km * 1000))
    cumulative = np.cumsum(weight, axis=1)
    pick = (cumulative < rng.random(len(homes))[:, None] * cumulative[:, -1:]).sum(axis=1)
    return gateways[np.minimum(pick, len(gateways) - 1)]


def external_vehicles(
    net: RoadNetwork,
    gateways: np.ndarray,
    *,
    in_commuters: int,
    through_share: float,
    days: int,
    first_weekday: int,
    first_vehicle: int,
    work_place: Any,
    rng: np.random.Generator,
    visitors: float = 0.0,
    visit_place: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trips (``vehicle_id, o, d, depart_s``, node indices) and vehicles of the traffic from outside.

    ``work_place(origins, rng)`` draws a work node for each gateway origin (the
    population model's gravity). Vehicle ids start at ``first_vehicle``.

    Returns
    -------
    trips : pandas.DataFrame
        ``vehicle_id, o, d, depart_s, from_outside, to_outside`` (which end of a trip is beyond the area)
    vehicles : pandas.DataFrame
        ``vehicle_id, home, work, worker, kind`` (``kind``: ``in-commuter`` or
        ``through`` or ``visitor``; ``home`` is the gateway it comes in by, a node index).

    ``visitors`` is the expected number of visiting vehicles a day (drawn
    Poisson), ``visit_place(origins, rng)`` each one's stop.
    """
    if len(gateways) < 1:
        raise DemandError("traffic from outside needs at least one gateway")
    home = gateways[rng.integers(len(gateways), size=in_commuters)]
    work = work_place(home, rng) if in_commuters else np.zeros(0, np.int64)
    ids = first_vehicle + np.arange(in_commuters)
    parts = []
    through_ids: list[np.ndarray] = []
    through_home: list[np.ndarray] = []
    visitor_ids: list[np.ndarray] = []
    visitor_home: list[np.ndarray] = []
    next_id = first_vehicle + in_commuters
    weekdays = [d for d in range(days) if (first_weekday + d) % 7 < 5]
    for day in range(days):
        entering = 0
        if day in weekdays and in_commuters:
            leave = np.clip(rng.normal(7.75, 0.75, in_commuters), 5.0, 11.0) * 3600
            back = leave + np.clip(rng.normal(9.0, 0.75, in_commuters), 4.0, 12.0) * 3600
            parts.append(pd.DataFrame({"vehicle_id": ids, "o": home, "d": work, "depart_s": day * DAY_S + leave,
                                       "from_outside": True, "to_outside": False}))
            parts.append(pd.DataFrame({"vehicle_id": ids, "o": work, "d": home, "depart_s": day * DAY_S + back,
                                       "from_outside": False, "to_outside": True}))
            entering = in_commuters
        n_through = int(rng.binomial(entering, through_share / (1 - through_share))) if through_share else 0
        if n_through and len(gateways) >= 2:
            a = rng.integers(len(gateways), size=n_through)
            b = (a + rng.integers(1, len(gateways), size=n_through)) % len(gateways)  # another gateway
            who = next_id + np.arange(n_through)
            next_id += n_through
            parts.append(pd.DataFrame({"vehicle_id": who, "o": gateways[a], "d": gateways[b],
                                       "depart_s": day * DAY_S + rng.uniform(6.0, 22.0, n_through) * 3600,
                                       "from_outside": True, "to_outside": True}))
            through_ids.append(who)
            through_home.append(gateways[a])
        n_visit = int(rng.poisson(visitors)) if visitors else 0
        if n_visit:
            gate = gateways[rng.integers(len(gateways), size=n_visit)]
            stop = visit_place(gate, rng)
            who = next_id + np.arange(n_visit)
            next_id += n_visit
            arrive = day * DAY_S + rng.uniform(10.0, 19.0, n_visit) * 3600
            parts.append(pd.DataFrame({"vehicle_id": who, "o": gate, "d": stop, "depart_s": arrive,
                                       "from_outside": True, "to_outside": False}))
            parts.append(pd.DataFrame({"vehicle_id": who, "o": stop, "d": gate,
                                       "depart_s": arrive + rng.uniform(1800, 3 * 3600, n_visit),
                                       "from_outside": False, "to_outside": True}))
            visitor_ids.append(who)
            visitor_home.append(gate)
    through = np.concatenate(through_ids) if through_ids else np.zeros(0, np.int64)
    through_from = np.concatenate(through_home) if through_home else np.zeros(0, np.int64)
    visiting = np.concatenate(visitor_ids) if visitor_ids else np.zeros(0, np.int64)
    visit_from = np.concatenate(visitor_home) if visitor_home else np.zeros(0, np.int64)
    vehicles = pd.DataFrame({
        "vehicle_id": np.concatenate([ids, through, visiting]).astype(np.int64),
        "home": np.concatenate([home, through_from, visit_from]).astype(np.int64),
        "work": np.concatenate([work, through_from, visit_from]).astype(np.int64),
        "worker": np.concatenate([np.ones(in_commuters, bool), np.zeros(len(through) + len(visiting), bool)]),
        "works_outside": False,
        "kind": ["in-commuter"] * in_commuters + ["through"] * len(through) + ["visitor"] * len(visiting),
    })
    trips = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"vehicle_id": np.zeros(0, np.int64), "o": np.zeros(0, np.int64), "d": np.zeros(0, np.int64),
         "depart_s": np.zeros(0)})
    return trips, vehicles
