"""Per-trip metrics: how much of each trip the reads reveal, and the run's summary of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim._arrays import distinct, first_occurrences, member
from sim.intervals import add_share, share_with_interval
from sim.network import RoadNetwork, Routes
from sim.reconstruct import Reconstruction
from sim.metrics.long_trips import LONG_TRIP_KM


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
    reads (ties to the lowest trip row). ``route_recall`` is the share of the
    true route's metres on the reconstructed route(s), ``route_precision``
    the share of the reconstructed metres on the true route (NaN when
    nothing was reconstructed), both over distinct edges. ``od_error_m`` is
    the mean distance of inferred origin and destination from the true ones.

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
        route_precision, od_error_m``.
    """
    n = len(trips)
    # (a parked car read by a patrol belongs to no trip: trip_id -1, row -1)
    trip_row = pd.Index(trips["trip_id"]).get_indexer(reads["trip_id"])
    n_reads = np.bincount(trip_row[trip_row >= 0], minlength=n)
    on_trip = trip_row >= 0
    passes = pd.DataFrame({"trip": trip_row[on_trip], "sighting": recon.sighting[on_trip]}).drop_duplicates()
    n_sightings = np.bincount(passes["trip"].to_numpy(np.int64), minlength=n)
    owner = _credit(recon.read_recon, trip_row, len(recon.trips))
    true_edges = _edge_keys(true_routes, np.arange(n), net.n_edges)
    recon_edges = _edge_keys(recon.routes, owner, net.n_edges)
    true_len = _length_by_trip(true_edges, net, n)
    recon_len = _length_by_trip(recon_edges, net, n)
    common_len = _length_by_trip(true_edges[member(true_edges, recon_edges)], net, n)
    recall = np.divide(common_len, true_len, out=np.zeros(n), where=true_len > 0)
    precision = np.full(n, np.nan)
    np.divide(common_len, recon_len, out=precision, where=recon_len > 0)
    if true_routes.kept is not None:  # a route sample: routes are compared on the sample only
        recall[~true_routes.kept] = precision[~true_routes.kept] = np.nan
        true_len = np.where(true_routes.kept, true_len, trips["length_m"].to_numpy(float))
    return pd.DataFrame(
        {
            "view": view,
            "trip_id": trips["trip_id"].to_numpy(np.int64),
            "length_m": true_len,
            "n_reads": n_reads.astype(np.int64),
            "n_sightings": n_sightings.astype(np.int64),
            "route_recall": recall,
            "route_precision": precision,
            "od_error_m": _od_error(trips, recon, owner, net),
        }
    )


def _credit(read_recon: np.ndarray, trip_row: np.ndarray, n_recon: int) -> np.ndarray:
    """True trip row credited with each reconstructed trip (majority of reads)."""
    counts = pd.DataFrame({"recon": read_recon, "trip": trip_row}).value_counts().reset_index(name="n")
    counts = counts.sort_values(["recon", "n", "trip"], ascending=[True, False, True], kind="stable")
    best = counts.drop_duplicates("recon")
    owner = np.full(n_recon, -1, dtype=np.int64)
    owner[best["recon"].to_numpy()] = best["trip"].to_numpy()
    return owner


def _edge_keys(routes: Routes, owner: np.ndarray, n_edges: int) -> np.ndarray:
    """Each (credited trip, edge) pair once, as ``trip * n_edges + edge``, in order of first passage."""
    trip = owner[routes.trip_of_edge()]
    key = (trip * n_edges + routes.edges)[trip >= 0]
    first = first_occurrences(key)[1]
    return key[np.sort(first)]


