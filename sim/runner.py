"""Run a scenario end to end and write its output directory.

road network → cameras → demand → traffic (SimPy) → reads → access →
reconstruction → metrics → figures and report. The output directory is
written atomically: into a temporary sibling, renamed into place only when
every file is complete.
"""

from __future__ import annotations

import json
import logging
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import access as access_stage
from sim._atomic import atomic_directory, check_output_folder
from sim._rng import stage_rngs
from sim._errors import CameraError, ScenarioError
from sim.cameras import (
    CAMERA_COLUMNS, layout_geojson, not_installed, read_cameras_csv, read_cameras_geojson, validate_layout, watch_pairs,
)
from sim.district import directed_seal_cuts, district_mask, far_from, sealed_directions, seal_cut
from sim._time import DAY_S
from sim.demand import gravity_trips, population_trips, read_trips_csv, tntp_trips, uniform_trips
from sim.metrics import (
    area_labels, area_summary, camera_free_pairs, exposure_by_area, exposure_by_length, fleet_metrics,
    home_inference, long_trip_exposure, misread_matching, person_metrics, searcher_reads, summary_metrics,
    time_to_first_read, trip_metrics, trip_split_accuracy, unique_plates, work_inference,
)
from sim.intervals import add_share
from sim.io import load_network
from sim.io.run import write_json, write_parquet, write_reads
from sim.network import RoadNetwork, Routes, edge_jurisdiction, edges_frame, fastest_routes
from sim.placement import place_camera_group
from sim.reads import read_passes
from sim.reconstruct import Reconstruction, reconstruct
from sim.scenario import CameraSpec, Scenario
from sim.traffic import (
    camera_outages, choose_routes, drive_patrols, during_outage, patrol_beats, patrol_encounters, route_crossings,
    simulate,
)

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class RunResult:
    """What a run produced: where, the summary metrics and stage wall times (s)."""

    out_dir: Path
    metrics: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Simulation:
    """Every table of a run, in memory (for notebooks and tests)."""

    scenario: Scenario
    net: RoadNetwork
    layout: pd.DataFrame
    trips: pd.DataFrame
    routes: Routes
    reads: pd.DataFrame
    recon: Reconstruction
    trip_table: pd.DataFrame
    metrics: dict[str, Any]
    timings: dict[str, float]
    access: Any = None
    #: agency → boolean mask of the reads it can search
    visible: dict[str, np.ndarray] = field(default_factory=dict)
    #: more per-vehicle or per-area tables, each written as ``<name>.parquet``
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_network(scenario: Scenario, rng: np.random.Generator) -> RoadNetwork:
    """The scenario's road network."""
    return load_network(scenario.network, scenario.resolve, rng)


