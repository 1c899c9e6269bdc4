"""The routes stage: which way every trip goes (``traffic.route_noise``, ``route_classes``), on a network that
is congested at the user equilibrium when ``traffic.congestion = "ue"``.

Every route is kept, or with more vehicles than ``metrics.route_sample`` only a stratified sample's
(:func:`route_sample_mask`): the other trips are routed by the traffic stage as it drives them, keeping only
their camera crossings, travel time and length (their routes would not fit in memory for a county's week).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import distinct
from sim._errors import ScenarioError
from sim.assignment import user_equilibrium, with_travel_times
from sim.demand import simulated_days
from sim.network import RoadNetwork
from sim.progress import counting
from sim.routing import Routes, choose_routes, driver_classes, kept_routes
from sim.routing.choice import DriverClass
from sim.scenario import Scenario
from sim.seeds import named_rng

#: Strata of :func:`route_sample_mask`: vehicles with 1, 2, …, up to this many trips or more.
ROUTE_SAMPLE_STRATA = 8

@dataclass(frozen=True)
class Routed:
    """The routes of a run, and the network they were chosen on."""

    #: the network vehicles drive on (congested travel times with ``traffic.congestion = "ue"``)
    net: RoadNetwork
    #: row ``i`` is trip ``i``. With a route sample: the sample's routes when cameras are still to be placed on
    #: them (``routes.kept``), else ``None``: the traffic stage routes every trip as it drives it
    routes: Routes | None
    #: the trips whose routes are kept (``None``: every trip's)
    kept: np.ndarray | None = None
    #: the driver classes (drawn here, once; the traffic stage routes the trips outside the sample with them)
    classes: list[DriverClass] = field(default_factory=list)
    #: the equilibrium reached, for ``metrics.json`` (``None``: free flow)
    congestion: dict[str, Any] | None = None
    #: the route sample's size, for ``metrics.json`` (``None``: every route is kept)
    sample: dict[str, Any] | None = None


def route_trips(
    scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, rngs: Mapping[str, np.random.Generator], *,
    for_placement: bool = True,
) -> Routed:
    """The routes of ``trips`` (the ``routes`` stream): every one; or with a route sample, the sample's when
    ``for_placement`` (cameras are still to be placed on routes), else none yet (see :class:`Routed`)."""
    congestion = None
    if scenario.traffic.congestion == "ue":
        net, congestion = congested(scenario, net, trips)
    kept = route_sample_mask(scenario, trips)
    if kept is None:
        return Routed(net, scenario_routes(scenario, net, trips, rngs["routes"]), congestion=congestion)
    if scenario.patrols:
        raise ScenarioError(
            f"{scenario.name}: patrol cars meet vehicles anywhere along their routes, so a run with [[patrols]] "
            f"keeps every route; set metrics.route_sample = \"all\" (the run has "
            f"{trips['vehicle_id'].nunique():,} vehicles, over the route sample of {scenario.metrics.route_sample:,})")
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    classes = driver_classes(net, len(trips), noise=scenario.traffic.route_noise,
                             classes=scenario.traffic.route_classes, rng=rngs["routes"])
    routes = None
    if for_placement:  # placed on the sample's routes, found first (the other trips are routed once, later)
        with counting("trips routed", int(kept.sum())):
            routes = kept_routes(net, origins, destinations, kept, classes)
    vehicles = trips["vehicle_id"].to_numpy()
    sample = {
        "vehicles": int(len(distinct(vehicles[kept]))), "of_vehicles": int(len(distinct(vehicles))),
        "trips": int(kept.sum()), "of_trips": int(len(kept)), "strata": "trips per vehicle",
    }
    return Routed(net, routes, kept, classes, congestion, sample)


def scenario_routes(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, rng: np.random.Generator) -> Routes:
    """Every route the scenario's drivers take (``traffic.route_noise``, ``route_classes``)."""
    with counting("trips routed", len(trips)):
        return choose_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]),
                             noise=scenario.traffic.route_noise, classes=scenario.traffic.route_classes, rng=rng)


def congested(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame) -> tuple[RoadNetwork, dict[str, Any]]:
    """The network at the user equilibrium of the peak hour (``traffic.peak_hour_share`` of a day's trips)."""
    spec = scenario.traffic
    n_days = simulated_days(scenario, trips)
    od = pd.DataFrame({"o": net.node_indices(trips["origin"]), "d": net.node_indices(trips["destination"])})
    od = od[od["o"] != od["d"]].value_counts().reset_index(name="n").sort_values(["o", "d"], ignore_index=True)
    hourly = od["n"].to_numpy(float) / n_days * spec.peak_hour_share
    result = user_equilibrium(net, od["o"].to_numpy(), od["d"].to_numpy(), hourly, gap=spec.ue_gap)
    info = {
        "relative_gap": result.relative_gap,
        "iterations": result.iterations,
        "peak_hour_vehicles": float(hourly.sum()),
        "delay_ratio": float(result.travel_time @ result.flow / (net.edge_time @ result.flow))
        if result.flow.sum() > 0 else None,
    }
    return with_travel_times(net, result.travel_time), info


def route_sample_mask(scenario: Scenario, trips: pd.DataFrame) -> np.ndarray | None:
    """Which trips keep their routes: every trip of ``metrics.route_sample`` vehicles (``None``: all of them).

    The vehicles are a random sample stratified by how many trips they make (1, 2, …,
    :data:`ROUTE_SAMPLE_STRATA` or more), allocated in proportion (largest remainders), so the sample's mix
    of short and long days is the fleet's. The draw has its own stream (``named_rng(seed, "route_sample")``).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> s = load_scenario(overrides=["metrics.route_sample=3"])
    >>> trips = pd.DataFrame({"vehicle_id": [0, 1, 1, 2, 2, 3, 3, 4, 4, 5]})  # 2 one-trip cars, 4 two-trip cars
    >>> kept = route_sample_mask(s, trips)
    >>> int(trips["vehicle_id"][kept].nunique()), int(kept.sum())   # 1 one-trip car, 2 two-trip cars
    (3, 5)
    """
    limit = scenario.metrics.route_sample
    vehicle_of_trip = trips["vehicle_id"].to_numpy()
    vehicles, code, n_trips = np.unique(vehicle_of_trip, return_inverse=True, return_counts=True)
    if limit == "all" or int(limit) >= len(vehicles):
        return None
    rng = named_rng(scenario.seed, "route_sample")
    stratum = np.minimum(n_trips, ROUTE_SAMPLE_STRATA)
    sizes = np.bincount(stratum, minlength=ROUTE_SAMPLE_STRATA + 1)
    quota = sizes * int(limit) / len(vehicles)
    take = np.floor(quota).astype(np.int64)
    short = int(limit) - int(take.sum())
    take[np.argsort(-(quota - take), kind="stable")[:short]] += 1  # largest remainders
    chosen = np.zeros(len(vehicles), bool)
    for s in np.flatnonzero(take):
        chosen[rng.choice(np.flatnonzero(stratum == s), int(take[s]), replace=False)] = True
    return chosen[code]
