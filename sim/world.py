"""The world a scenario's traffic runs in: network, demand (calibrated), routes, cameras, patrol cars, access."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.progress import counting
from sim import access as access_stage
from sim._errors import CameraError, ScenarioError
from sim._time import DAY_S
from sim.checks import jurisdiction_edges, patrol_nodes
from sim.cameras import (
    CAMERA_COLUMNS, camera_edges, read_cameras_csv, read_cameras_geojson, validate_layout, watch_pairs,
)
from sim.demand import gravity_trips, population_trips, read_trips_csv, tntp_trips, uniform_trips
from sim.district import district_mask
from sim.io import load_network
from sim.network import RoadNetwork, Routes, edge_highway, lanes_each_way
from sim.placement import ROUTED_STRATEGIES, place_camera_group, road_class_edges
from sim.scenario import CameraSpec, Scenario
from sim._arrays import distinct
from sim.seeds import named_rng
from sim.traffic import choose_routes, drive_patrols, patrol_beats, patrol_encounters, route_crossings
from sim.traffic.routes import Driven, driver_classes, drive_sampled, kept_routes


def build_network(scenario: Scenario, rng: np.random.Generator) -> RoadNetwork:
    """The scenario's road network."""
    return load_network(scenario.network, scenario.resolve, rng)


@dataclass
class PatrolFleet:
    """One ``[[patrols]]`` entry, placed: its beats, each car's beat, and the cars' layout rows."""

    spec: Any
    beats: list[np.ndarray]
    car_beat: np.ndarray
    rows: np.ndarray


@dataclass
class World:
    """Everything the traffic stage needs, and the facts of how it was built.

    ``net`` is the network vehicles drive on (congested travel times with
    ``traffic.congestion = "ue"``); ``routes`` row ``i`` is trip ``i``;
    ``layout`` holds every reader (fixed cameras, then patrol cars).
    """

    net: RoadNetwork
    trips: pd.DataFrame
    routes: Routes
    layout: pd.DataFrame
    unsnapped: pd.DataFrame | None = None
    calibration: dict[str, Any] | None = None
    #: population model: ``vehicle_id, plate, home, work, worker``
    persons: pd.DataFrame | None = None
    congestion: dict[str, Any] | None = None
    #: per ranked camera group: the spacing asked for and achieved, and candidates it turned down
    placement: dict[str, Any] = field(default_factory=dict)
    patrols: list[PatrolFleet] = field(default_factory=list)
    #: the access graph (operators → pools → agencies), when the scenario declares one
    access: Any = None
    #: with a route sample (``routes.kept``): every trip's crossings, length and the edge volumes
    driven: Driven | None = None
    #: the route sample's size, for ``metrics.json`` (``None``: every route is kept)
    route_sample: dict[str, Any] | None = None

    def facts(self) -> dict[str, Any]:
        """How the world was built, for ``metrics.json``: congestion, placement, unsnapped cameras."""
        out: dict[str, Any] = {}
        if self.congestion is not None:
            out["congestion"] = self.congestion
        if self.placement:
            out["placement"] = self.placement
        if self.route_sample is not None:
            out["route_sample"] = self.route_sample
        if self.unsnapped is not None:
            out["n_cameras_unsnapped"] = len(self.unsnapped)
            out["cameras_unsnapped"] = self.unsnapped["camera_id"].tolist()
        return out


def build_world(scenario: Scenario, net: RoadNetwork, rngs: dict[str, np.random.Generator]) -> World:
    """Demand, routes, cameras, patrol cars and the access graph of a scenario on its network.

    With a reads target or traffic counts, trips per day are calibrated on a
    pilot run first (see :func:`_calibrated`).
    """
    spec = scenario.demand
    if spec.target_reads_per_camera_per_day is None and spec.counts is None:
        trips, persons = build_demand(scenario, net, rngs["demand"])
        net, congestion = congested(scenario, net, trips) if scenario.traffic.congestion == "ue" else (net, None)
        world = routed_world(scenario, net, trips, rngs, World(net, trips, None, None, persons=persons,  # type: ignore[arg-type]
                                                               congestion=congestion))
    else:
        world = _calibrated(scenario, net, rngs)
    world.layout, world.patrols = add_patrol_readers(scenario, world.net, world.layout, rngs["patrols"])
    world.access = build_access(scenario, world.layout)
    return world


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