def build_cameras(
    scenario: Scenario, net: RoadNetwork, routes: Routes, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """The scenario's camera layout (every group), GeoJSON points that did not snap (if any), and per group
    (by camera-id prefix) how the spacing rule shaped a ranked placement."""
    layouts, unsnapped, placement = [], [], {}
    for i, spec in enumerate(scenario.all_cameras):
        prefix = group_prefix(i, spec)
        try:
            layout, missed, spacing = _camera_group(scenario, spec, net, routes, rng)
        except CameraError as exc:
            where = "cameras" if i == 0 else f"camera_groups[{i - 1}]"
            raise CameraError(f"{scenario.name}: {where} ({prefix}): {exc}") from None
        if spacing:
            placement[prefix] = spacing
        if spec.strategy != "file":
            layout["camera_id"] = [f"{prefix}-{cid.split('-', 1)[1]}" for cid in layout["camera_id"]]
        if spec.cost_per_camera is not None:
            layout["cost"] = spec.cost_per_camera
        layouts.append(layout)
        if missed is not None:
            unsnapped.append(missed)
    layout = pd.concat(layouts, ignore_index=True) if len(layouts) > 1 else layouts[0]
    if len(layouts) > 1:
        extra = [c for c in layout.columns if c not in CAMERA_COLUMNS]
        checked = validate_layout(layout, net, source=f"{scenario.name}: camera groups")
        layout = pd.concat([checked, layout[extra]], axis=1)
    return layout, (pd.concat(unsnapped, ignore_index=True) if unsnapped else None), placement


def group_prefix(i: int, spec: CameraSpec) -> str:
    """The camera-id prefix of the ``i``-th camera group (``cameras`` is 0): its own, or cam, cam2, cam3 …"""
    return spec.prefix or ("cam" if i == 0 else f"cam{i + 1}")


def _camera_group(
    scenario: Scenario, spec: CameraSpec, net: RoadNetwork, routes: Routes, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    if spec.strategy == "file":
        path = scenario.resolve(str(spec.path))
        if path.suffix.lower() in (".geojson", ".json"):
            return (*read_cameras_geojson(path, net, max_snap_m=spec.max_snap_m, read_rate=spec.read_rate), {})
        return read_cameras_csv(path, net), None, {}
    district = district_mask(net, spec.district.model_dump(), scenario.resolve) if spec.district else None
    allowed = None
    if spec.jurisdiction is not None:
        allowed = edge_jurisdiction(net) == spec.jurisdiction
        if not allowed.any():
            raise ScenarioError(f"{scenario.name}: no road has jurisdiction {spec.jurisdiction!r}")
    layout, spacing = place_camera_group(
        net, spec.strategy, count=spec.camera_count(), read_rate=spec.read_rate, rng=rng, routes=routes,
        district=district, buffer_m=spec.buffer_m, min_reads=spec.min_reads, allowed=allowed,
        min_spacing_m=spec.min_spacing_m, site=spec.site, approaches=spec.approaches,
        misread_rate=spec.misread_rate, direction=spec.direction, operator=spec.operator, vendor=spec.vendor,
    )
    return layout, None, spacing


@dataclass
class PatrolFleet:
    """One ``[[patrols]]`` entry, placed: its beats, each car's beat, and the cars' layout rows."""

    spec: Any
    beats: list[np.ndarray]
    car_beat: np.ndarray
    rows: np.ndarray


def add_patrol_readers(
    scenario: Scenario, net: RoadNetwork, layout: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[PatrolFleet]]:
    """Append a reader row (``kind = "mobile"``) per patrol car to the layout, and split the roads into beats.

    A car's row stands on an edge leaving the first node of its beat (its
    station, for maps); it watches no fixed road.
    """
    if not scenario.patrols:
        return layout, []
    fleets, rows = [], []
    first_row = len(layout)
    for i, spec in enumerate(scenario.patrols):
        nodes = None
        if spec.jurisdiction is not None:
            edges = np.flatnonzero(edge_jurisdiction(net) == spec.jurisdiction)
            if not len(edges):
                raise ScenarioError(f"{scenario.name}: patrols[{i}].jurisdiction: no road has jurisdiction "
                                    f"{spec.jurisdiction!r}")
            nodes = np.unique(np.concatenate([net.edge_u[edges], net.edge_v[edges]]))
        n_beats = spec.beats or spec.cars
        available = net.n_nodes if nodes is None else len(nodes)
        if n_beats > available:
            raise ScenarioError(f"{scenario.name}: patrols[{i}].beats = {n_beats} is more than the "
                                f"{available} intersections to patrol; use fewer beats")
        beats = patrol_beats(net, n_beats, rng, nodes=nodes)
        car_beat = np.arange(spec.cars) % len(beats)
        car_rows = first_row + len(rows) + np.arange(spec.cars)
        for car in range(spec.cars):
            station = beats[car_beat[car]][0]
            edge = int(np.flatnonzero(net.edge_u == station)[0])
            row = {"camera_id": f"{spec.prefix}-{car + 1}", "u": net.nodes[station],
                   "v": net.nodes[net.edge_v[edge]], "key": int(net.edge_key[edge]), "direction": "both",
                   "read_rate": spec.read_rate, "misread_rate": spec.misread_rate, "operator": spec.operator,
                   "vendor": spec.vendor, "kind": "mobile"}
            if spec.cost_per_car is not None:
                row["cost"] = spec.cost_per_car
            rows.append(row)
        fleets.append(PatrolFleet(spec, beats, car_beat, car_rows))
    out = pd.concat([layout, pd.DataFrame(rows)], ignore_index=True)
    out["kind"] = out["kind"].fillna("fixed")  # the cameras before the patrol rows are fixed
    duplicated = out["camera_id"][out["camera_id"].duplicated()].unique()
    if len(duplicated):
        raise ScenarioError(f"{scenario.name}: reader id(s) {', '.join(duplicated[:5])} used twice; give each "
                            "[[patrols]] entry its own prefix")
    return out, fleets


def patrol_passes(
    scenario: Scenario, net: RoadNetwork, fleets: list[PatrolFleet], trips: pd.DataFrame, routes: Routes,
    rng: np.random.Generator,
) -> list[pd.DataFrame]:
    """The passes of every patrol car: drive the shifts (SimPy), then find the vehicles met."""
    horizon = max(float(trips["arrive_s"].max()), scenario.demand.days * DAY_S)
    out = []
    for fleet in fleets:
        spec = fleet.spec
        log = drive_patrols(net, fleet.beats, fleet.car_beat, days=scenario.demand.days,
                            shift_start_s=spec.shift_start_h * 3600, shift_s=spec.shift_hours * 3600,
                            speed_factor=spec.speed_factor, rng=rng)
        out.append(patrol_encounters(net, log, trips, routes, car_camera=fleet.rows, parked=spec.read_parked,
                                     horizon_s=horizon))
    return out


def _routes(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, rng: np.random.Generator) -> Routes:
    return choose_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]),
                         noise=scenario.traffic.route_noise, classes=scenario.traffic.route_classes, rng=rng)


def expected_reads_per_trip(net: RoadNetwork, layout: pd.DataFrame, routes: Routes) -> float:
    """Mean over trips of the expected number of reads (sum of read rates of the cameras passed)."""
    camera, edge, backward = watch_pairs(layout, net)
    crossings = route_crossings(net, routes, camera, edge, backward)
    n = len(routes.travel_time)
    return float(layout["read_rate"].to_numpy()[crossings.camera].sum() / n) if n else 0.0


@dataclass
class Setup:
    """Demand, routes and cameras of a run (see :func:`calibrated_setup`)."""

    trips: pd.DataFrame
    routes: Routes
    layout: pd.DataFrame
    unsnapped: pd.DataFrame | None = None
    calibration: dict[str, Any] | None = None
    #: population model: ``vehicle_id, plate, home, work, worker``
    persons: pd.DataFrame | None = None
    #: the network vehicles drove on: congested travel times with ``traffic.congestion = "ue"``
    net: RoadNetwork | None = None
    congestion: dict[str, Any] | None = None
    #: per ranked camera group: the spacing asked for and achieved, and candidates it turned down
    placement: dict[str, Any] = field(default_factory=dict)


def congested(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame) -> tuple[RoadNetwork, dict[str, Any]]:
    """The network at the user equilibrium of the peak hour (``traffic.peak_hour_share`` of a day's trips)."""
    from sim.assignment import user_equilibrium, with_travel_times

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

