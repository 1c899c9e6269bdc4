"""The demand stage: the trips (and, for the population model, the vehicles with their homes and work places).

With a reads target (``demand.target_reads_per_camera_per_day``) or traffic counts (``demand.counts``), the
number of trips or vehicles is calibrated on pilot runs first (:func:`calibrated_demand`). A reads target is
per camera, so the pilot also places the cameras: they are handed on in :attr:`Demand.pilot_cameras`, and the
cameras stage keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import ScenarioError
from sim.cameras import watch_pairs
from sim.demand import gravity_trips, population_trips, tntp_trips, uniform_trips
from sim.io.trips import read_trips_csv
from sim.io.counts import counts_per_trip, fit_scale, read_counts
from sim.io.tntp import read_tntp_trips
from sim.network import RoadNetwork
from sim.routing import Routes, route_crossings
from sim.scenario import Scenario
from sim.stages.cameras import Cameras, build_cameras
from sim.stages.routes import scenario_routes


@dataclass(frozen=True)
class Demand:
    """The trips of a run (sorted by vehicle and departure), and how they came to be."""

    trips: pd.DataFrame
    #: population model: ``vehicle_id, plate, home, work, worker`` (``None`` for the other models)
    persons: pd.DataFrame | None = None
    #: how trips per day were calibrated (``None``: not calibrated)
    calibration: dict[str, Any] | None = None
    #: the cameras a calibration placed on its pilot (the cameras stage keeps them)
    pilot_cameras: Cameras | None = None


def build_demand(scenario: Scenario, net: RoadNetwork, rngs: Mapping[str, np.random.Generator]) -> Demand:
    """The scenario's demand (the ``demand`` stream; a calibration's pilots also draw routes and cameras)."""
    spec = scenario.demand
    if spec.target_reads_per_camera_per_day is None and spec.counts is None:
        trips, persons = scenario_trips(scenario, net, rngs["demand"])
        return Demand(trips, persons)
    return calibrated_demand(scenario, net, rngs)


def scenario_trips(
    scenario: Scenario, net: RoadNetwork, rng: np.random.Generator, *, vehicles: int | None = None,
    days: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The scenario's trips table, and for the population model its vehicles (home, work).

    ``vehicles`` and ``days`` replace the scenario's (a calibrated fleet, a one-day pilot).
    """
    spec = scenario.demand
    if spec.model == "file":
        return read_trips_csv(scenario.resolve(str(spec.path)), net, rng), None
    if spec.model == "tntp":
        return tntp_trips(net, read_tntp_trips(scenario.resolve(str(spec.path))), spec.trips, spec.days, rng), None
    if spec.model == "gravity":
        return gravity_trips(net, spec.trips, spec.days, rng, decay_km=spec.decay_km, zone_km=spec.zone_km), None
    if spec.model == "population":
        return population_trips(net, int(vehicles or spec.vehicles or 0), days or spec.days, rng,
                                first_weekday=scenario.start.weekday(),
                                worker_share=spec.worker_share, work_decay_km=spec.work_decay_km,
                                errand_decay_km=spec.decay_km, zone_km=spec.zone_km,
                                in_commuter_share=spec.in_commuter_share, through_share=spec.through_share,
                                visitor_share=spec.visitor_share,
                                out_commuter_share=spec.out_commuter_share,
                                gateways=None if spec.gateways is None else gateway_indices(net, spec.gateways))
    return uniform_trips(net, spec.trips, spec.days, rng), None


def gateway_indices(net: RoadNetwork, nodes: list[int | str]) -> np.ndarray:
    """``demand.gateways`` as node indices; a :class:`ScenarioError` names the ids not in the network."""
    index = net.node_indices(nodes)
    missing = [n for n, i in zip(nodes, index) if i < 0]
    if missing:
        raise ScenarioError(f"demand.gateways: node(s) {', '.join(map(repr, missing[:5]))} are not in the road "
                            "network; give node ids of the network (nodes.parquet of a run lists them)")
    return index


