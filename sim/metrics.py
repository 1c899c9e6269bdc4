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
    # (a parked car read by a patrol belongs to no trip: trip_id -1, row -1)
    trip_row = pd.Index(trips["trip_id"]).get_indexer(reads["trip_id"])
    n_reads = np.bincount(trip_row[trip_row >= 0], minlength=n)
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
        # the whole route, and nothing else, rebuilt from the reads
        "share_trips_route_recovered": _ratio(int(((trip_table["route_recall"] >= 1 - 1e-9)
                                                   & (trip_table["route_precision"] >= 1 - 1e-9)).sum()), n_trips),
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


# --- exposure --------------------------------------------------------------

LENGTH_BANDS_KM = (0.0, 1.0, 2.0, 5.0, 10.0, 50.0, np.inf)


def exposure_by_length(trip_table: pd.DataFrame, bands_km: tuple[float, ...] = LENGTH_BANDS_KM) -> dict[str, Any]:
    """Share of trips read at least once, per trip-length band (km); bands with no trip are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"length_m": [500.0, 800.0, 3000.0], "n_reads": [0, 2, 1]})
    >>> exposure_by_length(t)
    {'0-1': {'n_trips': 2, 'share_read_ge1': 0.5}, '2-5': {'n_trips': 1, 'share_read_ge1': 1.0}}
    """
    km = trip_table["length_m"].to_numpy() / 1000.0
    read = trip_table["n_reads"].to_numpy() >= 1
    out = {}
    for lo, hi in zip(bands_km[:-1], bands_km[1:]):
        inside = (km >= lo) & (km < hi)
        if inside.any():
            label = f"{lo:g}-{hi:g}" if np.isfinite(hi) else f"{lo:g}+"
            out[label] = {"n_trips": int(inside.sum()), "share_read_ge1": float(read[inside].mean())}
    return out


def time_to_first_read(trips: pd.DataFrame, reads: pd.DataFrame) -> np.ndarray:
    """Seconds from each read trip's departure to its first read (a hot-listed plate's alarm delay)."""
    first = reads[reads["trip_id"] >= 0].groupby("trip_id")["time_s"].min()
    depart = trips.set_index("trip_id")["depart_s"].reindex(first.index)
    return (first - depart).to_numpy(float)


# --- person level ------------------------------------------------------------

def uniqueness(
    reads: pd.DataFrame, k: int, rng: np.random.Generator, *, max_vehicles: int = 5_000
) -> float | None:
    """Share of vehicles singled out by ``k`` random points of their trace (de Montjoye et al. 2013).

    A vehicle's trace is its set of (camera, hour) points. For each vehicle
    with at least ``k`` distinct points (up to ``max_vehicles`` drawn at
    random), ``k`` of its points are drawn; it is unique when no other
    vehicle's trace holds all of them. ``None`` when no vehicle has ``k``
    points.

    Examples
    --------
    >>> r = pd.DataFrame({"vehicle_id": [0, 0, 1], "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
    >>> uniqueness(r, 2, np.random.default_rng(0)), uniqueness(r, 1, np.random.default_rng(0)) in (0.0, 0.5)
    (1.0, True)
    """
    return uniqueness_by_k(reads, [k], rng, max_vehicles=max_vehicles)[k]