def calibrated_setup(scenario: Scenario, net: RoadNetwork, rngs: dict[str, np.random.Generator]) -> Setup:
    """Demand, routes and cameras; with a reads target or counts, trips per day are calibrated on a pilot run.

    The pilot (``demand.pilot_trips`` trips) places the cameras and measures
    the expected reads per trip, or each counted road's volume per trip;
    trips per day are then set so the cameras log
    ``target_reads_per_camera_per_day`` on average, or so simulated volumes
    fit the counts (least squares).
    """
    spec = scenario.demand
    if spec.target_reads_per_camera_per_day is None and spec.counts is None:
        trips, persons = build_demand(scenario, net, rngs["demand"])
        net, congestion = congested(scenario, net, trips) if scenario.traffic.congestion == "ue" else (net, None)
        routes = _routes(scenario, net, trips, rngs["traffic"])
        layout, unsnapped, placement = build_cameras(scenario, net, routes, rngs["cameras"])
        return Setup(trips, routes, layout, unsnapped, None, persons, net, congestion, placement)
    population = spec.model == "population"
    pilot = _pilot(scenario, net, rngs["demand"])
    pilot_routes = _routes(scenario, net, pilot, rngs["traffic"])
    layout, unsnapped, placement = build_cameras(scenario, net, pilot_routes, rngs["cameras"])
    calibration: dict[str, Any] = {"pilot_vehicles": spec.pilot_vehicles} if population else {
        "pilot_trips": spec.pilot_trips}
    if spec.counts is not None:
        from sim.io.counts import counts_per_trip, fit_scale, read_counts

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
        per_trip = expected_reads_per_trip(net, layout, _routes(scenario, net, check, rngs["traffic"]))
        if per_trip <= 0:
            raise ScenarioError(f"{scenario.name}: cannot calibrate demand: the pilot trips pass no camera")
        # the unit scaled is a trip (uniform) or a vehicle of the population, with its day of trips
        per_unit = per_trip * len(check) / spec.pilot_vehicles if population else per_trip
        # a sample of the fleet (sample_share) logs that share of the real reads
        target = spec.target_reads_per_camera_per_day * spec.sample_share
        units = max(1, int(round(target * len(layout) / per_unit)))
        calibration |= {"target_reads_per_camera_per_day": spec.target_reads_per_camera_per_day,
                        "expected_reads_per_trip": per_trip}
        if population:
            calibration["expected_reads_per_vehicle_day"] = per_unit
    persons = None
    if population:
        calibration["vehicles"] = units
        trips, persons = build_demand(scenario, net, rngs["demand"], vehicles=units)
    else:
        calibration["trips_per_day"] = units
        trips = uniform_trips(net, units, spec.days, rngs["demand"])
    net, congestion = congested(scenario, net, trips) if scenario.traffic.congestion == "ue" else (net, None)
    routes = _routes(scenario, net, trips, rngs["traffic"])
    return Setup(trips, routes, layout, unsnapped, calibration, persons, net, congestion, placement)


