"""The metrics of ``metrics.json``, registered once for every view (see :mod:`sim.metrics.registry`).

Registration order is computation order; a metric may read the ones
registered before it (``done``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import distinct_counts
from sim._errors import ScenarioError
from sim._time import DAY_S
from sim.demand import resident_ids
from sim.cameras import watch_pairs
from sim.district import directed_seal_cuts, district_mask, far_from, seal_cut, sealed_directions
from sim.intervals import add_share, not_reported
from sim.io.counts import count_fit, read_counts
from sim.metrics.areas import area_labels, area_summary, exposure_by_area
from sim.metrics.crossings import line_crossings
from sim.metrics.entries import district_entries
from sim.metrics.evasion import camera_free_pairs
from sim.metrics.fleets import fleet_metrics
from sim.metrics.long_trips import long_trip_exposure
from sim.metrics.person import person_metrics
from sim.metrics.profile import reader_day_median, reads_per_reader_day
from sim.metrics.quality import misread_matching, trip_split_accuracy
from sim.metrics.registry import RunContext, Tables, View, metric, view_camera_rows
from sim.metrics.trips import exposure_by_length, summary_metrics, time_to_first_read
from sim.network import edge_jurisdiction
from sim.routing.trees import tree_times

Done = dict[str, Any]


@metric("summary", "run")
def _summary(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """Trips, reads and recall; reads per fixed camera and per patrol car, scaled up from a fleet sample."""
    reads, fixed = view.reads, run.fixed
    camera_row = view_camera_rows(run, view)
    fixed_reads = int(np.count_nonzero(fixed[camera_row]))
    out: dict[str, Any] = {"seed": run.scenario.seed}
    out |= summary_metrics(view.trip_table, reads, run.trips, int(fixed.sum()), run.n_days,
                           long_trip_km=run.scenario.metrics.long_trip_km, sighting=view.recon.sighting,
                           fixed_reads=fixed_reads, locate_m=run.scenario.metrics.locate_m,
                           locate_s=run.scenario.metrics.locate_s, residents=resident_ids(run.persons))
    if not fixed.all():
        n_cars = int((~fixed).sum())
        out["n_patrol_cars"] = n_cars
        out["reads_per_patrol_car_per_day"] = (len(reads) - fixed_reads) / (n_cars * run.n_days)
        # the median car-day that read (the figure a real log's reader-days are compared on: docs/validation.md)
        mobile = camera_row >= 0
        mobile[mobile] = ~fixed[camera_row[mobile]]
        counts = reads_per_reader_day(camera_row[mobile], reads["time_s"].to_numpy(float)[mobile] // DAY_S)
        out |= reader_day_median(counts, "reads_per_patrol_car_day_median")
        if run.scenario.demand.sample_share < 1:
            out |= reader_day_median(counts, "reads_per_patrol_car_day_median_full_scale",
                                     scale=run.scenario.demand.sample_share)
    share = run.scenario.demand.sample_share
    if share < 1:
        # the simulated vehicles stand for sample_share of the real fleet: reads per reader scale back up
        out["sample_share"] = share
        for key in ("reads_per_camera_per_day", "reads_per_patrol_car_per_day"):
            if out.get(key) is not None:
                out[f"{key}_full_scale"] = out[key] / share
    return out


@metric("traffic_from_outside", "run")
def _outside(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """The share of trips made by vehicles from outside the area (in-commuters, through traffic), by vehicle."""
    persons = run.persons
    if persons is None or "kind" not in persons.columns:
        return {"share_trips_external": None,
                "share_trips_external_reason": "traffic from outside is modelled in the population model only"}
    vehicle = run.trips["vehicle_id"].to_numpy()
    # a vehicle the population model does not call a resident's is from outside (looked up as integers: no text
    # per trip)
    external = pd.Index(resident_ids(persons)).get_indexer(vehicle) < 0
    out: dict[str, Any] = {}
    add_share(out, "share_trips_external", external, vehicle)
    counts = persons["kind"].value_counts()
    out["vehicles_by_kind"] = {k: int(counts.get(k, 0)) for k in ("resident", "in-commuter", "through", "visitor")}
    if "works_outside" in persons.columns:
        # (a part of the residents, not a kind beside them: its own key, so that the kinds add up to the fleet)
        out["n_residents_working_outside"] = int(persons["works_outside"].sum())
    return out


@metric("sightings_per_vehicle_day", "run")
def _per_vehicle_day(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """How often a vehicle is sighted in a day: percentiles over every vehicle-day, unread days counting 0.

    Over the residents when the population model says who they are (a vehicle from outside spends most of its
    days elsewhere), else over every vehicle that made a trip. A sighting is one pass at one camera (a pass
    logged twice counts once). Descriptive, from the simulation's truth (which vehicle is behind each read).
    """
    persons, trips, reads = run.persons, run.trips, view.reads
    residents = resident_ids(persons)
    if residents is not None:
        vehicles, of = residents, "residents"
    else:
        vehicles, of = np.unique(trips["vehicle_id"].to_numpy(np.int64)), "vehicles"
    days = max(int(run.n_days), 1)
    where = pd.Index(vehicles).get_indexer(reads["vehicle_id"].to_numpy(np.int64))
    day = np.minimum((reads["time_s"].to_numpy(float) // DAY_S).astype(np.int64), days - 1)
    keep = where >= 0
    # distinct (vehicle-day, sighting): a pass logged twice is one sighting
    cell = where[keep] * days + day[keep]
    sighting = np.asarray(view.recon.sighting)[keep]
    counts = distinct_counts(cell, sighting, minlength=len(vehicles) * days)
    table: dict[str, Any] = {"of": of, "n_vehicles": int(len(vehicles)), "n_vehicle_days": int(len(counts))}
    if len(counts):
        for q in (50, 75, 90, 99):
            table[f"p{q}"] = float(np.percentile(counts, q))
        table |= {"mean": float(counts.mean()), "max": int(counts.max())}
    out: dict[str, Any] = {"sightings_per_vehicle_day": table}
    add_share(out, "share_vehicle_days_sighted", counts >= 1, np.repeat(np.arange(len(vehicles)), days))
    return out


@metric("route_choice", "run")
def _route_choice(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """How the drivers chose routes, and the share of trips that drove a fastest path (the searcher's guess).

    A trip drove a fastest path when its route takes no longer (within 1e-9 relative) than the fastest
    route between its ends on the network it drove (free-flow, or congested with ``congestion = "ue"``).
    In a run that keeps a sample of the routes (``metrics.route_sample``) the share is the sample's trips',
    as every number that compares a route with another (its ``_n`` and interval say so): finding every
    trip's fastest time would cost a second routing of the whole run.
    """
    spec, net, trips = run.scenario.traffic, run.net, run.trips
    out: dict[str, Any] = {"route_choice": {"route_noise": spec.route_noise, "route_classes": spec.route_classes}}
    rows = np.arange(len(trips)) if run.routes.kept is None else np.flatnonzero(run.routes.kept)
    if spec.route_noise > 0:
        fastest = tree_times(net, net.node_indices(trips["origin"].to_numpy()[rows]),
                             net.node_indices(trips["destination"].to_numpy()[rows]))
        drove = run.routes.travel_time[rows] <= fastest * (1 + 1e-9) + 1e-9
    else:  # the routes are the fastest routes themselves
        drove = np.ones(len(rows), dtype=bool)
    add_share(out, "share_trips_fastest_route", drove, trips["vehicle_id"].to_numpy()[rows])
    return out


@metric("exposure_by_length_km", "run")
def _by_length(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    return {"exposure_by_length_km": exposure_by_length(view.trip_table, vehicle=run.trips["vehicle_id"].to_numpy())}


@metric("long_trips", "run", "agency", "what_if")
def _long_trips(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    return {"long_trips": long_trip_exposure(run.trips, run.routes, view.reads, run.layout, view.trip_table, run.net,
                                             min_km=run.scenario.metrics.long_trip_km, table=run.long_routes)}


@metric("time_to_first_read_s_median", "run")
def _first_read(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    delay = time_to_first_read(run.trips, view.reads)
    return {"time_to_first_read_s_median": float(np.median(delay)) if len(delay) else None}


@metric("quality", "run")
def _quality(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    return trip_split_accuracy(view.reads, view.recon) | misread_matching(view.reads, run.trips, view.recon)


#: the person metrics that depend on how many others drive (a sample's value is not the city's)
CROWD_KEYS = (*(f"uniqueness_k{k}" for k in range(1, 6)), *(f"uniqueness_k{k}_of_all" for k in range(1, 6)),
              "home_inference_accuracy", "work_inference_accuracy", "next_camera_top1_accuracy",
              "next_camera_top3_accuracy")


def sampled_person_metrics(share: float) -> dict[str, Any]:
    """Person metrics of a run that simulates ``share`` of the fleet: each ``None``, with the reason.

    A plate's uniqueness is how few others share its points, so it depends on
    how many others drive (docs/metrics.md shows U(2) against crowd size);
    guessing a home or the next camera from the most frequent sighting
    depends on it through the misread matching and the traces. A sample's
    value is not the city's, so none is reported.
    """
    reason = (f"the run simulates a {share:.0%} sample of the fleet (demand.sample_share = {share:g}), and this "
              "number depends on how many others drive; run the whole fleet (demand.sample_share = 1, "
              "demand.vehicles = the whole fleet) for it (docs/metrics.md, 'Person metrics and crowd size')")
    return {"person_metrics_reason": reason} | not_reported(CROWD_KEYS, reason)


@metric("person", "run", "agency")
def _person(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> tuple[dict[str, Any], Tables]:
    share = run.scenario.demand.sample_share
    if share < 1:
        return sampled_person_metrics(share), ({"vehicles": run.persons} if run.persons is not None else {})
    person, tables = person_metrics(view.reads, run.trips, run.net, run.n_days, rng, persons=run.persons,
                                    first_weekday=run.scenario.start.weekday(), key_codes=view.recon.key_codes(),
                                    sighting=view.recon.sighting)
    if run.persons is not None:
        tables["vehicles"] = run.persons
    return person, tables


@metric("exposure_by_area", "run")
def _areas(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> tuple[dict[str, Any], Tables]:
    areas = scenario_areas(run.scenario, run.net)
    if areas is None:
        return {}, {}
    unique = view.tables.get("vehicle_uniqueness")
    table = exposure_by_area(run.net, *areas, layout=run.layout, trips=run.trips, routes=run.routes, reads=view.reads,
                             trip_table=view.trip_table, n_days=run.n_days,
                             unique=None if unique is None else unique[unique["k"] == 2])
    return {"exposure_by_area": area_summary(table, area_kind(run.scenario, run.net))}, {"areas": table}


@metric("camera_free_pairs", "run")
def _pairs(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """Place pairs joined by a camera-free route; not computed for a fleet of patrol-car readers alone, which
    stand nowhere for good (every route would be "camera-free", saying nothing of them)."""
    if len(run.layout) and not run.fixed.any():
        reason = ("no fixed camera: every reader is on a patrol car, which stands nowhere for good, so no route is "
                  "camera-free, or watched, for good")
        return {"camera_free_pair_share": None, "camera_free_pair_share_n": None, "camera_free_pair_share_ci": None,
                "camera_free_pair_share_reason": reason, "detour_ratio_median": None,
                "detour_ratio_median_reason": reason}
    pairs = camera_free_pairs(run.net, watched_edges(run), rng, n_pairs=run.scenario.metrics.pair_samples)
    return {k: pairs[k] for k in ("camera_free_pair_share", "camera_free_pair_share_n", "camera_free_pair_share_ci",
                                  "detour_ratio_median")}


@metric("fleets", "run")
def _fleets(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    if run.fixed.all() and "cost" not in run.layout.columns:
        return {}
    return {"fleets": fleet_metrics(view.reads, run.trips, run.layout, run.n_days, sighting=view.recon.sighting)}


@metric("district", "run")
def _district(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """The first fenced camera group's district: its fence, the cuts that would seal it, and whether it is sealed."""
    fenced = [c for c in run.scenario.all_cameras if c.district is not None]
    if not fenced:
        return {}
    spec = fenced[0]
    net = run.net
    assert spec.district is not None
    mask = district_mask(net, spec.district.model_dump(), run.scenario.resolve)
    outside = far_from(net, mask, spec.buffer_m)
    watched = watched_edges(run)
    sealed_out, sealed_in = sealed_directions(net, mask, watched, outside)
    entries = district_entries(net, mask, run.routes, run.trips, view.reads, watched)
    return entries | {
        "district_fence_cameras": fence_cameras(run.layout, net, mask, outside),
        "min_cut_to_seal_district": len(seal_cut(net, mask, outside=outside)),
        "min_cameras_to_seal_district": sum(len(c) for c in directed_seal_cuts(net, mask, outside=outside)),
        "district_sealed": sealed_out and sealed_in, "district_sealed_in": sealed_in,
        "district_sealed_out": sealed_out,
    }


@metric("crossings", "run")
def _crossings(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """Trips across the line the network draws (a river's bridges, a city line's roads): read, and rebuilt."""
    return line_crossings(run.net, run.routes, run.trips, view.reads, view.trip_table, watched_edges(run))


@metric("agency_shares", "agency")
def _agency_shares(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> dict[str, Any]:
    """The share of the run's reads the view holds, and of trips it can reconstruct (two sightings or more)."""
    out: dict[str, Any] = {}
    mask = np.ones(len(run.reads), bool) if view.mask is None else view.mask
    # which reads an agency may search is fixed by the access rules, not sampled: an exact count, no interval
    add_share(out, "share_reads_visible", mask)
    out["share_reads_visible_ci"] = None
    out["share_reads_visible_ci_reason"] = ("fixed by the access rules (sharing, pools, retention): an exact count "
                                            "of this run's reads, not an estimate from a sample")
    vehicle = run.trips["vehicle_id"].to_numpy()
    add_share(out, "share_trips_reconstructable", view.trip_table["n_sightings"].to_numpy() >= 2, vehicle)
    add_share(out, "route_recall_mean", view.trip_table["route_recall"].to_numpy(), vehicle)
    return out


@metric("calibration", "run")
def _calibration(run: RunContext, view: View, rng: np.random.Generator, done: Done) -> tuple[dict[str, Any], Tables]:
    """How demand was calibrated (see :func:`sim.stages.demand.calibrated_demand`) and what the run achieved."""
    if run.calibration is None:
        return {}, {}
    calibration = dict(run.calibration)
    calibration["achieved_reads_per_camera_per_day"] = done.get("reads_per_camera_per_day_full_scale",
                                                                done["reads_per_camera_per_day"])
    tables: Tables = {}
    demand = run.scenario.demand
    if demand.counts is not None:
        volume = run.volume if run.volume is not None else np.bincount(run.routes.edges, minlength=run.net.n_edges)
        counts = read_counts(run.scenario.resolve(str(demand.counts)), run.net, max_snap_m=demand.counts_max_snap_m)
        tables["count_fit"], calibration["fit"] = count_fit(counts, run.net, volume, run.n_days)
    return {"calibration": calibration}, tables


def fence_cameras(layout: pd.DataFrame, net: Any, mask: np.ndarray, outside: np.ndarray) -> int:
    """Fixed cameras (read rate above 0) standing where a fence can stand: on a road that is neither wholly
    inside the district nor wholly ``outside`` it (beyond ``buffer_m``), whatever group or file they come from.

    Examples
    --------
    >>> from sim.cameras import make_layout
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, jitter_m=0, one_way_share=0, rng=np.random.default_rng(0))
    >>> inside = np.isin(net.nodes, [0])  # the corner node: its two roads out cross the fence
    >>> crossing = np.flatnonzero(inside[net.edge_u] != inside[net.edge_v])
    >>> layout = make_layout(net, np.concatenate([crossing[:3], np.flatnonzero(~inside[net.edge_u] & ~inside[
    ...     net.edge_v])[:2]]), read_rate=0.9)
    >>> fence_cameras(layout, net, inside, ~inside)  # three on crossing roads, two wholly outside
    3
    """
    camera, edge = reading_pairs(layout, net)
    u, v = net.edge_u[edge], net.edge_v[edge]
    on_fence = ~(mask[u] & mask[v]) & ~(outside[u] & outside[v])
    return int(len(np.unique(camera[on_fence])))


def reading_pairs(layout: pd.DataFrame, net: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every (camera row, travelled edge) of a reader with a read rate above 0 (see :func:`watch_pairs`)."""
    camera, edge, _ = watch_pairs(layout, net)
    reads = layout["read_rate"].to_numpy(float)[camera] > 0
    return np.asarray(camera[reads]), np.asarray(edge[reads])


def watched_edges(run: RunContext) -> np.ndarray:
    """Edges a fixed or mobile reader with a read rate above 0 watches."""
    return reading_pairs(run.layout, run.net)[1]


def area_kind(scenario: Any, net: Any) -> str:
    """How areas are drawn: ``metrics.areas``, with ``auto`` = jurisdictions when there are two, else rings."""
    how = scenario.metrics.areas
    if how == "auto":
        return "jurisdiction" if len(set(edge_jurisdiction(net)) - {""}) >= 2 else "rings"
    return str(how)


def scenario_areas(scenario: Any, net: Any) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """Node and edge areas for the exposure-by-area table (``None`` when ``metrics.areas = "none"``)."""
    spec = scenario.metrics
    how = area_kind(scenario, net)
    if how == "none":
        return None
    if how == "jurisdiction" and not (set(edge_jurisdiction(net)) - {""}):
        raise ScenarioError(f"{scenario.name}: metrics.areas = \"jurisdiction\" but no road has a jurisdiction; "
                            "use areas = \"rings\" or give the network jurisdictions")
    return area_labels(net, how, center=spec.center, ring_km=spec.ring_km, rings=spec.rings)