def uniqueness_by_k(
    reads: pd.DataFrame, ks: list[int], rng: np.random.Generator, *, max_vehicles: int = 5_000
) -> dict[int, float | None]:
    """:func:`uniqueness` for several ``k``, indexing the traces once."""
    if not len(reads):
        return {k: None for k in ks}
    camera = pd.factorize(reads["camera_id"])[0].astype(np.int64)
    hour = (reads["time_s"].to_numpy() // 3600).astype(np.int64)
    point = camera * (int(hour.max()) + 1) + hour
    vehicle = pd.factorize(reads["vehicle_id"], sort=True)[0].astype(np.int64)
    pairs = np.unique(np.stack([vehicle, point]), axis=1)  # sorted by vehicle, then point
    by_vehicle = np.searchsorted(pairs[0], np.arange(vehicle.max() + 2))
    order = np.lexsort((pairs[0], pairs[1]))
    holders_point, holders_vehicle = pairs[1][order], pairs[0][order]
    size = np.diff(by_vehicle)
    out: dict[int, float | None] = {}
    for k in ks:
        eligible = np.flatnonzero(size >= k)
        if not len(eligible):
            out[k] = None
            continue
        if len(eligible) > max_vehicles:
            eligible = np.sort(rng.choice(eligible, max_vehicles, replace=False))
        unique = 0
        for v in eligible:
            trace = pairs[1][by_vehicle[v] : by_vehicle[v + 1]]
            chosen = rng.choice(trace, size=k, replace=False)
            common = None
            for p in chosen:
                lo, hi = np.searchsorted(holders_point, [p, p + 1])
                here = holders_vehicle[lo:hi]
                common = here if common is None else np.intersect1d(common, here, assume_unique=True)
            unique += len(common) == 1
        out[k] = unique / len(eligible)
    return out


def home_inference(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, *, within_m: float = 500.0, min_days: int = 2
) -> dict[str, Any]:
    """Guess each vehicle's home as the camera of its first read on most days.

    Compared with the true home (the origin of its first trip) for vehicles
    read on at least ``min_days`` days.

    Returns
    -------
    dict
        ``home_inference_accuracy`` (share within ``within_m`` metres),
        ``home_error_m_median`` and ``n_vehicles_scored``; the accuracy is
        ``None`` when no vehicle qualifies.
    """
    frame = reads[["vehicle_id", "time_s", "edge"]].assign(day=(reads["time_s"].to_numpy() // DAY_S).astype(int))
    first = frame.sort_values(["vehicle_id", "time_s"], kind="stable").drop_duplicates(["vehicle_id", "day"])
    days = first.groupby("vehicle_id")["day"].nunique()
    first = first[first["vehicle_id"].isin(days[days >= min_days].index)]
    if not len(first):
        return {"home_inference_accuracy": None, "home_error_m_median": None, "n_vehicles_scored": 0}
    counts = first.groupby(["vehicle_id", "edge"]).size().reset_index(name="n")
    counts = counts.sort_values(["vehicle_id", "n", "edge"], ascending=[True, False, True], kind="stable")
    guess = counts.drop_duplicates("vehicle_id").set_index("vehicle_id")["edge"]
    home_node = trips.sort_values(["vehicle_id", "depart_s"], kind="stable").drop_duplicates("vehicle_id")
    home = net.node_indices(home_node.set_index("vehicle_id")["origin"].reindex(guess.index))
    edge = guess.to_numpy()
    gx = (net.x[net.edge_u[edge]] + net.x[net.edge_v[edge]]) / 2
    gy = (net.y[net.edge_u[edge]] + net.y[net.edge_v[edge]]) / 2
    error = np.hypot(gx - net.x[home], gy - net.y[home])
    return {
        "home_inference_accuracy": float((error <= within_m).mean()),
        "home_error_m_median": float(np.median(error)),
        "n_vehicles_scored": int(len(error)),
    }


def next_camera_accuracy(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1, order: int = 1
) -> dict[str, Any]:
    """Predict each vehicle's next camera from its earlier days (order-1 or 2 Markov model).

    The model is trained per vehicle on all days but the last ``test_days``
    and falls back to all vehicles' transitions from the same state, then to
    the most frequent camera. Accuracy is over every transition of the held
    out days. Reads after the end of day ``n_days`` (trips that run past the
    last midnight) count to the last day.

    Returns
    -------
    dict
        ``next_camera_top1_accuracy``, ``next_camera_top3_accuracy`` and
        ``n_transitions_scored`` (accuracies ``None`` with nothing to score).
    """
    empty = {"next_camera_top1_accuracy": None, "next_camera_top3_accuracy": None, "n_transitions_scored": 0}
    if not len(reads):
        return empty
    frame = reads.sort_values(["vehicle_id", "time_s"], kind="stable")
    day = (frame["time_s"].to_numpy() // DAY_S).astype(int)
    if n_days is not None:
        day = np.minimum(day, n_days - 1)
    last = day.max()
    if last - day.min() < test_days:
        return empty
    vehicle = frame["vehicle_id"].to_numpy()
    camera = frame["camera_id"].to_numpy()
    state = [tuple(camera[max(0, i - order + 1) : i + 1]) for i in range(len(camera))]
    same = np.concatenate([vehicle[1:] == vehicle[:-1], [False]])
    train = same & (day <= last - test_days) & np.concatenate([day[1:] <= last - test_days, [False]])
    test = same & (day > last - test_days)
    personal: dict[tuple[Any, tuple[Any, ...]], dict[Any, int]] = {}
    shared: dict[tuple[Any, ...], dict[Any, int]] = {}
    for i in np.flatnonzero(train):
        for table, key in ((personal, (vehicle[i], state[i])), (shared, state[i])):
            row = table.setdefault(key, {})
            row[camera[i + 1]] = row.get(camera[i + 1], 0) + 1
    popular = pd.Series(camera).value_counts().index.tolist()
    top1 = top3 = 0
    scored = np.flatnonzero(test)
    for i in scored:
        row = personal.get((vehicle[i], state[i])) or shared.get(state[i]) or {}
        ranked = sorted(row, key=lambda c: (-row[c], str(c))) + [c for c in popular if c not in row][:3]
        top1 += ranked[0] == camera[i + 1]
        top3 += camera[i + 1] in ranked[:3]
    if not len(scored):
        return empty
    return {
        "next_camera_top1_accuracy": top1 / len(scored),
        "next_camera_top3_accuracy": top3 / len(scored),
        "n_transitions_scored": int(len(scored)),
    }


# --- reconstruction quality ------------------------------------------------------

def trip_split_accuracy(reads: pd.DataFrame, recon: Reconstruction) -> float | None:
    """Share of consecutive sightings of a plate correctly judged same-trip or new-trip.

    Truth: whether the two reads belong to the same true trip.
    """
    if len(reads) < 2:
        return None
    key = pd.factorize(pd.Series(recon.plate_key, dtype=object))[0]
    order = np.lexsort((reads["time_s"].to_numpy(), key))
    same_plate = key[order][1:] == key[order][:-1]
    if not same_plate.any():
        return None
    trip = reads["trip_id"].to_numpy()[order]
    trip = np.where(trip >= 0, trip, -1 - np.arange(len(trip)))  # each parked sighting is its own "trip"
    recon_id = recon.read_recon[order]
    truth = trip[1:] == trip[:-1]
    guess = recon_id[1:] == recon_id[:-1]
    return float((truth == guess)[same_plate].mean())


def misread_matching(reads: pd.DataFrame, trips: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """How well misreads were put back on their plates, and how often two vehicles were merged.

    Returns ``share_misreads_recovered`` (misread reads attributed to the
    true plate) and ``share_matches_wrong`` (reads moved to another plate that
    is not their vehicle's: two vehicles merged); ``None`` where undefined.
    """
    plate_of = trips.drop_duplicates("vehicle_id").set_index("vehicle_id")["plate"]
    true_plate = plate_of.reindex(reads["vehicle_id"]).to_numpy(dtype=object)
    read_plate = reads["plate_read"].to_numpy(dtype=object)
    misread = read_plate != true_plate
    moved = recon.plate_key != read_plate
    return {
        "n_misreads": int(misread.sum()),
        "share_misreads_recovered": float((recon.plate_key[misread] == true_plate[misread]).mean())
        if misread.any() else None,
        "n_matched": int(moved.sum()),
        "share_matches_wrong": float((recon.plate_key[moved] != true_plate[moved]).mean()) if moved.any() else None,
    }


def person_metrics(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, n_days: int, rng: np.random.Generator,
) -> dict[str, Any]:
    """Uniqueness for k = 1…5, and (multi-day runs) home inference and next-camera prediction."""
    out: dict[str, Any] = {f"uniqueness_k{k}": u for k, u in uniqueness_by_k(reads, [1, 2, 3, 4, 5], rng).items()}
    if n_days >= 2:
        out |= home_inference(reads, trips, net)
        out |= next_camera_accuracy(reads, n_days=n_days)
    else:
        reason = "needs a run of two or more days (demand.days)"
        out |= {"home_inference_accuracy": None, "home_inference_accuracy_reason": reason,
                "next_camera_top1_accuracy": None, "next_camera_top1_accuracy_reason": reason}
    return out


# --- long drives -----------------------------------------------------------------

def trip_gaps(
    net: RoadNetwork, route: np.ndarray, depart_s: float, read_edges: np.ndarray, read_times: np.ndarray,
) -> dict[str, float]:
    """The longest unobserved stretch of one drive, in kilometres and minutes.

    Sightings sit at the middle of their edges along the true route; the
    stretches are departure → first sighting, between sightings, and last
    sighting → arrival.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(2, 4, rng=np.random.default_rng(0), jitter_m=0)
    >>> route = np.array([net.edge_id(0, 1), net.edge_id(1, 2), net.edge_id(2, 3)])
    >>> gap = trip_gaps(net, route, 0.0, np.array([route[1]]), np.array([27.0]))
    >>> round(gap["longest_gap_km"], 3)
    0.225
    """
    length = net.edge_length[route]
    time = net.edge_time[route]
    start_m = np.concatenate([[0.0], np.cumsum(length)])
    start_t = np.concatenate([[0.0], np.cumsum(time)])
    position = {int(e): (start_m[i] + length[i] / 2, start_t[i] + time[i] / 2) for i, e in enumerate(route)}
    seen = sorted(position[int(e)] for e in read_edges if int(e) in position)
    metres = np.diff([0.0] + [m for m, _ in seen] + [start_m[-1]])
    seconds = np.diff([0.0] + [t for _, t in seen] + [start_t[-1]])
    return {"longest_gap_km": float(metres.max()) / 1000, "longest_gap_min": float(seconds.max()) / 60}


def long_trip_exposure(
    trips: pd.DataFrame, routes: Routes, reads: pd.DataFrame, layout: pd.DataFrame, trip_table: pd.DataFrame,
    net: RoadNetwork, *, min_km: float,
) -> dict[str, Any] | None:
    """For trips longer than ``min_km``: share of km covered, longest unobserved stretch, operators seeing it.

    ``reads`` and ``trip_table`` are one view's (e.g. an agency's). ``None``
    when no trip is that long.
    """
    long_rows = np.flatnonzero(trip_table["length_m"].to_numpy() > min_km * 1000)
    if not len(long_rows):
        return None
    operator = layout.set_index("camera_id")["operator"]
    by_trip = reads.groupby("trip_id")
    gaps, operators = [], []
    for row in long_rows:
        trip_id = trips["trip_id"].iloc[row]
        mine = by_trip.get_group(trip_id) if trip_id in by_trip.groups else reads.iloc[:0]
        gaps.append(trip_gaps(net, routes.route(row), 0.0, mine["edge"].to_numpy(), mine["time_s"].to_numpy()))
        operators.append(operator.reindex(mine["camera_id"]).nunique())
    return {
        "n_trips": int(len(long_rows)),
        "share_km_covered_mean": float(trip_table["route_recall"].to_numpy()[long_rows].mean()),
        "longest_gap_km_median": float(np.median([g["longest_gap_km"] for g in gaps])),
        "longest_gap_min_median": float(np.median([g["longest_gap_min"] for g in gaps])),
        "operators_seeing_mean": float(np.mean(operators)),
    }


# --- what a reads table reveals (real or simulated) ------------------------------

def repeat_gaps_s(reads: pd.DataFrame) -> np.ndarray:
    """Seconds between consecutive reads of the same plate (``plate_read, time_s``), every plate pooled.

    Examples
    --------
    >>> r = pd.DataFrame({"plate_read": ["A", "B", "A", "A"], "time_s": [0.0, 5.0, 60.0, 3600.0]})
    >>> repeat_gaps_s(r).tolist()
    [60.0, 3540.0]
    """
    frame = reads[["plate_read", "time_s"]].sort_values(["plate_read", "time_s"], kind="stable")
    same = frame["plate_read"].to_numpy()[1:] == frame["plate_read"].to_numpy()[:-1]
    return np.diff(frame["time_s"].to_numpy(float))[same]


def reads_per_plate_shares(reads: pd.DataFrame, top: int = 10) -> dict[str, float]:
    """Share of plates read exactly 1, 2, … times (``"10+"`` pools the rest).

    Examples
    --------
    >>> reads_per_plate_shares(pd.DataFrame({"plate_read": ["A", "B", "B", "C", "C", "C", "C"]}), top=3)
    {'1': 0.3333333333333333, '2': 0.3333333333333333, '3+': 0.3333333333333333}
    """
    counts = reads["plate_read"].value_counts().to_numpy()
    if not len(counts):
        return {}
    capped = np.minimum(counts, top)
    share = np.bincount(capped, minlength=top + 1)[1:] / len(counts)
    return {(str(i + 1) if i + 1 < top else f"{top}+"): float(s) for i, s in enumerate(share) if s > 0}


def reads_profile(reads: pd.DataFrame, *, place: str = "camera_id", rng: np.random.Generator) -> dict[str, Any]:
    """What a reads table reveals on its own: plates, repeats, days, uniqueness.

    ``reads`` needs ``plate_read``, ``time_s`` and the ``place`` column (the
    camera, or a place id of a mobile reader's sighting). Uniqueness treats
    each plate as a vehicle (misreads split one car in two; hashed plates
    are fine).
    """
    plates = reads["plate_read"].value_counts()
    gaps = repeat_gaps_s(reads)
    day = (reads["time_s"].to_numpy(float) // 86_400).astype(np.int64)
    days_per_plate = pd.Series(day).groupby(reads["plate_read"].to_numpy()).nunique()
    out: dict[str, Any] = {
        "n_reads": int(len(reads)),
        "n_plates": int(len(plates)),
        "share_plates_read_once": _ratio(int((plates == 1).sum()), len(plates)),
        "reads_per_plate_mean": _ratio(len(reads), len(plates)),
        "reads_per_plate_shares": reads_per_plate_shares(reads),
        "share_plates_seen_on_2plus_days": _ratio(int((days_per_plate >= 2).sum()), len(plates)),
        "repeat_gap_h_median": float(np.median(gaps)) / 3600 if len(gaps) else None,
        "repeat_gap_h_p10": float(np.quantile(gaps, 0.1)) / 3600 if len(gaps) else None,
        "repeat_gap_h_p90": float(np.quantile(gaps, 0.9)) / 3600 if len(gaps) else None,
    }
    traces = pd.DataFrame({"vehicle_id": reads["plate_read"].to_numpy(), "camera_id": reads[place].to_numpy(),
                           "time_s": reads["time_s"].to_numpy(float)})
    for k, share in uniqueness_by_k(traces, [1, 2, 3, 4, 5], rng).items():
        out[f"uniqueness_k{k}"] = share
    return out


def fleet_metrics(reads: pd.DataFrame, trips: pd.DataFrame, layout: pd.DataFrame, n_days: int) -> dict[str, Any]:
    """Fixed cameras and mobile readers side by side: reads, trips and vehicles read, and per unit of cost.

    ``layout`` may have ``kind`` (``fixed``/``mobile``) and ``cost`` (per
    reader) columns; a fleet's cost is ``None`` unless every reader in it
    has one.

    Examples
    --------
    >>> layout = pd.DataFrame({"camera_id": ["c1", "p1"], "kind": ["fixed", "mobile"], "cost": [10.0, 30.0]})
    >>> trips = pd.DataFrame({"trip_id": [0, 1], "vehicle_id": [0, 1]})
    >>> reads = pd.DataFrame({"camera_id": ["c1", "p1", "p1"], "trip_id": [0, 1, -1], "vehicle_id": [0, 1, 0]})
    >>> f = fleet_metrics(reads, trips, layout, 1)
    >>> f["mobile"]["share_vehicles_read"], f["mobile"]["share_trips_read_ge1"], f["mobile"]["vehicles_read_per_1000_cost"]
    (1.0, 0.5, 66.66666666666667)
    """
    kind = layout["kind"].fillna("fixed") if "kind" in layout.columns else pd.Series("fixed", index=layout.index)
    n_vehicles = int(trips["vehicle_id"].nunique())
    out: dict[str, Any] = {}
    for name in sorted(set(kind)):
        readers = layout[kind.to_numpy() == name]
        mine = reads[reads["camera_id"].isin(readers["camera_id"])]
        cost = None
        if "cost" in readers.columns and readers["cost"].notna().all():
            cost = float(readers["cost"].sum())
        vehicles = int(mine["vehicle_id"].nunique())
        out[name] = {
            "n_readers": int(len(readers)),
            "n_reads": int(len(mine)),
            "reads_per_reader_per_day": _ratio(len(mine), len(readers) * n_days),
            "share_trips_read_ge1": _ratio(int(mine.loc[mine["trip_id"] >= 0, "trip_id"].nunique()), len(trips)),
            "share_vehicles_read": _ratio(vehicles, n_vehicles),
            "cost": cost,
            "reads_per_1000_cost": _ratio(1000 * len(mine), cost) if cost else None,
            "vehicles_read_per_1000_cost": _ratio(1000 * vehicles, cost) if cost else None,
        }
    return out
