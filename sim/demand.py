"""Travel demand: who drives from where to where, and when.

Every model returns a trips table with columns
``trip_id, vehicle_id, plate, origin, destination, depart_s`` (origin and
destination are node ids; ``depart_s`` is seconds after the scenario start),
sorted by vehicle and departure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim._errors import DemandError
from sim.external import external_vehicles, gateway_nodes, nearby_gateways
from sim.network import RoadNetwork

if TYPE_CHECKING:
    from sim.scenario import Scenario

TRIP_COLUMNS = ("trip_id", "vehicle_id", "plate", "origin", "destination", "depart_s")
PLATE_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))
PLATE_DIGITS = np.array(list("0123456789"))

#: Time-of-day profile: share of outbound trips in the morning peak, its
#: mean and spread (hours), and likewise for return trips in the evening.
MORNING_PEAK = (0.7, 8.0, 1.2)
EVENING_PEAK = (0.7, 17.5, 1.5)
#: Shortest stay at a destination before driving back, seconds.
MIN_DWELL_S = 1_800.0


def resident_ids(persons: pd.DataFrame | None) -> np.ndarray | None:
    """The residents' vehicle ids when the population model says who they are, else ``None`` (every vehicle)."""
    if persons is None or "kind" not in persons.columns:
        return None
    return np.asarray(persons.loc[persons["kind"] == "resident", "vehicle_id"].to_numpy(np.int64))