def _pilot(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> pd.DataFrame:
    """One day of pilot trips: ``pilot_trips`` uniform trips, or a day of ``pilot_vehicles`` of the population."""
    spec = scenario.demand
    if spec.model == "population":
        return build_demand(scenario, net, rng, vehicles=spec.pilot_vehicles, days=1)[0]
    return uniform_trips(net, spec.pilot_trips, 1, rng)


def build_demand(
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
        from sim.io.tntp import read_tntp_trips

        return tntp_trips(net, read_tntp_trips(scenario.resolve(str(spec.path))), spec.trips, spec.days, rng), None
    if spec.model == "gravity":
        return gravity_trips(net, spec.trips, spec.days, rng, decay_km=spec.decay_km, zone_km=spec.zone_km), None
    if spec.model == "population":
        return population_trips(net, int(vehicles or spec.vehicles), days or spec.days, rng,
                                first_weekday=scenario.start.weekday(),
                                worker_share=spec.worker_share, work_decay_km=spec.work_decay_km,
                                errand_decay_km=spec.decay_km, zone_km=spec.zone_km)
    return uniform_trips(net, spec.trips, spec.days, rng), None


def simulate_scenario(scenario: Scenario, progress: Progress | None = None) -> Simulation:
    """Run every stage in memory and compute the metrics (writes nothing).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> s = load_scenario(overrides=["network.rows=6", "network.cols=6", "demand.trips=50",
    ...                              "cameras.count=5"])
    >>> sim = simulate_scenario(s)
    >>> sim.metrics["n_trips"], sim.metrics["n_cameras"]
    (50, 5)
    """
    say = progress or (lambda _: None)
    if scenario.reads.source == "file":
        raise ScenarioError(f"{scenario.name}: reads.source is \"file\": there is nothing to simulate; "
                            "use run_scenario (curtain run) or curtain analyze")
    rngs = stage_rngs(scenario.seed)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 4)
        clock = now
        say(stage)

    net = build_network(scenario, rngs["network"])
    lap("network")
    setup = calibrated_setup(scenario, net, rngs)
    trips, routes, layout, unsnapped, calibration = (setup.trips, setup.routes, setup.layout, setup.unsnapped,
                                                     setup.calibration)
    net = setup.net or net
    layout, patrols = add_patrol_readers(scenario, net, layout, rngs["patrols"])
    graph = _access(scenario, layout)
    lap("demand and cameras")
    watch_camera, watch_edge, watch_backward = watch_pairs(layout, net)
    crossings = route_crossings(net, routes, watch_camera, watch_edge, watch_backward)
    trips, passes = simulate(trips, routes, crossings)
    if patrols:
        passes = pd.concat([passes, *patrol_passes(scenario, net, patrols, trips, routes, rngs["patrols"])],
                           ignore_index=True)
        passes = passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    trips["length_m"] = np.bincount(routes.trip_of_edge(), weights=net.edge_length[routes.edges],
                                    minlength=len(trips))
    route_choice = _route_choice(scenario, net, trips, routes)
    lap("traffic")
    passes = passes[~not_installed(passes, layout)].reset_index(drop=True)
    if scenario.outages is not None:
        outages = camera_outages(len(layout), float(trips["arrive_s"].max()) + 1.0,
                                 mtbf_s=scenario.outages.mtbf_h * 3600, mttr_s=scenario.outages.mttr_h * 3600,
                                 rng=rngs["outages"])
        lost = during_outage(passes, outages)
        passes = passes[~lost].reset_index(drop=True)
    reads = read_passes(passes, trips, layout, scenario.start, rngs["reads"],
                        duplicate_rate=scenario.reads.duplicate_rate)
    lap("reads")
    recon = _reconstruct(scenario, reads, net)
    lap("reconstruct")
    n_days = simulated_days(scenario, trips)
    trip_table = trip_metrics(trips, routes, reads, recon, net)
    metrics = {"seed": scenario.seed, "versions": versions()}
    fixed = _fixed_readers(layout)
    fixed_reads = int(fixed[pd.Index(layout["camera_id"]).get_indexer(reads["camera_id"])].sum())
    metrics |= summary_metrics(trip_table, reads, trips, int(fixed.sum()), n_days,
                               long_trip_km=scenario.metrics.long_trip_km, sighting=recon.sighting,
                               fixed_reads=fixed_reads)
    if patrols:
        n_cars = int((~fixed).sum())
        metrics["n_patrol_cars"] = n_cars
        metrics["reads_per_patrol_car_per_day"] = (len(reads) - fixed_reads) / (n_cars * n_days)
    if scenario.demand.sample_share < 1:
        # the simulated vehicles stand for sample_share of the real fleet: reads per reader scale back up
        metrics["sample_share"] = scenario.demand.sample_share
        for key in ("reads_per_camera_per_day", "reads_per_patrol_car_per_day"):
            if metrics.get(key) is not None:
                metrics[f"{key}_full_scale"] = metrics[key] / scenario.demand.sample_share
    metrics |= route_choice
    metrics["exposure_by_length_km"] = exposure_by_length(trip_table)
    metrics["long_trips"] = long_trip_exposure(trips, routes, reads, layout, trip_table, net,
                                               min_km=scenario.metrics.long_trip_km)
    delay = time_to_first_read(trips, reads)
    metrics["time_to_first_read_s_median"] = float(np.median(delay)) if len(delay) else None
    metrics |= trip_split_accuracy(reads, recon)
    metrics |= misread_matching(reads, trips, recon)
    person, tables = person_metrics(reads, trips, net, n_days, rngs["metrics"], persons=setup.persons,
                                    first_weekday=scenario.start.weekday(), plate_key=recon.plate_key)
    if setup.persons is not None:
        tables["vehicles"] = setup.persons
    metrics |= person
    areas = _areas(scenario, net)
    if areas is not None:
        unique = tables["vehicle_uniqueness"]
        tables["areas"] = exposure_by_area(net, *areas, layout=layout, trips=trips, routes=routes, reads=reads,
                                           trip_table=trip_table, n_days=n_days,
                                           unique=unique[unique["k"] == 2])
        metrics["exposure_by_area"] = area_summary(tables["areas"], _area_kind(scenario, net))
    watched = watch_edge[layout["read_rate"].to_numpy()[watch_camera] > 0]
    pairs = camera_free_pairs(net, watched, rngs["metrics"], n_pairs=scenario.metrics.pair_samples)
    metrics |= {k: pairs[k] for k in ("camera_free_pair_share", "camera_free_pair_share_n",
                                      "camera_free_pair_share_ci", "detour_ratio_median")}
    if patrols or "cost" in layout.columns:
        metrics["fleets"] = fleet_metrics(reads, trips, layout, n_days)
    if setup.congestion is not None:
        metrics["congestion"] = setup.congestion
    if setup.placement:
        metrics["placement"] = setup.placement
    if unsnapped is not None:
        metrics["n_cameras_unsnapped"] = len(unsnapped)
        metrics["cameras_unsnapped"] = unsnapped["camera_id"].tolist()
    if scenario.outages is not None:
        metrics["n_passes_lost_to_outages"] = int(lost.sum())
    if calibration is not None:
        calibration["achieved_reads_per_camera_per_day"] = metrics.get("reads_per_camera_per_day_full_scale",
                                                                       metrics["reads_per_camera_per_day"])
        if scenario.demand.counts is not None:
            tables["count_fit"], calibration["fit"] = _count_fit(scenario, net, routes, n_days)
        metrics["calibration"] = calibration
    fenced = [(i, c) for i, c in enumerate(scenario.all_cameras) if c.district is not None]
    if fenced:
        i, spec = fenced[0]
        mask = district_mask(net, spec.district.model_dump(), scenario.resolve)
        outside = far_from(net, mask, spec.buffer_m)
        metrics["district_fence_cameras"] = int(layout["camera_id"].str.startswith(f"{group_prefix(i, spec)}-").sum())
        metrics["min_cut_to_seal_district"] = len(seal_cut(net, mask, outside=outside))
        metrics["min_cameras_to_seal_district"] = sum(len(c) for c in directed_seal_cuts(net, mask, outside=outside))
        sealed_out, sealed_in = sealed_directions(net, mask, watched, outside)
        metrics |= {"district_sealed": sealed_out and sealed_in, "district_sealed_in": sealed_in,
                    "district_sealed_out": sealed_out}
    visible: dict[str, np.ndarray] = {}
    if graph is not None:
        query_time_s = float(trips["arrive_s"].max())
        visible = {a.name: access_stage.visible_reads(reads, layout, graph, a.name, query_time_s)
                   for a in scenario.agencies}
        views, agency_metrics = _agency_views(scenario, graph, layout, reads, trips, routes, net, visible,
                                              trip_table, n_days=n_days, persons=setup.persons, rng=rngs["metrics"],
                                              overall=metrics)
        trip_table = pd.concat([trip_table, *views], ignore_index=True)
        metrics["agencies"] = agency_metrics
        if scenario.rules:
            metrics["rules"] = access_stage.rule_report(graph)
        if scenario.metrics.what_if_without:
            metrics["long_trips_what_if"] = _what_if(scenario, graph, layout, reads, trips, routes, net,
                                                     query_time_s, metrics)
    lap("metrics")
    return Simulation(scenario, net, layout, trips, routes, reads, recon, trip_table, metrics, timings, graph,
                      visible, tables)


def _route_choice(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, routes: Routes) -> dict[str, Any]:
    """How the drivers chose routes, and the share of trips that drove a fastest path (the searcher's guess).

    A trip drove a fastest path when its route takes no longer (within 1e-9 relative) than the fastest
    route between its ends on the network it drove (free-flow, or congested with ``congestion = "ue"``).
    """
    spec = scenario.traffic
    out: dict[str, Any] = {"route_choice": {"route_noise": spec.route_noise, "route_classes": spec.route_classes}}
    if spec.route_noise > 0:
        fastest = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
        drove = routes.travel_time <= fastest.travel_time * (1 + 1e-9) + 1e-9
    else:  # the routes are the fastest routes themselves
        drove = np.ones(len(trips), dtype=bool)
    add_share(out, "share_trips_fastest_route", drove, trips["vehicle_id"].to_numpy())
    return out


def _fixed_readers(layout: pd.DataFrame) -> np.ndarray:
    """Which rows of the layout are fixed cameras (not patrol-car readers)."""
    if "kind" not in layout.columns:
        return np.ones(len(layout), dtype=bool)
    return layout["kind"].fillna("fixed").to_numpy() != "mobile"


def _count_fit(
    scenario: Scenario, net: RoadNetwork, routes: Routes, n_days: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulated vehicles per day on each counted road against the observed count."""
    from sim.io.counts import counts_per_trip, read_counts

    counts = read_counts(scenario.resolve(scenario.demand.counts), net, max_snap_m=scenario.demand.counts_max_snap_m)
    per_day = np.bincount(routes.edges, minlength=net.n_edges) / n_days
    simulated, observed = counts_per_trip(counts, per_day)
    first_edge = counts.drop_duplicates("count_id")["edge"].to_numpy()
    relative = np.divide(simulated - observed, observed, out=np.full(len(observed), np.nan), where=observed > 0)
    table = pd.DataFrame({"count_id": np.arange(len(observed)), "u": net.nodes[net.edge_u[first_edge]],
                          "v": net.nodes[net.edge_v[first_edge]], "key": net.edge_key[first_edge],
                          "observed": observed, "simulated": simulated, "relative_error": relative})
    finite = relative[np.isfinite(relative)]
    fit = {
        "n_counts": int(len(observed)),
        "total_simulated_over_observed": float(simulated.sum() / observed.sum()) if observed.sum() else None,
        "relative_error_abs_median": float(np.median(np.abs(finite))) if len(finite) else None,
        "relative_error_abs_p90": float(np.quantile(np.abs(finite), 0.9)) if len(finite) else None,
        "correlation": float(np.corrcoef(simulated, observed)[0, 1]) if len(observed) > 2 else None,
    }
    return table, fit


def _area_kind(scenario: Scenario, net: RoadNetwork) -> str:
    how = scenario.metrics.areas
    if how == "auto":
        return "jurisdiction" if len(set(edge_jurisdiction(net)) - {""}) >= 2 else "rings"
    return how


def _areas(scenario: Scenario, net: RoadNetwork) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """Node and edge areas for the exposure-by-area table (``None`` when ``metrics.areas = "none"``)."""
    spec = scenario.metrics
    how = _area_kind(scenario, net)
    if how == "none":
        return None
    if how == "jurisdiction" and not (set(edge_jurisdiction(net)) - {""}):
        raise ScenarioError(f"{scenario.name}: metrics.areas = \"jurisdiction\" but no road has a jurisdiction; "
                            "use areas = \"rings\" or give the network jurisdictions")
    return area_labels(net, how, center=spec.center, ring_km=spec.ring_km, rings=spec.rings)


def _reconstruct(scenario: Scenario, reads: pd.DataFrame, net: RoadNetwork) -> Reconstruction:
    spec = scenario.reconstruct
    return reconstruct(reads, net, slack_s=spec.slack_s, misread_tolerance=spec.misread_tolerance,
                       window_s=spec.window_s, route_inference=spec.route_inference, k_paths=spec.k_paths,
                       sighting_window_s=spec.sighting_window_s)


def simulated_days(scenario: Scenario, trips: pd.DataFrame) -> int:
    """Days of demand: the scenario's ``demand.days``, or the days spanned by a trips file's departures.

    Trips that start before midnight and end after it do not add a day.
    """
    if scenario.demand.model != "file":
        return scenario.demand.days
    return max(1, int(trips["depart_s"].max() // DAY_S) + 1)


def _access(scenario: Scenario, layout: pd.DataFrame) -> Any:
    if not scenario.operators and not scenario.agencies:
        if scenario.metrics.what_if_without:
            raise ScenarioError(f"{scenario.name}: metrics.what_if_without needs [[operators]] and [[agencies]] "
                                "to compare; declare them or remove the key")
        return None
    dump = scenario.model_dump(by_alias=True)
    graph = access_stage.access_graph(dump["operators"], dump["agencies"], dump["sharing"], dump["rules"],
                                      source=scenario.name, allow_cycles=scenario.access.allow_cycles)
    access_stage.check_camera_operators(graph, layout, source=scenario.name)
    for name in scenario.metrics.what_if_without:
        if graph.nodes.get(name, {}).get("kind") not in ("operator", "pool"):
            known = sorted(n for n, d in graph.nodes(data=True) if d["kind"] != "agency")
            raise ScenarioError(f"{scenario.name}: metrics.what_if_without names {name!r}, which is not an "
                                f"operator or pool; use one of {', '.join(known)}")
    return graph


def _view_table(
    scenario: Scenario, trips: pd.DataFrame, routes: Routes, seen: pd.DataFrame, net: RoadNetwork, view: str
) -> tuple[pd.DataFrame, Reconstruction]:
    """Per-trip metrics of one view (the trips reconstructed from the reads it holds), and the reconstruction."""
    recon = _reconstruct(scenario, seen, net)
    return trip_metrics(trips, routes, seen, recon, net, view=view), recon


def _agency_views(
    scenario: Scenario, graph: Any, layout: pd.DataFrame, reads: pd.DataFrame, trips: pd.DataFrame,
    routes: Routes, net: RoadNetwork, visible: dict[str, np.ndarray], all_view: pd.DataFrame, *,
    n_days: int, persons: pd.DataFrame | None, rng: np.random.Generator, overall: dict[str, Any],
) -> tuple[list[pd.DataFrame], dict[str, Any]]:
    views, out = [], {}
    person_keys = tuple(f"{key}{suffix}" for key in ("uniqueness_k2", "home_inference_accuracy",
                                                     "work_inference_accuracy") for suffix in ("", "_n", "_ci")) + (
        "home_error_m_median", "n_vehicles_scored", "work_error_m_median", "n_workers_scored")
    for agency in scenario.agencies:
        mask = visible[agency.name]
        seen = reads[mask].reset_index(drop=True)
        if mask.all():
            # an agency that sees every read knows exactly what the "all" view does: reuse it
            table = all_view.assign(view=agency.name)
            long_trips = overall["long_trips"]
            person = {k: overall[k] for k in person_keys
                      if k in overall and (n_days >= 2 or k.startswith("uniqueness_k2"))}
        else:
            table, recon = _view_table(scenario, trips, routes, seen, net, agency.name)
            long_trips = long_trip_exposure(trips, routes, seen, layout, table, net,
                                            min_km=scenario.metrics.long_trip_km)
            person = _agency_person(scenario, seen, recon.plate_key, trips, net, n_days, persons, rng)
        views.append(table)
        paths = access_stage.visible_operators(graph, agency.name)
        out[agency.name] = {
            "kind": agency.kind,
            "users": agency.users,
            "long_trips": long_trips,
            "paths": paths,
            "person": person,
        }
        # a camera's reads are visible or not together: the reads cluster by camera
        add_share(out[agency.name], "share_reads_visible", mask, reads["camera_id"].to_numpy())
        add_share(out[agency.name], "share_trips_reconstructable", table["n_sightings"].to_numpy() >= 2,
                  trips["vehicle_id"].to_numpy())
        add_share(out[agency.name], "route_recall_mean", table["route_recall"].to_numpy(), trips["vehicle_id"].to_numpy())
    return views, out


def _agency_person(
    scenario: Scenario, seen: pd.DataFrame, plate_key: np.ndarray, trips: pd.DataFrame, net: RoadNetwork,
    n_days: int, persons: pd.DataFrame | None, rng: np.random.Generator,
) -> dict[str, Any]:
    """What one agency's reads say about people: uniqueness (k = 2), and home and work over several days.

    Keyed, like the run's own, on the plates as the agency holds them (after its own misread matching).
    """
    # (a sample of 2,000 plates per agency keeps ten agencies' views affordable; the run's own uses 5,000)
    searcher, owner = searcher_reads(seen, plate_key)
    out: dict[str, Any] = {}
    add_share(out, "uniqueness_k2", unique_plates(searcher, [2], rng, max_plates=2_000)[2]["unique"].to_numpy(),
              reason="no plate has 2 distinct points")
    if n_days >= 2:
        out |= home_inference(searcher, trips, net, owner)
        if persons is not None:
            out |= work_inference(searcher, persons, net, owner, first_weekday=scenario.start.weekday())
    return out


def _what_if(
    scenario: Scenario, graph: Any, layout: pd.DataFrame, reads: pd.DataFrame, trips: pd.DataFrame,
    routes: Routes, net: RoadNetwork, query_time_s: float, metrics: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Long-trip exposure per view as run, and with each ``metrics.what_if_without`` node removed.

    Removing an operator takes its cameras away (traffic does not depend on
    cameras, so its reads are simply dropped); removing a pool turns the
    pool off. No traffic is simulated again.
    """
    operator_of_read = layout.set_index("camera_id")["operator"].reindex(reads["camera_id"]).to_numpy()
    out = {"as run": {"all reads": metrics["long_trips"]}
           | {name: a["long_trips"] for name, a in metrics["agencies"].items()}}
    for name in scenario.metrics.what_if_without:
        smaller = graph.copy()
        smaller.remove_node(name)
        masks = {}
        if graph.nodes[name]["kind"] == "operator":
            masks["all reads"] = operator_of_read != name
        for agency in scenario.agencies:
            masks[agency.name] = access_stage.visible_reads(reads, layout, smaller, agency.name, query_time_s)
        row = {}
        for view, mask in masks.items():
            seen = reads[mask].reset_index(drop=True)
            table, _ = _view_table(scenario, trips, routes, seen, net, view)
            row[view] = long_trip_exposure(trips, routes, seen, layout, table, net,
                                           min_km=scenario.metrics.long_trip_km)
        out[f"without {name}"] = row
    return out


def versions() -> dict[str, str]:
    """Versions of Curtain and the libraries whose results it depends on."""
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for dist in ("curtain-sim", "numpy", "scipy", "networkx", "simpy", "pandas", "pyarrow"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def run_scenario(scenario: Scenario, out_dir: str | Path, progress: Progress | None = None) -> RunResult:
    """Simulate ``scenario`` and write the output directory atomically.

    Returns
    -------
    RunResult
    """
    started = datetime.now(timezone.utc)
    out_dir = Path(out_dir)
    # refuse a folder Curtain did not write before any work, not after minutes of simulation
    check_output_folder(out_dir, "analysis" if scenario.reads.source == "file" else "run")
    if scenario.reads.source == "file":
        return _analyze_scenario(scenario, out_dir, progress)
    sim = simulate_scenario(scenario, progress)
    clock = time.perf_counter()
    with atomic_directory(out_dir) as tmp:
        write_outputs(sim, tmp)
        sim.timings["write"] = round(time.perf_counter() - clock, 4)
        run_info = {
            "started_utc": started.isoformat(timespec="seconds"),
            "host": platform.node(),
            "platform": platform.platform(),
            "wall_time_s": sim.timings,
            "out_dir": str(out_dir.resolve()),
        }
        (tmp / "run.json").write_text(json.dumps(run_info, indent=2) + "\n", encoding="utf-8")
    if progress:
        progress("write")
    return RunResult(out_dir, sim.metrics, sim.timings)


def _analyze_scenario(scenario: Scenario, out_dir: Path, progress: Progress | None) -> RunResult:
    """``[reads] source = "file"``: analyse a real reads file (as ``curtain analyze``) instead of simulating."""
    from sim.analyze import run_analysis

    spec = scenario.reads
    clock = time.perf_counter()
    net = build_network(scenario, stage_rngs(scenario.seed)["network"]) if spec.snap_to_network else None
    analysis = run_analysis(scenario.resolve(spec.path), out_dir, columns=spec.column_map(),
                            time_format=spec.time_format, delimiter=spec.delimiter, net=net,
                            network_label=scenario.network.path or scenario.network.source if net else None,
                            max_snap_m=spec.max_snap_m, seed=scenario.seed, figures=scenario.output.figures)
    if progress:
        progress("analyze")
    return RunResult(out_dir, analysis.metrics, {"analyze": round(time.perf_counter() - clock, 4)})


def write_outputs(sim: Simulation, out: Path) -> None:
    """Write every file of a run's output directory into ``out``."""
    from sim.report import render_report

    scenario, net = sim.scenario, sim.net
    (out / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
    write_parquet(edges_frame(net), out / "edges.parquet")
    sim.layout.to_csv(out / "cameras.csv", index=False, lineterminator="\n")
    (out / "cameras.geojson").write_text(json.dumps(layout_geojson(sim.layout, net), indent=1) + "\n")
    trips = sim.trips.copy()
    if scenario.output.routes:
        trips["route"] = [sim.routes.route(i).tolist() for i in range(len(trips))]
    write_parquet(trips, out / "trips.parquet")
    write_reads(sim.reads, out / "reads.parquet")
    write_parquet(sim.trip_table, out / "trip_metrics.parquet")
    for name, table in sim.tables.items():
        write_parquet(table, out / f"{name}.parquet")
    write_json(sim.metrics, out / "metrics.json")
    figures = write_figures(sim, out / "figures") if scenario.output.figures else []
    if scenario.output.figures:
        write_interactive_map(sim, out / "map.html")
    report = render_report(sim.metrics, scenario.to_toml(), figures, f"Curtain: {scenario.name}",
                           question=scenario.output.question)
    (out / "report.html").write_text(report, encoding="utf-8")


def write_figures(sim: Simulation, folder: Path) -> list[Path]:
    """Every figure of a run, as PNG files in ``folder``."""
    from sim.plot import (
        areas_figure, coverage_figure, long_trip_figure, map_figure, reads_per_trip_figure, save_figure, sharing_graph_figure,
    )

    folder.mkdir(parents=True, exist_ok=True)
    net, name = sim.net, sim.scenario.name
    watch_camera, camera_edges, _ = watch_pairs(sim.layout, net)
    all_view = sim.trip_table[sim.trip_table["view"] == "all"]
    operator = sim.layout["operator"].to_numpy()[watch_camera]
    figures = [
        save_figure(map_figure(net, camera_edges, **_example_trip(sim), camera_operator=operator,
                         district_edges=_boundary(sim), title=f"{name}: cameras and one trip"),
              folder / "map.png"),
        save_figure(coverage_figure(net, sim.routes.edges, sim.routes.trip_of_edge(),
                              all_view["n_reads"].to_numpy() >= 1, camera_edges, title=f"{name}: coverage"),
              folder / "coverage.png"),
        save_figure(reads_per_trip_figure(all_view), folder / "reads_per_trip.png"),
    ]
    if "areas" in sim.tables:
        node_area = _areas(sim.scenario, net)[0]
        figures.append(save_figure(areas_figure(net, node_area, sim.tables["areas"],
                                                title=f"{name}: where surveillance concentrates"),
                                   folder / "areas.png"))
    drive = _long_trip_views(sim)
    if drive is not None:
        figures.append(save_figure(
            long_trip_figure(net, drive["route"], drive["views"], jurisdiction=edge_jurisdiction(net),
                             all_operators=sorted(set(sim.layout["operator"])),
                             title=f"{name}: one {drive['km']:.0f} km drive — what each view recovers"),
            folder / "long_trip.png"))
    if sim.access is not None:
        figures.append(save_figure(sharing_graph_figure(sim.access, sim.metrics.get("agencies", {}),
                                                  title=f"{name}: who can search the reads"),
                             folder / "sharing.png"))
    return figures


def _long_trip_views(sim: Simulation) -> dict[str, Any] | None:
    """The most-read trip longer than ``metrics.long_trip_km``, and what each view recovers of it.

    ``None`` when no trip is that long or none was read.
    """
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    long_rows = np.flatnonzero(table["length_m"].to_numpy() > sim.scenario.metrics.long_trip_km * 1000)
    if not len(long_rows) or table["n_reads"].to_numpy()[long_rows].max() == 0:
        return None
    row = int(long_rows[np.argmax(table["n_reads"].to_numpy()[long_rows])])
    trip = sim.trips.iloc[row]
    route = sim.routes.route(row)
    operator = sim.layout.set_index("camera_id")["operator"]
    # every read of the vehicle (not only of this trip): reconstruction sees no trip labels
    vehicle = (sim.reads["vehicle_id"] == trip["vehicle_id"]).to_numpy()
    views = {}
    for name, mask in ({"all reads": np.ones(len(sim.reads), bool)} | sim.visible).items():
        seen = sim.reads[vehicle & mask].reset_index(drop=True)
        recon = _reconstruct(sim.scenario, seen, sim.net)
        mine = np.flatnonzero(seen["trip_id"].to_numpy() == trip["trip_id"])
        recovered = [recon.routes.route(r) for r in np.unique(recon.read_recon[mine])]
        covered = np.isin(route, np.concatenate(recovered)) if recovered else np.zeros(len(route), bool)
        views[name] = {"covered": covered, "read_edges": seen["edge"].to_numpy()[mine],
                       "read_operator": operator.reindex(seen["camera_id"].iloc[mine]).to_numpy()}
    return {"route": route, "views": views, "km": float(trip["length_m"]) / 1000}


def _boundary(sim: Simulation) -> np.ndarray | None:
    """Edges crossing the first camera group's district, else between jurisdictions."""
    from sim.district import boundary_edges

    fenced = [c for c in sim.scenario.all_cameras if c.district is not None]
    if fenced:
        mask = district_mask(sim.net, fenced[0].district.model_dump(), sim.scenario.resolve)
        return boundary_edges(sim.net, mask)
    node_jurisdiction = np.array([str(sim.net.graph.nodes[n].get("jurisdiction", "")) for n in sim.net.nodes])
    crossing = np.flatnonzero(node_jurisdiction[sim.net.edge_u] != node_jurisdiction[sim.net.edge_v])
    return crossing if len(crossing) else None


def write_interactive_map(sim: Simulation, path: Path, *, max_reads: int = 2_000) -> None:
    """An interactive HTML map (folium) of the cameras, with read counts, and a sample of reads."""
    import folium
    from pyproj import Transformer

    geo = layout_geojson(sim.layout, sim.net)
    if not geo["features"]:
        return
    lon = np.array([f["geometry"]["coordinates"][0] for f in geo["features"]])
    lat = np.array([f["geometry"]["coordinates"][1] for f in geo["features"]])
    counts = sim.reads["camera_id"].value_counts()
    fmap = folium.Map(location=[float(lat.mean()), float(lon.mean())], zoom_start=13, tiles="OpenStreetMap")
    cameras = folium.FeatureGroup(name="cameras")
    for feature, y, x in zip(geo["features"], lat, lon):
        props = feature["properties"]
        n = int(counts.get(props["camera_id"], 0))
        folium.CircleMarker(
            [float(y), float(x)], radius=4 + 8 * np.sqrt(n / max(1, counts.max() if len(counts) else 1)),
            color="#D55E00", fill=True, fill_opacity=0.7,
            tooltip=f"{props['camera_id']} ({props['direction']}, {props['operator']}): {n:,} reads",
        ).add_to(cameras)
    cameras.add_to(fmap)
    if sim.net.crs is not None and len(sim.reads):
        sample = sim.reads.iloc[np.linspace(0, len(sim.reads) - 1, min(max_reads, len(sim.reads))).astype(int)]
        edge = sample["edge"].to_numpy()
        mx = (sim.net.x[sim.net.edge_u[edge]] + sim.net.x[sim.net.edge_v[edge]]) / 2
        my = (sim.net.y[sim.net.edge_u[edge]] + sim.net.y[sim.net.edge_v[edge]]) / 2
        rx, ry = Transformer.from_crs(sim.net.crs, "EPSG:4326", always_xy=True).transform(mx, my)
        # one GeoJSON layer (a single object in the page) rather than a marker object per read: fast to write
        points = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
             "properties": {"read": f"{plate} at {pd.Timestamp(when):%Y-%m-%d %H:%M:%S}"}}
            for x, y, plate, when in zip(rx, ry, sample["plate_read"], sample["timestamp"])]}
        folium.GeoJson(points, name=f"reads (sample of {len(sample):,})", show=False,
                       marker=folium.CircleMarker(radius=2, color="#0072B2"),
                       tooltip=folium.GeoJsonTooltip(fields=["read"], labels=False)).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    fmap.save(str(path))


def _example_trip(sim: Simulation) -> dict[str, Any]:
    """The trip drawn on the map: the most-read trip (ties: lowest id)."""
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    if not len(table) or table["n_reads"].max() == 0:
        return {}
    row = int(np.argmax(table["n_reads"].to_numpy()))
    trip_id = table["trip_id"].iloc[row]
    reads = sim.reads[sim.reads["trip_id"] == trip_id]
    recon_ids = np.unique(sim.recon.read_recon[reads.index.to_numpy()])
    recon_route = np.concatenate([sim.recon.routes.route(r) for r in recon_ids])
    return {
        "true_route": sim.routes.route(row),
        "recon_route": recon_route,
        "read_edges": reads["edge"].to_numpy(),
        "read_times": reads["timestamp"],
    }
