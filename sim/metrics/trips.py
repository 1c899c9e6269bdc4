"""Per-trip metrics: how much of each trip the reads reveal, and the run's summary of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import (distinct_counts, factorized_codes, first_occurrences, first_rows, least_of_each_key, member,
                         new_runs, ranked_pairs, rows_of, run_codes, shared_codes, value_of_each_key)
from sim._time import DAY_S
from sim.intervals import add_share, median_interval, share_with_interval
from sim.network import RoadNetwork
from sim.routing import Routes
from sim.reconstruct import Reconstruction
from sim.metrics.long_trips import LONG_TRIP_KM
from sim import shard


def trip_metrics(
    trips: pd.DataFrame,
    true_routes: Routes,
    reads: pd.DataFrame,
    recon: Reconstruction,
    net: RoadNetwork,
    *,
    view: str = "all",
) -> pd.DataFrame:
    """One row per true trip: reads and sightings, route recall and precision, OD error.

    A reconstructed trip is credited to the true trip that holds most of its
    reads (ties to the lowest trip row), and only when a searcher can link it
    to the car: its identity (the plate as read, or as matched) is the car's
    plate. A reconstruction under a misread that was not put back on the
    plate is no one's; reads of a parked car (no trip) credit no trip and
    do not outvote the trip's reads. ``route_recall`` is the share of the
    true route's metres on the reconstructed route(s), ``route_precision``
    the share of the reconstructed metres on the true route (NaN when
    nothing was reconstructed), both over distinct edges. ``od_error_m`` is
    the mean distance of inferred origin and destination from the true ones;
    ``origin_error_m`` and ``destination_error_m`` are each of them, and
    ``start_lag_s`` / ``end_lag_s`` how long after departure the first
    credited sighting came, and how long before arrival the last one.

    ``n_sightings`` counts the trip's passes at cameras (a pass logged twice
    is one sighting, see :func:`sim.reconstruct.sighting_ids`); ``n_reads``
    counts rows.

    When ``true_routes`` keep only a sample's routes (``true_routes.kept``),
    recall and precision are NaN outside the sample and ``length_m`` is the
    length driven (``trips.length_m``); counts and OD error are every trip's.

    Returns
    -------
    pandas.DataFrame
        ``view, trip_id, length_m, n_reads, n_sightings, route_recall,
        route_precision, od_error_m, origin_error_m, destination_error_m,
        start_lag_s, end_lag_s``.
    """
    n = len(trips)
    # (a parked car read by a patrol belongs to no trip: trip_id -1, row -1)
    trip_row = rows_of(trips["trip_id"].to_numpy(), reads["trip_id"].to_numpy())
    n_reads = np.bincount(trip_row[trip_row >= 0], minlength=n)
    on_trip = trip_row >= 0
    n_sightings = distinct_counts(trip_row[on_trip], recon.sighting[on_trip], minlength=n)  # each pass once
    owner = _credit(recon.read_recon, trip_row, len(recon.trips))
    if len(owner) and "plate" in trips.columns:  # only what a searcher can link to the car: its own plate
        credited = owner >= 0
        # compared as codes of one factorization of the distinct plates (no Python object per trip); a missing
        # plate equals nothing
        recon_plate, car_plate = shared_codes(pd.factorize(recon.trips["plate_read"]), pd.factorize(trips["plate"]))
        linked = recon_plate[credited] == car_plate[owner[credited]]
        owner[np.flatnonzero(credited)[~linked]] = -1
    # the routes compared and the ends located per block of whole trips, each with the reconstructions credited
    # to its trips (in their order): the blocks are fixed by the trips, so any number of workers gives these bytes
    size = shard.TRIPS_PER_BLOCK
    linked_to = np.flatnonzero(owner >= 0)
    by_block = linked_to[np.argsort(owner[linked_to] // size, kind="stable")]
    cuts = np.searchsorted(owner[by_block] // size, np.arange(-(-n // size) + 1))
    ends = recon.trips[["start_s", "end_s", "origin", "destination"]]
    true_ends = [c for c in ("origin", "destination", "depart_s", "arrive_s") if c in trips.columns]
    blocks = [(a, min(a + size, n), by_block[cuts[i]:cuts[i + 1]]) for i, a in enumerate(range(0, n, size))]
    # (an iterator: each block's routes are selected only when its turn comes, so this process holds one block's)
    parts = shard.shard_map(_trip_block, (
        (true_routes.select(np.arange(a, b)), trips.iloc[a:b][true_ends], recon.routes.select(mine), ends.iloc[mine],
         owner[mine] - a, net) for a, b, mine in blocks))
    # each column joined from the blocks' parts, whose arrays are dropped as it is (a county week: 49 MB each)
    held = [list(part) for part in parts]
    del parts

    def joined(j: int, dtype: Any = float) -> np.ndarray:
        column = np.concatenate([np.zeros(0, dtype), *(part[j] for part in held)], dtype=dtype)
        for part in held:
            part[j] = None
        return column

    true_len, recall, precision = joined(0), joined(1), joined(2)
    if true_routes.kept is not None:  # a route sample: routes are compared on the sample only
        recall[~true_routes.kept] = precision[~true_routes.kept] = np.nan
        true_len = np.where(true_routes.kept, true_len, trips["length_m"].to_numpy(float))
    o_err, d_err = joined(3), joined(4)
    od_error = (o_err + d_err) / 2
    # float32 (a centimetre, a tenth of a second): a county week's 11 views hold 10⁸ rows of each
    o_err, d_err = o_err.astype(np.float32), d_err.astype(np.float32)
    columns = {
        "view": view_column(view, n),
        # (a copy: to_numpy of an int64 column is a read-only view of the trips', not the table's own)
        "trip_id": trips["trip_id"].to_numpy(np.int64, copy=True),
        "length_m": true_len,
        "n_reads": n_reads.astype(np.int64),
        "n_sightings": n_sightings.astype(np.int64),
        "route_recall": recall,
        "route_precision": precision,
        "od_error_m": od_error,
        "origin_error_m": o_err,
        "destination_error_m": d_err,
        "start_lag_s": joined(5, np.float32),
        "end_lag_s": joined(6, np.float32),
    }
    return pd.DataFrame(columns, copy=False)  # (the arrays are the table's own: no second copy)



def view_column(view: str, n: int) -> pd.Categorical:
    """A per-trip table's ``view`` column of ``n`` rows: one category, ``view`` (a byte a trip, where the text
    repeated took 11).

    Examples
    --------
    >>> view_column("ICE", 2).tolist()
    ['ICE', 'ICE']
    """
    return pd.Categorical.from_codes(np.zeros(n, np.int8), categories=pd.Index([view], dtype="str"))


def _trip_block(
    true_routes: Routes, trips: pd.DataFrame, recon_routes: Routes, recon_trips: pd.DataFrame, owner: np.ndarray,
    net: RoadNetwork,
) -> tuple[np.ndarray, ...]:
    """One block of trips (``trips`` and their ``true_routes``, row ``i`` trip ``i`` of the block) against the
    reconstructions credited to them (``owner``: each one's trip in the block): length, recall, precision and
    :func:`_end_errors` of each trip."""
    n = len(trips)
    true_edges = _edge_keys(true_routes, np.arange(n), net.n_edges)
    recon_edges = _edge_keys(recon_routes, owner, net.n_edges)
    true_len = _length_by_trip(true_edges, net, n)
    recon_len = _length_by_trip(recon_edges, net, n)
    common_len = _length_by_trip(true_edges[member(true_edges, recon_edges)], net, n)
    recall = np.divide(common_len, true_len, out=np.zeros(n), where=true_len > 0)
    precision = np.full(n, np.nan)
    np.divide(common_len, recon_len, out=precision, where=recon_len > 0)
    return (true_len, recall, precision, *_end_errors(trips, recon_trips, owner, net))


def _credit(read_recon: np.ndarray, trip_row: np.ndarray, n_recon: int) -> np.ndarray:
    """True trip row credited with each reconstructed trip (majority of its reads made on a trip; -1: none)."""
    on_trip = trip_row >= 0  # a parked car's reads belong to its stay, not to a trip, and outvote none
    recon, trip, _, rank = ranked_pairs(read_recon[on_trip], trip_row[on_trip])
    owner = np.full(n_recon, -1, dtype=np.int64)
    owner[recon[rank == 0]] = trip[rank == 0]
    return owner


def _edge_keys(routes: Routes, owner: np.ndarray, n_edges: int) -> np.ndarray:
    """Each (credited trip, edge) pair once, as ``trip * n_edges + edge``, in order of first passage."""
    trip = owner[routes.trip_of_edge()]
    key = (trip * n_edges + routes.edges)[trip >= 0]
    first = first_occurrences(key)[1]
    return key[np.sort(first, kind="stable")]  # (distinct positions: the same order, faster)


def _length_by_trip(keys: np.ndarray, net: RoadNetwork, n: int) -> np.ndarray:
    return np.bincount(keys // net.n_edges, weights=net.edge_length[keys % net.n_edges], minlength=n)


def _end_errors(
    trips: pd.DataFrame, recon_trips: pd.DataFrame, owner: np.ndarray, net: RoadNetwork
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per trip: metres from the inferred origin and destination to the true ones, seconds from departure to
    the first credited sighting and from the last one to arrival (NaN for a trip nothing is credited to)."""
    n = len(trips)
    o_err, d_err, start_lag, end_lag = (np.full(n, np.nan) for _ in range(4))
    credited = np.flatnonzero(owner >= 0)
    if not len(credited):
        return o_err, d_err, start_lag, end_lag
    trip = owner[credited]
    start_s, end_s = recon_trips["start_s"].to_numpy(float)[credited], recon_trips["end_s"].to_numpy(float)[credited]
    # the origin from the credited reconstruction that starts first, the destination from the one that ends last
    # (stable: between equal times the earlier reconstruction, resp. the later one)
    by_start, by_end = np.lexsort((start_s, trip)), np.lexsort((end_s, trip))
    new = new_runs(trip[by_start])
    first = by_start[new]
    last = by_end[np.roll(new, -1)]  # a run's last element: the one before the next run's first
    rows = trip[first]
    true_o = net.node_indices(trips["origin"].to_numpy()[rows])
    true_d = net.node_indices(trips["destination"].to_numpy()[rows])
    o_err[rows] = _distance(net, true_o, recon_trips["origin"].to_numpy()[credited[first]])
    d_err[rows] = _distance(net, true_d, recon_trips["destination"].to_numpy()[credited[last]])
    start_lag[rows] = start_s[first] - trips["depart_s"].to_numpy(float)[rows]
    if "arrive_s" in trips.columns:  # (a hand-made trips table may lack it: the lag is then unknown, NaN)
        end_lag[rows] = trips["arrive_s"].to_numpy(float)[rows] - end_s[last]
    return o_err, d_err, start_lag, end_lag


def _distance(net: RoadNetwork, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(net.x[a] - net.x[b], net.y[a] - net.y[b])


def summary_metrics(
    trip_table: pd.DataFrame,
    reads: pd.DataFrame,
    trips: pd.DataFrame,
    n_cameras: int,
    n_days: int,
    *,
    long_trip_km: float = LONG_TRIP_KM,
    sighting: np.ndarray | None = None,
    fixed_reads: int | None = None,
    locate_m: float = 500.0,
    locate_s: float = 900.0,
    residents: np.ndarray | None = None,
) -> dict[str, Any]:
    """Summary metrics of one view (keys as in ``metrics.json``; see ``docs/metrics.md``).

    Shares of trips count sightings (``n_sightings``), not rows, and carry
    their denominator (``…_n``) and a 95 % interval (``…_ci``, Wilson at the
    effective sample size of trips clustered by vehicle, see
    :mod:`sim.intervals`). ``sighting`` is each read's sighting (default:
    each read its own); ``fixed_reads`` the reads of the ``n_cameras`` fixed
    cameras (default: every read). The whole-of-movements numbers (per
    vehicle: share of its kilometres recovered, of its trips located) are
    over ``residents`` (vehicle ids) when given: a vehicle from outside makes
    most of its movements beyond the simulated area.
    """
    n_trips = len(trip_table)
    vehicle = trips["vehicle_id"].to_numpy()
    n_vehicles = int(trips["vehicle_id"].nunique())
    # sightings per plate as read (a pass logged twice is one sighting)
    read_once = sightings_per_plate(reads["plate_read"], sighting)
    seen = trip_table["n_sightings"].to_numpy()
    long = trip_table["length_m"].to_numpy() > long_trip_km * 1000
    recall = trip_table["route_recall"].to_numpy(float)
    precision = trip_table["route_precision"].to_numpy(float)
    fixed_reads = len(reads) if fixed_reads is None else fixed_reads
    out: dict[str, Any] = {
        "n_trips": n_trips,
        "n_reads": int(len(reads)),
        "n_sightings": len(first_rows(sighting)) if sighting is not None else int(len(reads)),
        "n_cameras": int(n_cameras),
        "n_vehicles": n_vehicles,
        "n_days": int(n_days),
        "reads_per_camera_per_day": _ratio(fixed_reads, n_cameras * n_days),
        "reads_per_vehicle_per_day": _ratio(len(reads), n_vehicles * n_days),
        "od_error_m_median": float(np.nanmedian(trip_table["od_error_m"])) if trip_table["od_error_m"].notna().any()
        else None,
        "n_plates": int(len(read_once)),
    }
    add_share(out, "share_trips_read_ge1", seen >= 1, vehicle)
    add_share(out, "share_trips_read_ge2", seen >= 2, vehicle)
    add_share(out, "route_recall_mean", recall, vehicle)
    add_share(out, "route_precision_mean", precision, vehicle, reason="no trip was read")
    # single-sighting trips are precise by construction (one read edge): the honest precision needs two
    add_share(out, "route_recall_mean_ge2", np.where(seen >= 2, recall, np.nan), vehicle,
              reason="no trip was sighted twice")
    add_share(out, "route_precision_mean_ge2", np.where(seen >= 2, precision, np.nan), vehicle,
              reason="no trip was sighted twice")
    # the whole route, and nothing else, rebuilt from the reads
    recovered = ((recall >= 1 - 1e-9) & (precision >= 1 - 1e-9)).astype(float)
    add_share(out, "share_trips_route_recovered", np.where(np.isnan(recall), np.nan, recovered), vehicle)
    add_share(out, "share_plates_read_once", read_once == 1)
    add_share(out, "share_long_trips_read", np.where(long, seen >= 1, np.nan), vehicle,
              reason=f"no trip is longer than {long_trip_km:g} km")
    out["long_trip_km"] = float(long_trip_km)  # what "long" means, for the words of the answer
    # the whole of a person's movements: per vehicle, the share of all its driven km the reads recover
    length = trip_table["length_m"].to_numpy(float)
    mine = np.ones(n_trips, bool) if residents is None else np.isin(vehicle, residents)
    out["movements_of"] = "vehicles" if residents is None else "residents"
    per_vehicle = pd.DataFrame({"v": vehicle[mine], "m": length[mine], "seen_m": (recall * length)[mine]})
    per_vehicle = per_vehicle.groupby("v").sum(min_count=1)
    per_vehicle = per_vehicle[per_vehicle["m"] > 0]
    # a route sample keeps whole vehicles: the vehicles outside it have no recall (NaN), and are left out
    per_vehicle = per_vehicle[np.isfinite(per_vehicle["seen_m"])]
    km_share = (per_vehicle["seen_m"] / per_vehicle["m"]).to_numpy()
    out["vehicle_km_recovered_median"] = float(np.median(km_share)) if len(km_share) else None
    out["vehicle_km_recovered_median_n"] = int(len(km_share))
    out["vehicle_km_recovered_median_ci"] = median_interval(km_share)
    add_share(out, "share_vehicles_km_recovered_ge90", km_share >= 0.9, reason="no vehicle drove")
    # (each trip judged located, then the residents' picked: no row subset of the tables is copied)
    located = trips_located(trip_table, locate_m=locate_m, locate_s=locate_s)
    depart = trips["depart_s"].to_numpy(float)
    if residents is not None:
        located, vehicle, depart = located[mine], vehicle[mine], depart[mine]
    out |= {"locate_m": float(locate_m), "locate_s": float(locate_s)}
    return out | _located_by_vehicle(located, vehicle, depart, n_days)


def sightings_per_plate(plate_read: pd.Series, sighting: np.ndarray | None) -> np.ndarray:
    """How many sightings (default: reads) each plate as read has, one entry per plate.

    Examples
    --------
    >>> sightings_per_plate(pd.Series(["A", "B", "A", "A"]), np.array([0, 5, 0, 3])).tolist()
    [2, 1]
    >>> sightings_per_plate(pd.Series(["A", "B", "A"]), np.array([0, 0, 1])).tolist()  # a sighting of two plates
    [2, 1]
    """
    code = factorized_codes(plate_read)
    if sighting is None:
        code = code[code >= 0]  # (a read without a plate is no plate's)
        return np.bincount(code) if len(code) else np.zeros(0, np.int64)
    sighting = np.asarray(sighting)
    if len(sighting) and int(sighting.min()) >= 0 and int(sighting.max()) < 4 * len(sighting):  # (dense ids)
        # each sighting one plate's (a reconstruction's are: one pass of one plate as read): counted from each
        # sighting's plate, found and checked against every read of it in one compiled pass
        plates = value_of_each_key(sighting, code)
        if plates is not None:
            return np.bincount(plates[plates >= 0], minlength=int(code.max()) + 1)
    read = code >= 0
    code, sighting = code[read], sighting[read].astype(np.int64)
    return distinct_counts(code, sighting, minlength=int(code.max()) + 1 if len(code) else 0)


def trips_located(trip_table: pd.DataFrame, *, locate_m: float = 500.0, locate_s: float = 900.0) -> np.ndarray:
    """Per trip: were both its ends located, in place (``locate_m``) and time (``locate_s``)?"""
    return ((trip_table["origin_error_m"].to_numpy(float) <= locate_m)
            & (trip_table["destination_error_m"].to_numpy(float) <= locate_m)
            & (trip_table["start_lag_s"].to_numpy(float) <= locate_s)
            & (trip_table["end_lag_s"].to_numpy(float) <= locate_s))


def movements_located(
    trip_table: pd.DataFrame, trips: pd.DataFrame, *, locate_m: float = 500.0, locate_s: float = 900.0,
    n_days: int | None = None,
) -> dict[str, Any]:
    """Where a person went and when: trips whose two ends the reads locate, per trip, vehicle and day.

    A trip is located when the reconstruction a searcher can link to the car
    puts its origin and its destination each within ``locate_m`` metres of
    the true ones, its first sighting within ``locate_s`` seconds of the
    departure and its last within ``locate_s`` of the arrival.

    Returns ``share_trips_located`` (every trip, clustered by vehicle),
    ``share_vehicles_movements_located_ge90`` (vehicles with 90 % or more of
    their trips located: the whole or virtual whole of where they went,
    Wilson over vehicles), ``share_vehicle_days_located`` (vehicle-days on
    which every trip is located: the day's sequence of places recovered,
    clustered by vehicle), each with ``_n`` and ``_ci``. A trip's day is the
    day it leaves on; with ``n_days`` (the days simulated) a trip leaving after
    the last of them (a chain of trips past midnight) is that day's, so that
    there are at most ``n_days`` days per vehicle, as in the sightings per
    vehicle-day.

    Examples
    --------
    >>> table = pd.DataFrame({"origin_error_m": [0.0, 80.0, 900.0], "destination_error_m": [10.0, 0.0, 0.0],
    ...                       "start_lag_s": [5.0, 30.0, 5.0], "end_lag_s": [5.0, 2000.0, 5.0]})
    >>> trips = pd.DataFrame({"vehicle_id": [1, 1, 2], "depart_s": [0.0, 90_000.0, 0.0]})
    >>> out = movements_located(table, trips)
    >>> out["share_trips_located"], out["share_vehicle_days_located"], out["share_vehicles_movements_located_ge90"]
    (0.3333333333333333, 0.3333333333333333, 0.0)
    >>> one_day = movements_located(table, trips, n_days=1)  # vehicle 1's second trip is day 0's
    >>> one_day["share_vehicle_days_located"], one_day["share_vehicle_days_located_n"]
    (0.0, 2)
    """
    located = trips_located(trip_table, locate_m=locate_m, locate_s=locate_s)
    out: dict[str, Any] = {"locate_m": float(locate_m), "locate_s": float(locate_s)}
    return out | _located_by_vehicle(located, trips["vehicle_id"].to_numpy(), trips["depart_s"].to_numpy(float),
                                     n_days)


def _located_by_vehicle(located: np.ndarray, vehicle: np.ndarray, depart_s: np.ndarray,
                        n_days: int | None) -> dict[str, Any]:
    """:func:`movements_located`'s shares from each trip's ``located``, vehicle and departure: per trip, per
    vehicle (sorted by id) and per vehicle-day (sorted by vehicle, then day), as integer counts (no table of the
    trips is copied: a county week has 6 M of them)."""
    day = (depart_s // DAY_S).astype(np.int64)
    if n_days is not None:
        np.minimum(day, n_days - 1, out=day)
    out: dict[str, Any] = {}
    add_share(out, "share_trips_located", located, vehicle, reason="no trip was made")
    # trips in order of vehicle, and of day within it (as a run drives them), are their groups' runs in order;
    # others are sorted so
    if not (bool(np.all(vehicle[1:] >= vehicle[:-1])) and bool(np.all((day[1:] >= day[:-1])
                                                                      | (vehicle[1:] != vehicle[:-1])))):
        order = np.lexsort((day, vehicle))
        vehicle, day, located = vehicle[order], day[order], located[order]
    vehicles, ids = run_codes(vehicle)
    trips_of, located_of = np.bincount(ids, minlength=len(vehicles)), np.bincount(ids, weights=located,
                                                                                minlength=len(vehicles))
    add_share(out, "share_vehicles_movements_located_ge90", located_of / np.maximum(trips_of, 1) >= 0.9,
              reason="no vehicle drove")
    new_cell = new_runs(vehicle, day)  # (each vehicle-day's first trip)
    cell = np.cumsum(new_cell) - 1
    missed = np.bincount(cell, weights=~np.asarray(located, bool), minlength=int(new_cell.sum()))
    add_share(out, "share_vehicle_days_located", missed == 0, vehicle[new_cell], reason="no vehicle drove")
    return out


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


LENGTH_BANDS_KM = (0.0, 1.0, 2.0, 5.0, 10.0, 50.0, np.inf)


def exposure_by_length(
    trip_table: pd.DataFrame, bands_km: tuple[float, ...] = LENGTH_BANDS_KM, *, vehicle: np.ndarray | None = None
) -> dict[str, Any]:
    """Share of trips read at least once, per trip-length band (km), with a Wilson interval (at the effective
    size of trips clustered by ``vehicle``, each trip's, when given); bands with no trip are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"length_m": [500.0, 800.0, 3000.0], "n_reads": [0, 2, 1]})
    >>> bands = exposure_by_length(t)
    >>> {band: (b["n_trips"], b["share_read_ge1"]) for band, b in bands.items()}
    {'0-1': (2, 0.5), '2-5': (1, 1.0)}
    >>> [round(v, 3) for v in bands["2-5"]["share_read_ge1_ci"]]  # Wilson, one trip
    [0.207, 1.0]
    """
    km = trip_table["length_m"].to_numpy() / 1000.0
    read = trip_table["n_reads"].to_numpy() >= 1
    out = {}
    for lo, hi in zip(bands_km[:-1], bands_km[1:]):
        inside = (km >= lo) & (km < hi)
        if inside.any():
            label = f"{lo:g}-{hi:g}" if np.isfinite(hi) else f"{lo:g}+"
            clusters = None if vehicle is None else np.asarray(vehicle)[inside]
            out[label] = {"n_trips": int(inside.sum()), "share_read_ge1": float(read[inside].mean()),
                          "share_read_ge1_n": int(inside.sum()),
                          "share_read_ge1_ci": share_with_interval(read[inside], clusters)[2]}
    return out


def time_to_first_read(trips: pd.DataFrame, reads: pd.DataFrame) -> np.ndarray:
    """Seconds from each read trip's departure to its first read (a hot-listed plate's alarm delay)."""
    # (each trip's earliest read in one pass over two columns: no copy of the reads, no group-by's hash table)
    trip_id, first = least_of_each_key(reads["trip_id"].to_numpy(), reads["time_s"].to_numpy(float))
    row = rows_of(trips["trip_id"].to_numpy(), trip_id)
    depart = np.where(row >= 0, trips["depart_s"].to_numpy(float)[row], np.nan)  # (a trip not in trips: none)
    return first - depart
