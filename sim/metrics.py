"""Metrics: how much of each trip the reads reveal, and how hard it is to drive unseen.

Per-trip metrics compare a :class:`~sim.reconstruct.Reconstruction` with the
true trips and routes; summary metrics aggregate them under the stable key
names of ``metrics.json``. A metric a run cannot compute is absent or
``None`` with a reason, never a made-up 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from sim.network import RoadNetwork, Routes, adjacency_matrix
from sim.reconstruct import Reconstruction

DAY_S = 86_400.0
LONG_TRIP_KM = 5.0


def trip_metrics(
    trips: pd.DataFrame,
    true_routes: Routes,
    reads: pd.DataFrame,
    recon: Reconstruction,
    net: RoadNetwork,
    *,
    view: str = "all",
) -> pd.DataFrame:
    """One row per true trip: reads, route recall and precision, OD error.

    A reconstructed trip is credited to the true trip that holds most of its
    reads (ties to the lowest trip row). ``route_recall`` is the share of the
    true route's metres on the reconstructed route(s), ``route_precision``
    the share of the reconstructed metres on the true route (NaN when
    nothing was reconstructed), both over distinct edges. ``od_error_m`` is
    the mean distance of inferred origin and destination from the true ones.

    Returns
    -------
    pandas.DataFrame
        ``view, trip_id, length_m, n_reads, route_recall, route_precision,
        od_error_m``.
    """
    n = len(trips)
    trip_row = pd.Index(trips["trip_id"]).get_indexer(reads["trip_id"])
    n_reads = np.bincount(trip_row, minlength=n)
    owner = _credit(recon.read_recon, trip_row, len(recon.trips))
    true_edges = _edge_frame(true_routes, np.arange(n))
    recon_edges = _edge_frame(recon.routes, owner)
    true_len = _length_by_trip(true_edges, net, n)
    recon_len = _length_by_trip(recon_edges, net, n)
    common = true_edges.merge(recon_edges, on=["trip", "edge"])
    common_len = _length_by_trip(common, net, n)
    recall = np.divide(common_len, true_len, out=np.zeros(n), where=true_len > 0)
    precision = np.full(n, np.nan)
    np.divide(common_len, recon_len, out=precision, where=recon_len > 0)
    return pd.DataFrame(
        {
            "view": view,
            "trip_id": trips["trip_id"].to_numpy(np.int64),
            "length_m": true_len,
            "n_reads": n_reads.astype(np.int64),
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


def _edge_frame(routes: Routes, owner: np.ndarray) -> pd.DataFrame:
    trip = owner[routes.trip_of_edge()]
    frame = pd.DataFrame({"trip": trip, "edge": routes.edges})
    return frame[frame["trip"] >= 0].drop_duplicates()


def _length_by_trip(frame: pd.DataFrame, net: RoadNetwork, n: int) -> np.ndarray:
    return np.bincount(frame["trip"], weights=net.edge_length[frame["edge"]], minlength=n)


def _od_error(trips: pd.DataFrame, recon: Reconstruction, owner: np.ndarray, net: RoadNetwork) -> np.ndarray:
    n = len(trips)
    result = np.full(n, np.nan)
    if not len(recon.trips):
        return result
    frame = recon.trips.assign(trip=owner)
    frame = frame[frame["trip"] >= 0].sort_values(["trip", "start_s"], kind="stable")
    first = frame.drop_duplicates("trip", keep="first")
    last = frame.drop_duplicates("trip", keep="last")
    rows = first["trip"].to_numpy()
    true_o = net.node_indices(trips["origin"].to_numpy()[rows])
    true_d = net.node_indices(trips["destination"].to_numpy()[rows])
    guess_o = first["origin"].to_numpy()
    guess_d = last.set_index("trip").loc[rows, "destination"].to_numpy()
    result[rows] = (_distance(net, true_o, guess_o) + _distance(net, true_d, guess_d)) / 2
    return result


def _distance(net: RoadNetwork, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(net.x[a] - net.x[b], net.y[a] - net.y[b])


def camera_free_pairs(
    net: RoadNetwork, watched: np.ndarray, rng: np.random.Generator, *, n_pairs: int = 500
) -> dict[str, Any]:
    """Share of sampled node pairs with a camera-free route, and detour ratios.

    ``detour_ratio`` is the fastest camera-free time over the fastest time
    (infinite when there is no camera-free route; the median excludes those).

    Returns
    -------
    dict
        ``camera_free_pair_share``, ``detour_ratio_median`` and the arrays
        ``origins``, ``destinations``, ``fastest_s``, ``camera_free_s``.
    """
    origins = rng.integers(0, net.n_nodes, n_pairs)
    destinations = (origins + rng.integers(1, net.n_nodes, n_pairs)) % net.n_nodes
    free_adj = adjacency_matrix(net, removed=watched)
    fastest = _pair_times(net.adjacency, origins, destinations)
    free = _pair_times(free_adj, origins, destinations)
    ratio = free / fastest
    finite = np.isfinite(ratio)
    return {
        "camera_free_pair_share": float(finite.mean()),
        "detour_ratio_median": float(np.median(ratio[finite])) if finite.any() else None,
        "origins": origins,
        "destinations": destinations,
        "fastest_s": fastest,
        "camera_free_s": free,
    }


def _pair_times(adjacency: csr_array, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    unique, rows = np.unique(origins, return_inverse=True)
    dist = dijkstra(adjacency, directed=True, indices=unique)
    return dist[rows, destinations]


def summary_metrics(
    trip_table: pd.DataFrame,
    reads: pd.DataFrame,
    trips: pd.DataFrame,
    n_cameras: int,
    n_days: int,
    *,
    long_trip_km: float = LONG_TRIP_KM,
) -> dict[str, Any]:
    """Summary metrics of one view (keys as in ``metrics.json``)."""
    n_trips = len(trip_table)
    n_vehicles = int(trips["vehicle_id"].nunique())
    read_once = reads["plate_read"].value_counts()
    long = trip_table["length_m"].to_numpy() > long_trip_km * 1000
    precision = trip_table["route_precision"].dropna()
    od = trip_table["od_error_m"].dropna()
    out: dict[str, Any] = {
        "n_trips": n_trips,
        "n_reads": int(len(reads)),
        "n_cameras": int(n_cameras),
        "n_vehicles": n_vehicles,
        "n_days": int(n_days),
        "reads_per_camera_per_day": _ratio(len(reads), n_cameras * n_days),
        "reads_per_vehicle_per_day": _ratio(len(reads), n_vehicles * n_days),
        "share_trips_read_ge1": _ratio(int((trip_table["n_reads"] >= 1).sum()), n_trips),
        "share_trips_read_ge2": _ratio(int((trip_table["n_reads"] >= 2).sum()), n_trips),
        "route_recall_mean": float(trip_table["route_recall"].mean()) if n_trips else None,
        "route_precision_mean": float(precision.mean()) if len(precision) else None,
        "od_error_m_median": float(od.median()) if len(od) else None,
        "n_plates": int(len(read_once)),
        "share_plates_read_once": _ratio(int((read_once == 1).sum()), len(read_once)),
    }
    if long.any():
        out["share_long_trips_read"] = float((trip_table["n_reads"].to_numpy()[long] >= 1).mean())
    else:
        out["share_long_trips_read"] = None
        out["share_long_trips_read_reason"] = f"no trip is longer than {long_trip_km:g} km"
    return out


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None