def calibrated_demand(scenario: Scenario, net: RoadNetwork, rngs: Mapping[str, np.random.Generator]) -> Demand:
    """Demand with trips per day calibrated on a pilot run (a reads target, or counts).

    The pilot (``demand.pilot_trips`` trips) places the cameras and measures
    the expected reads per trip, or each counted road's volume per trip;
    trips per day are then set so the cameras log
    ``target_reads_per_camera_per_day`` on average, or so simulated volumes
    fit the counts (least squares).
    """
    spec = scenario.demand
    population = spec.model == "population"
    pilot = _pilot(scenario, net, rngs["demand"])
    pilot_routes = scenario_routes(scenario, net, pilot, rngs["routes"])
    cameras = build_cameras(scenario, net, pilot_routes, rngs["cameras"])
    calibration: dict[str, Any] = {"pilot_vehicles": spec.pilot_vehicles} if population else {
        "pilot_trips": spec.pilot_trips}
    if spec.counts is not None:
        counts = read_counts(scenario.resolve(spec.counts), net, max_snap_m=spec.counts_max_snap_m)
        volume = np.bincount(pilot_routes.edges, minlength=net.n_edges) / spec.pilot_trips
        modelled, observed = counts_per_trip(counts, volume)
        units = max(1, int(round(fit_scale(modelled, observed))))
        calibration |= {"counts": spec.counts, "n_counts": int(len(observed)), "fitted_trips_per_day":
                        fit_scale(modelled, observed)}
    else:
        # measured on a second, independent pilot: the first one chose the cameras (its busiest roads) and
        # would overstate how many reads a trip makes (a winner's curse, larger when routes vary)
        check = _pilot(scenario, net, rngs["demand"])
        per_trip = expected_reads_per_trip(net, cameras.layout, scenario_routes(scenario, net, check, rngs["routes"]))
        if per_trip <= 0:
            raise ScenarioError(f"{scenario.name}: cannot calibrate demand: the pilot trips pass no camera")
        # the unit scaled is a trip (uniform) or a vehicle of the population, with its day of trips
        per_unit = per_trip * len(check) / spec.pilot_vehicles if population else per_trip
        # a sample of the fleet (sample_share) logs that share of the real reads
        target = float(spec.target_reads_per_camera_per_day or 0) * spec.sample_share
        units = max(1, int(round(target * len(cameras.layout) / per_unit)))
        calibration |= {"target_reads_per_camera_per_day": spec.target_reads_per_camera_per_day,
                        "expected_reads_per_trip": per_trip}
        if population:
            calibration["expected_reads_per_vehicle_day"] = per_unit
    persons = None
    if population:
        calibration["vehicles"] = units
        trips, persons = scenario_trips(scenario, net, rngs["demand"], vehicles=units)
    else:
        calibration["trips_per_day"] = units
        trips = uniform_trips(net, units, spec.days, rngs["demand"])
    return Demand(trips, persons, calibration, cameras)


def _pilot(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> pd.DataFrame:
    """One day of pilot trips: ``pilot_trips`` uniform trips, or a day of ``pilot_vehicles`` of the population."""
    spec = scenario.demand
    if spec.model == "population":
        return scenario_trips(scenario, net, rng, vehicles=spec.pilot_vehicles, days=1)[0]
    return uniform_trips(net, spec.pilot_trips, 1, rng)


def expected_reads_per_trip(net: RoadNetwork, layout: pd.DataFrame, routes: Routes) -> float:
    """Mean over trips of the expected number of reads (sum of read rates of the cameras passed)."""
    camera, edge, backward = watch_pairs(layout, net)
    crossings = route_crossings(net, routes, camera, edge, backward)
    n = len(routes.travel_time)
    return float(layout["read_rate"].to_numpy()[crossings.camera].sum() / n) if n else 0.0