def simulated_days(scenario: Scenario, trips: pd.DataFrame) -> int:
    """Days of demand: the scenario's ``demand.days``, or the days spanned by a trips file's departures.

    Trips that start before midnight and end after it do not add a day.
    """
    if scenario.demand.model != "file":
        return scenario.demand.days
    return max(1, int(trips["depart_s"].max() // DAY_S) + 1)


def scenario_routes(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, rng: np.random.Generator) -> Routes:
    """The routes the scenario's drivers take (``traffic.route_noise``, ``route_classes``)."""
    with counting("trips routed", len(trips)):
        return choose_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]),
                             noise=scenario.traffic.route_noise, classes=scenario.traffic.route_classes, rng=rng)


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


def _calibrated(scenario: Scenario, net: RoadNetwork, rngs: dict[str, np.random.Generator]) -> World:
    """Demand, routes and cameras with trips per day calibrated on a pilot run (a reads target, or counts).

    The pilot (``demand.pilot_trips`` trips) places the cameras and measures
    the expected reads per trip, or each counted road's volume per trip;
    trips per day are then set so the cameras log
    ``target_reads_per_camera_per_day`` on average, or so simulated volumes
    fit the counts (least squares).
    """
    spec = scenario.demand
    population = spec.model == "population"
    pilot = _pilot(scenario, net, rngs["demand"])
    pilot_routes = scenario_routes(scenario, net, pilot, rngs["traffic"])
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
        per_trip = expected_reads_per_trip(net, layout, scenario_routes(scenario, net, check, rngs["traffic"]))
        if per_trip <= 0:
            raise ScenarioError(f"{scenario.name}: cannot calibrate demand: the pilot trips pass no camera")
        # the unit scaled is a trip (uniform) or a vehicle of the population, with its day of trips
        per_unit = per_trip * len(check) / spec.pilot_vehicles if population else per_trip
        # a sample of the fleet (sample_share) logs that share of the real reads
        target = float(spec.target_reads_per_camera_per_day or 0) * spec.sample_share
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
    return routed_world(scenario, net, trips, rngs, World(net, trips, None, layout, unsnapped, calibration,  # type: ignore[arg-type]
                                                          persons, congestion, placement))


def routed_world(scenario: Scenario, net: RoadNetwork, trips: pd.DataFrame, rngs: dict[str, np.random.Generator],
                 world: World) -> World:
    """``world`` with its trips routed, and its cameras placed when it has none yet (placement follows the routes).

    With more vehicles than ``metrics.route_sample``, only a sample's routes are kept
    (:func:`route_sample_mask`): trips are routed in chunks keeping every trip's camera crossings, travel time
    and length (``world.driven``). Cameras still to be placed are placed on the sample's routes, found first.
    """
    kept = route_sample_mask(scenario, trips)
    if kept is None:
        world.routes = scenario_routes(scenario, net, trips, rngs["traffic"])
        if world.layout is None:
            world.layout, world.unsnapped, world.placement = build_cameras(scenario, net, world.routes, rngs["cameras"])
        return world
    if scenario.patrols:
        raise ScenarioError(
            f"{scenario.name}: patrol cars meet vehicles anywhere along their routes, so a run with [[patrols]] "
            f"keeps every route; set metrics.route_sample = \"all\" (the run has "
            f"{trips['vehicle_id'].nunique():,} vehicles, over the route sample of {scenario.metrics.route_sample:,})")
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    with counting("trips routed", len(trips)):
        plan = driver_classes(net, len(trips), noise=scenario.traffic.route_noise,
                              classes=scenario.traffic.route_classes, rng=rngs["traffic"])
        known = None
        if world.layout is None:
            if any(group.strategy in ROUTED_STRATEGIES for group in scenario.all_cameras):
                # placed on the sample's routes, found first (the other trips are routed once, after)
                known = kept_routes(net, origins, destinations, kept, plan)
            world.layout, world.unsnapped, world.placement = build_cameras(scenario, net, known, rngs["cameras"])
        world.routes, world.driven = drive_sampled(net, origins, destinations, kept, plan,
                                                   watch_pairs(world.layout, net), known=known)
    vehicles = trips["vehicle_id"].to_numpy()
    world.route_sample = {
        "vehicles": int(len(distinct(vehicles[kept]))), "of_vehicles": int(len(distinct(vehicles))),
        "trips": int(kept.sum()), "of_trips": int(len(kept)), "strata": "trips per vehicle",
    }
    return world