def make_plates(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct plates of the form ``ABC1234``.

    Examples
    --------
    >>> p = make_plates(3, np.random.default_rng(0))
    >>> len(set(p)), len(p[0])
    (3, 7)
    """
    plates: list[str] = []
    seen: set[str] = set()
    while len(plates) < n:
        need = n - len(plates)
        letters = rng.choice(PLATE_LETTERS, size=(need, 3))
        digits = rng.choice(PLATE_DIGITS, size=(need, 4))
        for row in np.concatenate([letters, digits], axis=1):
            plate = "".join(row)
            if plate not in seen:
                seen.add(plate)
                plates.append(plate)
    return np.array(plates[:n], dtype=object)


def _peak_times(n: int, peak: tuple[float, float, float], rng: np.random.Generator) -> np.ndarray:
    """Departure seconds within a day: a normal peak mixed with a flat base (6–22 h)."""
    share, mean_h, sd_h = peak
    in_peak = rng.random(n) < share
    hours = np.where(in_peak, rng.normal(mean_h, sd_h, n), rng.uniform(6.0, 22.0, n))
    return np.clip(hours, 0.0, 23.99) * 3600.0


def uniform_trips(net: RoadNetwork, trips: int, days: int, rng: np.random.Generator) -> pd.DataFrame:
    """Round trips between uniformly random nodes, ``trips`` a day.

    Each vehicle has a home node; every day it drives to a random other node
    around the morning peak and back around the evening peak (at least
    :data:`MIN_DWELL_S` later), so a day of ``trips`` trips has
    ``ceil(trips / 2)`` vehicles (with an odd count, the last one only
    drives out).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> t = uniform_trips(net, 5, 2, np.random.default_rng(1))
    >>> len(t), t["vehicle_id"].nunique()
    (10, 3)
    """
    _check_size(net, trips, days)
    n_vehicles = (trips + 1) // 2
    plates = make_plates(n_vehicles, rng)
    home = rng.integers(0, net.n_nodes, n_vehicles)

    def away(day: int) -> np.ndarray:
        return (home + rng.integers(1, net.n_nodes, n_vehicles)) % net.n_nodes

    return _round_trips(net, trips, days, rng, plates, home, away)


def _check_size(net: RoadNetwork, trips: int, days: int) -> None:
    if trips < 1 or days < 1:
        raise DemandError(f"demand needs trips >= 1 and days >= 1, got trips={trips}, days={days}")
    if net.n_nodes < 2:
        raise DemandError("demand needs a network with at least two nodes")


def _round_trips(
    net: RoadNetwork, trips: int, days: int, rng: np.random.Generator, plates: np.ndarray, home: np.ndarray,
    away: Callable[[int], np.ndarray],
) -> pd.DataFrame:
    """Every day each vehicle drives home → ``away(day)`` in the morning peak and back in the evening."""
    n_vehicles = len(home)
    parts = []
    for day in range(days):
        there = away(day)
        out_t = _peak_times(n_vehicles, MORNING_PEAK, rng)
        back_t = _peak_times(n_vehicles, EVENING_PEAK, rng)
        # A car cannot come back before it got there and stayed a while.
        back_t = np.maximum(back_t, out_t + MIN_DWELL_S + rng.uniform(0, 3 * 3600, n_vehicles))
        vehicles = np.arange(n_vehicles)
        outbound = pd.DataFrame({"vehicle_id": vehicles, "o": home, "d": there, "depart_s": day * DAY_S + out_t})
        n_back = trips // 2
        inbound = pd.DataFrame(
            {"vehicle_id": vehicles[:n_back], "o": there[:n_back], "d": home[:n_back],
             "depart_s": day * DAY_S + back_t[:n_back]}
        )
        parts += [outbound, inbound]
    return _trips_table(net, pd.concat(parts, ignore_index=True), plates)


def _trips_table(net: RoadNetwork, table: pd.DataFrame, plates: np.ndarray) -> pd.DataFrame:
    """Columns ``vehicle_id, o, d, depart_s`` (node indices) → a trips table sorted by vehicle and time.

    A drawn trip that would end where it starts (an errand stop that is
    home) is no trip: the car stays, and the row is dropped.
    """
    table = table[table["o"].to_numpy() != table["d"].to_numpy()]
    table = table.sort_values(["vehicle_id", "depart_s"], kind="stable", ignore_index=True)
    out = pd.DataFrame(
        {
            "trip_id": np.arange(len(table), dtype=np.int64),
            "vehicle_id": table["vehicle_id"].to_numpy(np.int64),
            "plate": plates[table["vehicle_id"].to_numpy()],
            "origin": net.nodes[table["o"].to_numpy()],
            "destination": net.nodes[table["d"].to_numpy()],
            "depart_s": table["depart_s"].to_numpy(float),
        }
    )
    for end in ("from_outside", "to_outside"):  # a trip that enters or leaves the area by a gateway
        if end in table.columns:
            out[end] = table[end].fillna(False).to_numpy(bool)
    return out


# --- zones, gravity and a synthetic population --------------------------------------

@dataclass(frozen=True)
class Zones:
    """Square cells over the network, each holding the nodes inside it.

    Attributes
    ----------
    node_zone : numpy.ndarray
        Zone of every node.
    x, y : numpy.ndarray
        Zone centroids (mean of their nodes), metres.
    population, attraction : numpy.ndarray
        Weights of each zone as a home and as a destination: the sum of the
        nodes' ``population`` / ``jobs`` attributes where the network has
        them, else the number of nodes (intersections stand in for homes).
    """

    node_zone: np.ndarray
    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    attraction: np.ndarray
    offsets: np.ndarray
    members: np.ndarray

    @property
    def n(self) -> int:
        """Number of zones."""
        return len(self.x)

    def random_node(self, zone: np.ndarray, rng: np.random.Generator, *, avoid: np.ndarray | None = None) -> np.ndarray:
        """A node drawn uniformly inside each of ``zone``; not ``avoid`` where the zone has another node."""
        size = np.diff(self.offsets)[zone]
        pick = (rng.random(len(zone)) * size).astype(np.int64)
        node = self.members[self.offsets[zone] + pick]
        if avoid is not None:
            clash = (node == avoid) & (size > 1)
            node[clash] = self.members[self.offsets[zone[clash]] + (pick[clash] + 1) % size[clash]]
        return node


def grid_zones(net: RoadNetwork, zone_km: float, *, places_per_zone: int | None = None) -> Zones:
    """Zones of ``zone_km`` × ``zone_km`` over the network (empty cells dropped).

    With ``places_per_zone``, trips start and end at only that many nodes of
    each zone (evenly spread over its nodes), as zone connectors do in
    regional travel models: far fewer distinct origins to route from.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> z = grid_zones(grid_network(10, 10, rng=np.random.default_rng(0), block_m=100), 0.5)
    >>> z.n, int(z.population.sum())
    (4, 100)
    """
    size = zone_km * 1000.0
    x, y, inside = net.x, net.y, ~net.outside
    if not inside.all():  # beyond a city line: ways in, not places; each stub's end joins its crossing's zone
        if not inside.any():
            raise DemandError("every node of the network lies outside its city line")
        x, y = x.copy(), y.copy()
        stub = net.outside[net.edge_u] & inside[net.edge_v]
        x[net.edge_u[stub]], y[net.edge_u[stub]] = net.x[net.edge_v[stub]], net.y[net.edge_v[stub]]
    col = ((x - x.min()) // size).astype(np.int64)
    row = ((y - y.min()) // size).astype(np.int64)
    cell = row * (int(col.max()) + 1) + col
    cells, node_zone = np.unique(cell, return_inverse=True)
    order = np.argsort(node_zone, kind="stable")
    if not inside.all():
        order = order[inside[order]]
    count = np.bincount(node_zone[inside], minlength=len(cells)).astype(float)
    if places_per_zone is None:
        offsets = np.concatenate([[0], np.cumsum(count.astype(np.int64))])
    else:
        start = np.concatenate([[0], np.cumsum(count.astype(np.int64))])
        keep = [start[z] + np.unique(np.linspace(0, count[z] - 1, min(places_per_zone, int(count[z]))).astype(int))
                for z in range(len(cells))]
        order = order[np.concatenate(keep)]
        offsets = np.concatenate([[0], np.cumsum([len(k) for k in keep])])
    weights = {}
    for attribute in ("population", "jobs"):
        values = np.array([float(net.graph.nodes[n].get(attribute, np.nan)) for n in net.nodes])
        weights[attribute] = (np.bincount(node_zone, weights=np.nan_to_num(values) * inside, minlength=len(cells))
                              if np.isfinite(values).any() else count)
    return Zones(node_zone, np.bincount(node_zone[inside], weights=net.x[inside], minlength=len(cells)) / count,
                 np.bincount(node_zone[inside], weights=net.y[inside], minlength=len(cells)) / count,
                 weights["population"], weights["jobs"], offsets, order)


def gravity_matrix(zones: Zones, decay_km: float) -> np.ndarray:
    """Row-normalised destination probabilities: attraction × exp(−distance / ``decay_km``)."""
    distance = np.hypot(zones.x[:, None] - zones.x[None, :], zones.y[:, None] - zones.y[None, :]) / 1000.0
    weight = zones.attraction[None, :] * np.exp(-distance / decay_km)
    return weight / weight.sum(axis=1, keepdims=True)


def gravity_destinations(
    zones: Zones, probabilities: np.ndarray, origin: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A destination node for each origin node, its zone drawn from the origin zone's gravity row."""
    origin_zone = zones.node_zone[origin]
    out = np.empty(len(origin), dtype=np.int64)
    cumulative = np.cumsum(probabilities, axis=1)
    for z in np.unique(origin_zone):
        rows = np.flatnonzero(origin_zone == z)
        zone = np.minimum(np.searchsorted(cumulative[z], rng.random(len(rows)) * cumulative[z, -1]), zones.n - 1)
        out[rows] = zones.random_node(zone, rng, avoid=origin[rows])
    return out


def _homes(zones: Zones, n: int, rng: np.random.Generator) -> np.ndarray:
    zone = rng.choice(zones.n, size=n, p=zones.population / zones.population.sum())
    return zones.random_node(zone, rng)


def gravity_trips(
    net: RoadNetwork, trips: int, days: int, rng: np.random.Generator, *, decay_km: float = 3.0, zone_km: float = 1.0
) -> pd.DataFrame:
    """Round trips as :func:`uniform_trips`, but homes by zone population and destinations by a gravity model.

    The destination zone of a trip from zone *i* is *j* with probability
    proportional to attraction(*j*) · exp(−d(*i*, *j*) / ``decay_km``); the
    node is drawn uniformly inside it.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(10, 10, rng=np.random.default_rng(0))
    >>> t = gravity_trips(net, 100, 1, np.random.default_rng(1), decay_km=0.5, zone_km=0.5)
    >>> len(t), bool((t["origin"] != t["destination"]).all())
    (100, True)
    """
    _check_size(net, trips, days)
    zones = grid_zones(net, zone_km)
    probabilities = gravity_matrix(zones, decay_km)
    n_vehicles = (trips + 1) // 2
    plates = make_plates(n_vehicles, rng)
    home = _homes(zones, n_vehicles, rng)
    return _round_trips(net, trips, days, rng, plates, home,
                        lambda day: gravity_destinations(zones, probabilities, home, rng))


#: Population model: share of weekday errand tours by count (0, 1, 2) for non-workers, and weekend outings.
NONWORKER_TOURS = (0.25, 0.5, 0.25)
WEEKEND_TOURS = (0.35, 0.45, 0.2)
#: Chance that a worker runs an errand on the way home from work / drives out again in the evening.
ERRAND_AFTER_WORK = 0.25
EVENING_OUTING = 0.15


def population_trips(
    net: RoadNetwork,
    vehicles: int,
    days: int,
    rng: np.random.Generator,
    *,
    first_weekday: int = 0,
    worker_share: float = 0.65,
    work_decay_km: float = 6.0,
    errand_decay_km: float = 2.0,
    zone_km: float = 1.0,
    places_per_zone: int | None = None,
    in_commuter_share: float = 0.0,
    out_commuter_share: float = 0.0,
    through_share: float = 0.0,
    visitor_share: float = 0.0,
    gateways: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic population of vehicles, each with a home, and for workers a work place, driving N days.

    Homes are drawn by zone population, work places and errands by gravity
    (distance decay ``work_decay_km`` / ``errand_decay_km``); with
    ``places_per_zone`` only that many nodes per zone are places (see
    :func:`grid_zones`). On weekdays
    (``first_weekday`` is day 0's weekday, Monday = 0) a worker leaves for
    work around 7:45, leaves work about 9 hours later, sometimes via an
    errand or with an evening outing; a non-worker makes 0–2 errand tours
    (home → errand → home) between 9:00 and 19:00. At weekends everyone makes
    0–2 outings between 10:00 and 20:00. A vehicle whose trip runs late
    leaves for its next one on arrival (the traffic stage's rule).

    With ``out_commuter_share``, that share of the resident workers work
    outside the area: their work place is a gateway (the nearer ones more
    likely, by ``work_decay_km``). With ``in_commuter_share`` (of the area's
    jobs held by people from outside) and ``through_share`` (of the vehicles
    entering each day that cross the area) and ``visitor_share`` (visiting
    vehicles a day per resident vehicle), vehicles from outside come in
    through ``gateways`` (node indices; default
    :func:`sim.external.gateway_nodes`): see :mod:`sim.external`. They are
    drawn after the residents, so the residents are the same with or without
    them.

    Returns
    -------
    trips : pandas.DataFrame
        Trips table (sorted by vehicle and departure).
    persons : pandas.DataFrame
        ``vehicle_id, plate, home, work, worker, works_outside, kind``
        (``work`` is the home node id for non-workers, who have none; see
        ``worker``; a resident who works outside has the gateway it leaves by;
        ``kind`` is ``resident``, ``in-commuter``, ``through`` or ``visitor``, and a
        vehicle from outside has the gateway it comes in by as its home).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(10, 10, rng=np.random.default_rng(0))
    >>> trips, persons = population_trips(net, 50, 7, np.random.default_rng(1), zone_km=0.5)
    >>> len(persons), 1.5 < len(trips) / (50 * 7) < 3.5
    (50, True)
    """
    if vehicles < 1 or days < 1:
        raise DemandError(f"the population model needs vehicles >= 1 and days >= 1, got {vehicles} and {days}")
    if net.n_nodes < 2:
        raise DemandError("demand needs a network with at least two nodes")
    zones = grid_zones(net, zone_km, places_per_zone=places_per_zone)
    to_work = gravity_matrix(zones, work_decay_km)
    to_errand = gravity_matrix(zones, errand_decay_km)
    plates = make_plates(vehicles, rng)
    home = _homes(zones, vehicles, rng)
    worker = rng.random(vehicles) < worker_share
    work = np.where(worker, gravity_destinations(zones, to_work, home, rng), home)
    works_outside = np.zeros(vehicles, bool)
    outsiders = in_commuter_share > 0 or through_share > 0 or visitor_share > 0
    if outsiders or out_commuter_share > 0:
        gateways = gateway_nodes(net) if gateways is None else gateways
        if out_commuter_share > 0:
            works_outside = worker & (rng.random(vehicles) < out_commuter_share)
            work[works_outside] = nearby_gateways(net, gateways, home[works_outside], work_decay_km, rng)
    ids = np.arange(vehicles)
    parts = []

    def tour(who: np.ndarray, depart: np.ndarray, dwell: np.ndarray, day: int) -> None:
        """home → errand → home for vehicles ``who`` leaving at ``depart`` (s within the day)."""
        place = gravity_destinations(zones, to_errand, home[who], rng)
        parts.append(pd.DataFrame({"vehicle_id": ids[who], "o": home[who], "d": place,
                                   "depart_s": day * DAY_S + depart}))
        parts.append(pd.DataFrame({"vehicle_id": ids[who], "o": place, "d": home[who],
                                   "depart_s": day * DAY_S + depart + dwell}))

    for day in range(days):
        weekend = (first_weekday + day) % 7 >= 5
        if weekend:
            n_tours = rng.choice(3, size=vehicles, p=WEEKEND_TOURS)
            window = (10.0, 20.0)
        else:
            n_tours = np.where(worker, 0, rng.choice(3, size=vehicles, p=NONWORKER_TOURS))
            window = (9.0, 19.0)
            commuters = np.flatnonzero(worker)
            commutes, out_who, out_at = _commutes(commuters, home, work, zones, to_errand, day, rng)
            parts += commutes
            tour(out_who, out_at, rng.uniform(1800, 7200, len(out_who)), day)
        first = np.flatnonzero(n_tours >= 1)
        start = rng.uniform(*window, len(first)) * 3600
        tour(first, start, rng.uniform(1200, 5400, len(first)), day)
        again = n_tours[first] >= 2  # the second tour starts after the first one's likely end
        later = np.maximum(rng.uniform(*window, int(again.sum())) * 3600, start[again] + 3 * 3600)
        tour(first[again], later, rng.uniform(1200, 5400, int(again.sum())), day)
    persons = pd.DataFrame({"vehicle_id": ids, "home": home, "work": work, "worker": worker,
                            "works_outside": works_outside, "kind": "resident"})
    if gateways is not None and outsiders:
        inside_jobs = int((worker & ~works_outside).sum())
        outside_trips, outside = external_vehicles(
            net, gateways,
            in_commuters=int(round(inside_jobs * in_commuter_share / (1 - in_commuter_share))),
            through_share=through_share, days=days, first_weekday=first_weekday, first_vehicle=vehicles,
            work_place=lambda origin, r: gravity_destinations(zones, to_work, origin, r), rng=rng,
            visitors=visitor_share * vehicles,
            visit_place=lambda origin, r: gravity_destinations(zones, to_errand, origin, r))
        parts.append(outside_trips)
        persons = pd.concat([persons, outside], ignore_index=True)
        plates = np.concatenate([plates, more_plates(len(outside), set(plates), rng)])
    table = pd.concat(parts, ignore_index=True)
    if gateways is not None:  # which trips cross the area's edge: the outsiders' (marked) and the out-commutes
        outside_job = np.full(len(persons), -1, np.int64)
        outside_job[np.flatnonzero(works_outside)] = work[works_outside]
        job = outside_job[table["vehicle_id"].to_numpy()]
        for end, node in (("from_outside", "o"), ("to_outside", "d")):
            marked = table[end].fillna(False).to_numpy(bool) if end in table.columns else np.zeros(len(table), bool)
            table[end] = marked | ((job >= 0) & (table[node].to_numpy() == job))
    trips = _trips_table(net, table, plates)
    persons = persons.assign(plate=plates, home=net.nodes[persons["home"].to_numpy()],
                             work=net.nodes[persons["work"].to_numpy()])
    return trips, persons[["vehicle_id", "plate", "home", "work", "worker", "works_outside", "kind"]]


def more_plates(n: int, taken: set[str], rng: np.random.Generator) -> np.ndarray:
    """``n`` more distinct plates, none of them in ``taken``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> first = make_plates(5, rng)
    >>> more = more_plates(5, set(first), rng)
    >>> len(set(first) | set(more))
    10
    """
    out: list[str] = []
    while len(out) < n:
        fresh = [p for p in make_plates(n - len(out), rng) if p not in taken]
        taken = taken | set(fresh)
        out += fresh
    return np.array(out, dtype=object)


def _commutes(
    commuters: np.ndarray, home: np.ndarray, work: np.ndarray, zones: Any, to_errand: Any, day: int,
    rng: np.random.Generator,
) -> tuple[list[pd.DataFrame], np.ndarray, np.ndarray]:
    """A weekday's commutes (home → work → maybe an errand → home), and who goes out in the evening, when."""
    leave = np.clip(rng.normal(7.75, 0.75, len(commuters)), 5.0, 11.0) * 3600
    back = leave + np.clip(rng.normal(9.0, 0.75, len(commuters)), 4.0, 12.0) * 3600
    errand = rng.random(len(commuters)) < ERRAND_AFTER_WORK
    stop = gravity_destinations(zones, to_errand, work[commuters], rng)
    via = np.where(errand, stop, home[commuters])
    e = np.flatnonzero(errand)
    parts = [
        pd.DataFrame({"vehicle_id": commuters, "o": home[commuters], "d": work[commuters],
                      "depart_s": day * DAY_S + leave}),
        pd.DataFrame({"vehicle_id": commuters, "o": work[commuters], "d": via, "depart_s": day * DAY_S + back}),
        pd.DataFrame({"vehicle_id": commuters[e], "o": stop[e], "d": home[commuters[e]],
                      "depart_s": day * DAY_S + back[e] + rng.uniform(900, 2700, len(e))}),
    ]
    # an evening outing, at least an hour after getting home (none after 22:30)
    home_by = back + np.where(errand, 2700.0, 0.0) + 3600.0
    out_at = np.maximum(np.clip(rng.normal(19.5, 0.75, len(commuters)), 18.5, 22.5) * 3600, home_by)
    evening = (rng.random(len(commuters)) < EVENING_OUTING) & (out_at <= 22.5 * 3600)
    return parts, commuters[evening], out_at[evening]


def tntp_trips(
    net: RoadNetwork, od: pd.DataFrame, trips: int, days: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Individual trips sampled from an OD matrix (``origin, destination, flow``).

    Each day draws ``trips`` trips from a multinomial over the OD cells with
    probabilities proportional to ``flow`` (so expected counts are
    ``trips * flow / total``); departures follow the morning/evening peak
    profile; every trip is its own vehicle. Zone ids must be node ids.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> od = pd.DataFrame({"origin": [0, 1], "destination": [8, 7], "flow": [300.0, 100.0]})
    >>> t = tntp_trips(net, od, 1000, 1, np.random.default_rng(0))
    >>> 700 < int((t["origin"] == 0).sum()) < 800
    True
    """
    if trips < 1 or days < 1:
        raise DemandError(f"demand needs trips >= 1 and days >= 1, got trips={trips}, days={days}")
    od = od[od["origin"] != od["destination"]]
    origin = net.node_indices(od["origin"])
    destination = net.node_indices(od["destination"])
    unknown = (origin < 0) | (destination < 0)
    if unknown.any():
        bad = od[unknown].iloc[0]
        raise DemandError(
            f"OD matrix names zone(s) not in the network (e.g. {int(bad['origin'])} → {int(bad['destination'])})"
        )
    flow = od["flow"].to_numpy(float)
    if not flow.sum() > 0:
        raise DemandError("the OD matrix has no positive flow")
    parts = []
    for day in range(days):
        counts = rng.multinomial(trips, flow / flow.sum())
        cells = np.repeat(np.arange(len(flow)), counts)
        evening = rng.random(len(cells)) < 0.5
        depart = np.where(evening, _peak_times(len(cells), EVENING_PEAK, rng),
                          _peak_times(len(cells), MORNING_PEAK, rng))
        parts.append(pd.DataFrame({"o": origin[cells], "d": destination[cells], "depart_s": day * DAY_S + depart}))
    table = pd.concat(parts, ignore_index=True).sort_values("depart_s", kind="stable", ignore_index=True)
    n = len(table)
    return pd.DataFrame({
        "trip_id": np.arange(n, dtype=np.int64),
        "vehicle_id": np.arange(n, dtype=np.int64),
        "plate": make_plates(n, rng),
        "origin": net.nodes[table["o"].to_numpy()],
        "destination": net.nodes[table["d"].to_numpy()],
        "depart_s": table["depart_s"].to_numpy(float),
    })


def simulated_days(scenario: Scenario, trips: pd.DataFrame) -> int:
    """Days of demand: the scenario's ``demand.days``, or the days spanned by a trips file's departures.

    Trips that start before midnight and end after it do not add a day.
    """
    if scenario.demand.model != "file":
        return scenario.demand.days
    return max(1, int(trips["depart_s"].max() // DAY_S) + 1)