def _length_by_trip(keys: np.ndarray, net: RoadNetwork, n: int) -> np.ndarray:
    return np.bincount(keys // net.n_edges, weights=net.edge_length[keys % net.n_edges], minlength=n)


def _od_error(trips: pd.DataFrame, recon: Reconstruction, owner: np.ndarray, net: RoadNetwork) -> np.ndarray:
    n = len(trips)
    result = np.full(n, np.nan)
    if not len(recon.trips):
        return result
    frame = recon.trips.assign(trip=owner)
    frame = frame[frame["trip"] >= 0]
    # the origin from the credited reconstruction that starts first, the destination from the one that ends last
    first = frame.sort_values(["trip", "start_s"], kind="stable").drop_duplicates("trip", keep="first")
    last = frame.sort_values(["trip", "end_s"], kind="stable").drop_duplicates("trip", keep="last")
    rows = first["trip"].to_numpy()
    true_o = net.node_indices(trips["origin"].to_numpy()[rows])
    true_d = net.node_indices(trips["destination"].to_numpy()[rows])
    guess_o = first["origin"].to_numpy()
    guess_d = last.set_index("trip").loc[rows, "destination"].to_numpy()
    result[rows] = (_distance(net, true_o, guess_o) + _distance(net, true_d, guess_d)) / 2
    return result


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
) -> dict[str, Any]:
    """Summary metrics of one view (keys as in ``metrics.json``; see ``docs/metrics.md``).

    Shares of trips count sightings (``n_sightings``), not rows, and carry
    their denominator (``…_n``) and a 95 % interval (``…_ci``, Wilson at the
    effective sample size of trips clustered by vehicle, see
    :mod:`sim.intervals`). ``sighting`` is each read's sighting (default:
    each read its own); ``fixed_reads`` the reads of the ``n_cameras`` fixed
    cameras (default: every read).
    """
    n_trips = len(trip_table)
    vehicle = trips["vehicle_id"].to_numpy()
    n_vehicles = int(trips["vehicle_id"].nunique())
    read_once = reads["plate_read"].value_counts()
    seen = trip_table["n_sightings"].to_numpy()
    long = trip_table["length_m"].to_numpy() > long_trip_km * 1000
    recall = trip_table["route_recall"].to_numpy(float)
    precision = trip_table["route_precision"].to_numpy(float)
    fixed_reads = len(reads) if fixed_reads is None else fixed_reads
    out: dict[str, Any] = {
        "n_trips": n_trips,
        "n_reads": int(len(reads)),
        "n_sightings": int(len(distinct(sighting))) if sighting is not None else int(len(reads)),
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
    add_share(out, "share_plates_read_once", read_once.to_numpy() == 1)
    add_share(out, "share_long_trips_read", np.where(long, seen >= 1, np.nan), vehicle,
              reason=f"no trip is longer than {long_trip_km:g} km")
    # the whole of a person's movements: per vehicle, the share of all its driven km the reads recover
    length = trip_table["length_m"].to_numpy(float)
    per_vehicle = pd.DataFrame({"v": vehicle, "m": length, "seen_m": recall * length}).groupby("v").sum(min_count=1)
    per_vehicle = per_vehicle[per_vehicle["m"] > 0]
    # a route sample keeps whole vehicles: the vehicles outside it have no recall (NaN), and are left out
    per_vehicle = per_vehicle[np.isfinite(per_vehicle["seen_m"])]
    km_share = (per_vehicle["seen_m"] / per_vehicle["m"]).to_numpy()
    out["vehicle_km_recovered_median"] = float(np.median(km_share)) if len(km_share) else None
    add_share(out, "share_vehicles_km_recovered_ge90", km_share >= 0.9, reason="no vehicle drove")
    return out


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


LENGTH_BANDS_KM = (0.0, 1.0, 2.0, 5.0, 10.0, 50.0, np.inf)


def exposure_by_length(trip_table: pd.DataFrame, bands_km: tuple[float, ...] = LENGTH_BANDS_KM) -> dict[str, Any]:
    """Share of trips read at least once, per trip-length band (km), with a Wilson interval; bands with no trip
    are left out.

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
            out[label] = {"n_trips": int(inside.sum()), "share_read_ge1": float(read[inside].mean()),
                          "share_read_ge1_ci": share_with_interval(read[inside])[2]}
    return out


def time_to_first_read(trips: pd.DataFrame, reads: pd.DataFrame) -> np.ndarray:
    """Seconds from each read trip's departure to its first read (a hot-listed plate's alarm delay)."""
    first = reads[reads["trip_id"] >= 0].groupby("trip_id")["time_s"].min()
    depart = trips.set_index("trip_id")["depart_s"].reindex(first.index)
    return (first - depart).to_numpy(float)