#: Strata of :func:`route_sample_mask`: vehicles with 1, 2, …, up to this many trips or more.
ROUTE_SAMPLE_STRATA = 8


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


def _pilot(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> pd.DataFrame:
    """One day of pilot trips: ``pilot_trips`` uniform trips, or a day of ``pilot_vehicles`` of the population."""
    spec = scenario.demand
    if spec.model == "population":
        return build_demand(scenario, net, rng, vehicles=spec.pilot_vehicles, days=1)[0]
    return uniform_trips(net, spec.pilot_trips, 1, rng)


def expected_reads_per_trip(net: RoadNetwork, layout: pd.DataFrame, routes: Routes) -> float:
    """Mean over trips of the expected number of reads (sum of read rates of the cameras passed)."""
    camera, edge, backward = watch_pairs(layout, net)
    crossings = route_crossings(net, routes, camera, edge, backward)
    n = len(routes.travel_time)
    return float(layout["read_rate"].to_numpy()[crossings.camera].sum() / n) if n else 0.0


def build_cameras(
    scenario: Scenario, net: RoadNetwork, routes: Routes | None, rng: np.random.Generator
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
    scenario: Scenario, spec: CameraSpec, net: RoadNetwork, routes: Routes | None, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    if spec.strategy == "file":
        return (*read_camera_file(scenario, spec, net), {})
    district = district_mask(net, spec.district.model_dump(), scenario.resolve) if spec.district else None
    allowed = group_allowed_edges(net, spec, f"{scenario.name}: ")
    layout, spacing = place_camera_group(
        net, spec.strategy, count=spec.camera_count(), read_rate=spec.read_rate, rng=rng, routes=routes,
        district=district, buffer_m=spec.buffer_m, min_reads=spec.min_reads, allowed=allowed,
        min_spacing_m=spec.min_spacing_m, site=spec.site, approaches=spec.approaches, watch=spec.watch,
        misread_rate=spec.misread_rate, direction=spec.direction, operator=spec.operator, vendor=spec.vendor,
    )
    if spec.lanes_read is not None:  # a camera reads lanes_read lanes of a wider road: that share of its vehicles
        layout = lanes_read_rate(layout, net, spec.lanes_read)
    if spec.read_rate_by_speed is not None:
        layout = speed_read_rate(layout, net, spec.read_rate_by_speed)
    return layout, None, spacing


def speed_read_rate(layout: pd.DataFrame, net: RoadNetwork, curve: list[tuple[float, float]]) -> pd.DataFrame:
    """The layout with each camera's ``read_rate`` times ``curve``'s factor at its road's free-flow speed.

    ``curve`` is ``[(km/h, factor), ...]`` in rising km/h, interpolated
    linearly and flat beyond its ends.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, jitter_m=0, rng=np.random.default_rng(0))
    >>> layout = pd.DataFrame({"u": [net.nodes[net.edge_u[0]]], "v": [net.nodes[net.edge_v[0]]], "key": [0],
    ...                        "direction": ["forward"], "read_rate": [0.8]})
    >>> speed = float(net.edge_length[0] / net.edge_time[0] * 3.6)
    >>> float(speed_read_rate(layout, net, [(0.0, 1.0), (2 * speed, 0.0)])["read_rate"][0])
    0.4
    """
    edges = camera_edges(layout, net, "forward")
    kmh = net.edge_length[edges] / net.edge_time[edges] * 3.6
    speeds, factors = (np.array(part, float) for part in zip(*curve))
    return layout.assign(read_rate=layout["read_rate"].to_numpy(float) * np.interp(kmh, speeds, factors))


def lanes_read_rate(layout: pd.DataFrame, net: RoadNetwork, lanes_read: int) -> pd.DataFrame:
    """The layout with each camera's ``read_rate`` times ``min(1, lanes_read / lanes)`` of its road's direction."""
    share = np.minimum(1.0, lanes_read / lanes_each_way(net)[camera_edges(layout, net, "forward")])
    return layout.assign(read_rate=layout["read_rate"].to_numpy(float) * share)


def group_allowed_edges(net: RoadNetwork, spec: CameraSpec, where: str = "") -> np.ndarray | None:
    """The roads a camera group may stand on: its ``jurisdiction``'s, of its ``road_classes`` (``None``: any).

    A :class:`ScenarioError` names the key when no road qualifies.
    """
    allowed = None
    if spec.jurisdiction is not None:
        allowed = np.zeros(net.n_edges, bool)
        allowed[jurisdiction_edges(net, spec.jurisdiction, f"{where}jurisdiction")] = True
    if spec.road_classes is not None:
        of_class = road_class_edges(net, spec.road_classes)
        if not of_class.any():
            present = sorted(set(edge_highway(net)) - {""})
            raise ScenarioError(f"{where}road_classes: no road is of class {', '.join(spec.road_classes)}; the "
                                f"network has {', '.join(present) or 'no classes'}")
        allowed = of_class if allowed is None else allowed & of_class
    return allowed


def read_camera_file(
    scenario: Scenario, spec: CameraSpec, net: RoadNetwork
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A ``strategy = "file"`` group's layout (CSV or GeoJSON), and the GeoJSON points that did not snap."""
    path = scenario.resolve(str(spec.path))
    if path.suffix.lower() in (".geojson", ".json"):
        return read_cameras_geojson(path, net, max_snap_m=spec.max_snap_m, read_rate=spec.read_rate)
    return read_cameras_csv(path, net), None


def add_patrol_readers(
    scenario: Scenario, net: RoadNetwork, layout: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[PatrolFleet]]:
    """Append a reader row (``kind = "mobile"``) per patrol car to the layout, and split the roads into beats.

    A car's row stands on an edge leaving the first node of its beat (its
    station, for maps); it watches no fixed road.
    """
    if not scenario.patrols:
        return layout, []
    fleets: list[PatrolFleet] = []
    rows: list[dict[str, Any]] = []
    first_row = len(layout)
    for i, spec in enumerate(scenario.patrols):
        nodes = patrol_nodes(net, spec, f"{scenario.name}: patrols[{i}]")
        beats = patrol_beats(net, spec.beats or spec.cars, rng, nodes=nodes)
        car_beat = np.arange(spec.cars) % len(beats)
        car_rows = first_row + len(rows) + np.arange(spec.cars)
        for car in range(spec.cars):
            station = beats[car_beat[car]][0]
            edge = int(np.flatnonzero(net.edge_u == station)[0])
            row = {"camera_id": f"{spec.prefix}-{car + 1}", "u": net.nodes[station],
                   "v": net.nodes[net.edge_v[edge]], "key": int(net.edge_key[edge]), "direction": "both",
                   "read_rate": spec.read_rate, "misread_rate": spec.misread_rate, "operator": spec.operator,
                   "parked_read_rate": spec.read_rate if spec.parked_read_rate is None else spec.parked_read_rate,
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
                            speed_factor=spec.speed_factor, driving_share=spec.driving_share,
                            hot_spots=spec.hot_spots, hot_spot_share=spec.hot_spot_share, rng=rng)
        out.append(patrol_encounters(net, log, trips, routes, car_camera=fleet.rows, parked=spec.read_parked,
                                     horizon_s=horizon))
    return out


def build_access(scenario: Scenario, layout: pd.DataFrame) -> Any:
    """The access graph (operators → pools → agencies), or ``None`` when the scenario declares none."""
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


def count_fit(
    scenario: Scenario, net: RoadNetwork, volume: np.ndarray, n_days: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulated vehicles per day on each counted road (``volume``: trips on each edge over the run) against the
    observed count."""
    from sim.io.counts import counts_per_trip, read_counts

    counts = read_counts(scenario.resolve(str(scenario.demand.counts)), net,
                         max_snap_m=scenario.demand.counts_max_snap_m)
    per_day = np.asarray(volume) / n_days
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
