"""What a scenario needs before anything is built: intersections, trips, routes kept, memory.

``curtain validate`` and ``curtain run`` call :func:`check_size` before the
network is built, so a size typed by mistake (``network.rows = 100000``,
``demand.trips = 1000000000``) is refused in one line that names the key, its
value, the estimate and a fix, instead of a minute of building and a
``MemoryError``. A network read from a file is sized once it is read
(:func:`check_size` with ``n_nodes``).

The memory model is deliberately simple and measured, not derived
(``curtain run`` peak RSS on 2 cores, 2026-12-06):

- a base of about 0.35 GB (Python, numpy, pandas, matplotlib, numba);
- about 25 kB per intersection for the whole run (the networkx graph alone
  is about 7 kB; its arrays, routing trees and figures the rest): a 100 × 100
  grid peaked at 0.51 GB, a 200 × 200 grid at 1.18 GB;
- about 1.2 kB per trip of the run (trips × days: the trip, its reads and
  per-trip metrics), plus 24 bytes per edge of each route kept: 5,000 and
  100,000 trips on the 20 × 20 grid peaked at 0.41 and 0.57 GB; the
  Westchester whole fleet's week (9.1 million trips, a route sample) at
  13.3 GB (docs/scale.md).

It is meant to tell 1 GB from 100 GB, not 1.0 GB from 1.2 GB. The limit is
90 % of the machine's memory, or ``CURTAIN_MEMORY_GB`` when set.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from sim._errors import ScenarioError

BASE_BYTES = 0.35e9
BYTES_PER_INTERSECTION = 25e3
BYTES_PER_TRIP = 1.2e3
BYTES_PER_ROUTE_EDGE = 24.0
#: population model: trips a vehicle makes a day, on average over a week (measured: 2.4)
TRIPS_PER_VEHICLE_DAY = 2.5


@dataclass(frozen=True)
class SizeEstimate:
    """What a scenario needs: intersections (``None``: known once a file is read), trips, routes kept, bytes.

    ``network_key`` and ``demand_key`` name the keys the two sizes come from, as a user would type them.
    """

    intersections: int | None
    network_key: str
    trips: int | None
    demand_key: str
    routes_kept: int | None
    memory_bytes: float


def machine_memory_bytes() -> float:
    """The memory a run may use: ``CURTAIN_MEMORY_GB`` if set, else 90 % of the machine's physical memory."""
    given = os.environ.get("CURTAIN_MEMORY_GB")
    if given:
        try:
            value = float(given)
        except ValueError:
            raise ScenarioError(f"CURTAIN_MEMORY_GB = {given!r} is not a number of gigabytes; e.g. "
                                "CURTAIN_MEMORY_GB=8") from None
        if not value > 0:
            raise ScenarioError(f"CURTAIN_MEMORY_GB = {given!r} must be above 0; e.g. CURTAIN_MEMORY_GB=8")
        return value * 1e9
    return 0.9 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def synthetic_intersections(network: Any) -> tuple[int | None, str]:
    """Intersections a synthetic ``[network]`` will have (within about 10 %), and the keys that set them.

    Examples
    --------
    >>> from sim.scenario import NetworkSpec
    >>> synthetic_intersections(NetworkSpec(rows=20, cols=30))
    (600, 'network.rows × network.cols')
    >>> synthetic_intersections(NetworkSpec(source="graphml", path="x.graphml"))
    (None, 'network.path')
    """
    n = network
    if n.source != "synthetic":
        return None, "network.path" if n.path else f"network.source = {n.source!r}"
    grid = n.rows * n.cols
    towns = n.towns * n.town_rows * n.town_cols
    # a county: its towns (with cul-de-sacs, +25 %) and its arterial grid (with motorways and interchanges, +50 %)
    county = 1.25 * towns + 1.5 * (n.size_km / n.arterial_km + 1) ** 2
    if n.kind in ("grid", "river") or (n.kind == "city_line" and n.west == "grid"):
        return grid, "network.rows × network.cols"
    if n.kind == "city_line":
        return (int(grid + county),
                "network.rows × network.cols and the west county's size_km, towns, town_rows, town_cols")
    if n.kind == "radial":
        return n.rings * n.spokes + 1, "network.rings × network.spokes"
    if n.kind == "corridor":
        return int(1.25 * towns), "network.towns × network.town_rows × network.town_cols"
    return (int(county),
            "network.towns × network.town_rows × network.town_cols and network.size_km / network.arterial_km")


def estimate_size(scenario: Any, n_nodes: int | None = None) -> SizeEstimate:
    """What ``scenario`` needs; ``n_nodes`` when the network is built (else estimated from its keys).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> e = estimate_size(load_scenario(overrides=["network.rows=100", "network.cols=100", "demand.days=2"]))
    >>> e.intersections, e.trips, e.routes_kept, round(e.memory_bytes / 1e9, 2)
    (10000, 10000, 10000, 0.63)
    """
    if n_nodes is None:
        intersections, network_key = synthetic_intersections(scenario.network)
    else:
        intersections, network_key = n_nodes, "the network"
    demand = scenario.demand
    days = demand.days
    trips: int | None
    kept_vehicles: int | None = None
    if demand.model == "population":
        vehicles = demand.vehicles if demand.vehicles is not None else demand.pilot_vehicles
        trips = math.ceil(vehicles * TRIPS_PER_VEHICLE_DAY * days)
        demand_key = "demand.vehicles × demand.days" if days > 1 else "demand.vehicles"
        kept_vehicles = vehicles
    elif demand.model == "file" or demand.counts is not None:
        trips, demand_key = None, "demand.path" if demand.model == "file" else "demand.counts"
    else:
        trips = demand.trips * days
        demand_key = "demand.trips × demand.days" if days > 1 else "demand.trips"
    routes_kept: int | None = trips
    sample = scenario.metrics.route_sample
    if trips is not None and sample != "all":
        # a route sample keeps whole vehicles: at most its share of the trips
        vehicles_total = kept_vehicles if kept_vehicles is not None else trips
        routes_kept = trips if vehicles_total <= sample else math.ceil(trips * sample / vehicles_total)
    memory = BASE_BYTES
    if intersections is not None:
        memory += BYTES_PER_INTERSECTION * intersections
        route_edges = 0.67 * math.sqrt(intersections)  # a grid's mean trip, in edges
        memory += BYTES_PER_ROUTE_EDGE * route_edges * (routes_kept or 0)
    memory += BYTES_PER_TRIP * (trips or 0)
    return SizeEstimate(intersections, network_key, trips, demand_key, routes_kept, memory)


def _gb(value: float) -> str:
    """``'1.2 GB'``, ``'140 GB'``, ``'230 TB'``: bytes as a reader says them."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9)):
        if value >= scale or unit == "GB":
            amount = value / scale
            return f"{amount:,.1f} {unit}" if amount < 10 else f"{amount:,.0f} {unit}"
    raise AssertionError("unreachable")


def check_size(scenario: Any, n_nodes: int | None = None) -> SizeEstimate:
    """Refuse (:class:`ScenarioError`, one line) a scenario whose estimate does not fit this machine's memory.

    Names the key that makes it too big, its value, the estimate and a fix. Returns the estimate.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> check_size(load_scenario(overrides=["network.rows=100000", "network.cols=100000"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim._errors.ScenarioError: ...: network.rows × network.cols = 10,000,000,000 intersections needs about 250 TB...
    """
    estimate = estimate_size(scenario, n_nodes)
    limit = machine_memory_bytes()
    if estimate.memory_bytes <= limit:
        return estimate
    network_part = BYTES_PER_INTERSECTION * (estimate.intersections or 0)
    machine = f"this machine allows {_gb(limit)} (CURTAIN_MEMORY_GB to change)"
    if network_part >= estimate.memory_bytes - network_part - BASE_BYTES:
        if n_nodes is None:
            fix = ("teaching cities have up to a few thousand intersections: make the city smaller"
                   if scenario.network.kind in ("grid", "river", "city_line", "radial") else
                   "a county of Westchester's size has about 10,000: make it smaller")
            what = f"{estimate.network_key} = {estimate.intersections:,} intersections"
        else:
            fix = "clip the network to a smaller area (a bounding box or polygon)"
            what = f"{estimate.network_key} has {estimate.intersections:,} intersections and"
        raise ScenarioError(f"{scenario.name}: {what} needs about {_gb(estimate.memory_bytes)} of memory; "
                            f"{machine}; {fix}")
    if scenario.demand.model == "population":
        value = f"{scenario.demand.vehicles:,} vehicles" + (f" × {scenario.demand.days:,} days"
                                                            if scenario.demand.days > 1 else "")
        value += f" (about {estimate.trips:,} trips)"
        fix = ("simulate a sample of the fleet (demand.sample_share, e.g. 0.1, with vehicles reduced to match) "
               "or fewer days")
    else:
        value = f"{scenario.demand.trips:,} trips" + (f" × {scenario.demand.days:,} days = {estimate.trips:,} trips"
                                                      if scenario.demand.days > 1 else "")
        fix = "a city's day is 10,000 to a few million trips: fewer trips or fewer days"
    raise ScenarioError(f"{scenario.name}: {estimate.demand_key} = {value} needs "
                        f"about {_gb(estimate.memory_bytes)} of memory; {machine}; {fix}")
