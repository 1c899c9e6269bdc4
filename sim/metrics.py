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

from sim._time import DAY_S
from sim.intervals import add_share, share_with_interval, wilson
from sim.network import RoadNetwork, Routes, adjacency_matrix
from sim.reconstruct import Reconstruction

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


def camera_free_pairs(
    net: RoadNetwork, watched: np.ndarray, rng: np.random.Generator, *, n_pairs: int = 500
) -> dict[str, Any]:
    """Share of sampled node pairs with a camera-free route, and detour ratios.

    ``detour_ratio`` is the fastest camera-free time over the fastest time
    (infinite when there is no camera-free route; the median excludes those).

    Returns
    -------
    dict
        ``camera_free_pair_share`` (with ``_n`` and a Wilson ``_ci``),
        ``detour_ratio_median`` and the arrays
        ``origins``, ``destinations``, ``fastest_s``, ``camera_free_s``.
    """
    origins = rng.integers(0, net.n_nodes, n_pairs)
    destinations = (origins + rng.integers(1, net.n_nodes, n_pairs)) % net.n_nodes
    free_adj = adjacency_matrix(net, removed=watched)
    fastest = _pair_times(net.adjacency, origins, destinations)
    free = _pair_times(free_adj, origins, destinations)
    ratio = free / fastest
    finite = np.isfinite(ratio)
    share, n, ci = share_with_interval(finite)  # the pairs are drawn independently: Wilson
    return {
        "camera_free_pair_share": share,
        "camera_free_pair_share_n": n,
        "camera_free_pair_share_ci": ci,
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
        "n_sightings": int(len(np.unique(sighting))) if sighting is not None else int(len(reads)),
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
    add_share(out, "share_trips_route_recovered", (recall >= 1 - 1e-9) & (precision >= 1 - 1e-9), vehicle)
    add_share(out, "share_plates_read_once", read_once.to_numpy() == 1)
    add_share(out, "share_long_trips_read", np.where(long, seen >= 1, np.nan), vehicle,
              reason=f"no trip is longer than {long_trip_km:g} km")
    # the whole of a person's movements: per vehicle, the share of all its driven km the reads recover
    length = trip_table["length_m"].to_numpy(float)
    per_vehicle = pd.DataFrame({"v": vehicle, "m": length, "seen_m": recall * length}).groupby("v").sum()
    per_vehicle = per_vehicle[per_vehicle["m"] > 0]
    km_share = (per_vehicle["seen_m"] / per_vehicle["m"]).to_numpy()
    out["vehicle_km_recovered_median"] = float(np.median(km_share)) if len(km_share) else None
    add_share(out, "share_vehicles_km_recovered_ge90", km_share >= 0.9, reason="no vehicle drove")
    return out


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


# --- exposure --------------------------------------------------------------

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


# --- person level ------------------------------------------------------------

def searcher_reads(reads: pd.DataFrame, plate_key: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The reads as a searcher holds them, and (for scoring only) the true vehicle behind each plate.

    The searcher's identity of a car is the plate as read, or the plate a
    misread was matched to (``plate_key`` of a
    :class:`~sim.reconstruct.Reconstruction`). ``owner`` maps each such
    plate to the true vehicle that holds most of its reads (ties to the
    lowest vehicle id); it is used only to score an inference, never to
    make one. A misread that splits one car into two plates thus makes two
    identities, as it does for a real searcher.

    Returns
    -------
    reads : pandas.DataFrame
        ``plate, camera_id, time_s, edge``.
    owner : pandas.Series
        plate → true ``vehicle_id`` (empty when ``reads`` has no truth).
    """
    plate = reads["plate_read"].to_numpy(dtype=object) if plate_key is None else np.asarray(plate_key, dtype=object)
    frame = pd.DataFrame({"plate": plate, "camera_id": reads["camera_id"].to_numpy(),
                          "time_s": reads["time_s"].to_numpy(float), "edge": reads["edge"].to_numpy(np.int64)})
    if "vehicle_id" not in reads.columns or not len(reads):
        return frame, pd.Series(dtype=np.int64)
    counts = pd.DataFrame({"plate": plate, "vehicle_id": reads["vehicle_id"].to_numpy()}).value_counts()
    counts = counts.reset_index(name="n").sort_values(["plate", "n", "vehicle_id"], ascending=[True, False, True],
                                                      kind="stable")
    owner = counts.drop_duplicates("plate").set_index("plate")["vehicle_id"]
    return frame, owner


def uniqueness(
    reads: pd.DataFrame, k: int, rng: np.random.Generator, *, max_plates: int = 5_000
) -> float | None:
    """Share of plates singled out by ``k`` random points of their trace (de Montjoye et al. 2013).

    ``reads`` holds ``plate, camera_id, time_s`` (see :func:`searcher_reads`).
    A plate's trace is its set of points (``camera_id``, ``floor(time_s /
    3600)``). For each plate with at least ``k`` distinct points (up to
    ``max_plates`` drawn at random), ``k`` of its points are drawn; it is
    unique when no other plate's trace holds all of them. ``None`` when no
    plate has ``k`` points.

    Examples
    --------
    >>> r = pd.DataFrame({"plate": ["A", "A", "B"], "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
    >>> uniqueness(r, 2, np.random.default_rng(0)), uniqueness(r, 1, np.random.default_rng(0)) in (0.0, 0.5)
    (1.0, True)
    """
    return uniqueness_by_k(reads, [k], rng, max_plates=max_plates)[k]


def uniqueness_by_k(
    reads: pd.DataFrame, ks: list[int], rng: np.random.Generator, *, max_plates: int = 5_000
) -> dict[int, float | None]:
    """:func:`uniqueness` for several ``k``, indexing the traces once."""
    return {k: (float(u["unique"].mean()) if len(u) else None)
            for k, u in unique_plates(reads, ks, rng, max_plates=max_plates).items()}


def trace_points(reads: pd.DataFrame) -> pd.Series:
    """Distinct (camera, hour) points of each plate: plate → number of points."""
    hour = (reads["time_s"].to_numpy() // 3600).astype(np.int64)
    points = pd.DataFrame({"plate": reads["plate"].to_numpy(), "camera_id": reads["camera_id"].to_numpy(),
                           "hour": hour}).drop_duplicates()
    return points.groupby("plate").size()


def unique_plates(
    reads: pd.DataFrame, ks: list[int], rng: np.random.Generator, *, max_plates: int = 5_000
) -> dict[int, pd.DataFrame]:
    """For each ``k``: the plates scored (``plate``) and whether ``k`` random points singled them out.

    See :func:`uniqueness`; the mean of ``unique`` is the uniqueness share,
    and the rows let it be split by group or bootstrapped.
    """
    empty = pd.DataFrame({"plate": pd.Series(dtype=object), "unique": pd.Series(dtype=bool)})
    if not len(reads):
        return {k: empty for k in ks}
    camera = pd.factorize(reads["camera_id"])[0].astype(np.int64)
    hour = (reads["time_s"].to_numpy() // 3600).astype(np.int64)
    point = camera * (int(hour.max()) + 1) + hour
    vehicle, vehicle_ids = pd.factorize(reads["plate"], sort=True)
    vehicle = vehicle.astype(np.int64)
    span = int(point.max()) + 1
    joint = np.unique(vehicle * span + point)  # sorted by plate, then point (one 1-D sort, not np.unique(axis=1))
    pairs = np.stack([joint // span, joint % span])
    by_vehicle = np.searchsorted(pairs[0], np.arange(vehicle.max() + 2))
    order = np.lexsort((pairs[0], pairs[1]))
    holders_point, holders_vehicle = pairs[1][order], pairs[0][order]
    size = np.diff(by_vehicle)
    out: dict[int, pd.DataFrame] = {}
    for k in ks:
        eligible = np.flatnonzero(size >= k)
        if not len(eligible):
            out[k] = empty
            continue
        if len(eligible) > max_plates:
            eligible = np.sort(rng.choice(eligible, max_plates, replace=False))
        unique = np.zeros(len(eligible), bool)
        for j, v in enumerate(eligible):
            trace = pairs[1][by_vehicle[v] : by_vehicle[v + 1]]
            chosen = rng.choice(trace, size=k, replace=False)
            common = None
            for p in chosen:
                lo, hi = np.searchsorted(holders_point, [p, p + 1])
                here = holders_vehicle[lo:hi]
                common = here if common is None else np.intersect1d(common, here, assume_unique=True)
            unique[j] = len(common) == 1
        out[k] = pd.DataFrame({"plate": np.asarray(vehicle_ids, dtype=object)[eligible], "unique": unique})
    return out


def home_inference(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, owner: pd.Series, *, within_m: float = 500.0,
    min_days: int = 2,
) -> dict[str, Any]:
    """Guess each plate's home as the camera of its first read on most days.

    ``reads`` are a searcher's (``plate, time_s, edge``, see
    :func:`searcher_reads`). Each plate read on at least ``min_days`` days
    is scored against the true home (the origin of the first trip) of the
    vehicle behind it (``owner``: plate → vehicle id).

    Returns
    -------
    dict
        ``home_inference_accuracy`` (share within ``within_m`` metres) with
        ``_n`` and a Wilson ``_ci``, ``home_error_m_median`` and
        ``n_vehicles_scored`` (plates scored); ``None`` when none qualifies.
    """
    frame = reads[["plate", "time_s", "edge"]].assign(day=(reads["time_s"].to_numpy() // DAY_S).astype(int))
    first = frame.sort_values(["plate", "time_s"], kind="stable").drop_duplicates(["plate", "day"])
    home = trips.sort_values(["vehicle_id", "depart_s"], kind="stable").drop_duplicates("vehicle_id")
    truth = owner.map(home.set_index("vehicle_id")["origin"])
    hits, error = _place_guess(first, truth, net, min_days=min_days, within_m=within_m)
    out: dict[str, Any] = {}
    add_share(out, "home_inference_accuracy", hits, reason="no plate was read on two or more days")
    return out | {"home_error_m_median": error, "n_vehicles_scored": int(len(hits))}


def _place_guess(
    daily: pd.DataFrame, truth: pd.Series, net: RoadNetwork, *, min_days: int, within_m: float
) -> tuple[np.ndarray, float | None]:
    """Guess a place per plate as its most frequent daily sighting edge (``plate, day, edge``; plates seen on
    ``min_days`` days or more) and score it against ``truth`` (plate → node id; plates without one are not scored).

    Returns whether each scored guess lies within ``within_m`` metres, and the median error (m).
    """
    days = daily.groupby("plate")["day"].nunique()
    daily = daily[daily["plate"].isin(days[days >= min_days].index) & daily["plate"].isin(truth.dropna().index)]
    if not len(daily):
        return np.zeros(0, bool), None
    counts = daily.groupby(["plate", "edge"]).size().reset_index(name="n")
    counts = counts.sort_values(["plate", "n", "edge"], ascending=[True, False, True], kind="stable")
    guess = counts.drop_duplicates("plate").set_index("plate")["edge"]
    place = net.node_indices(truth.reindex(guess.index).to_numpy())
    edge = guess.to_numpy()
    gx = (net.x[net.edge_u[edge]] + net.x[net.edge_v[edge]]) / 2
    gy = (net.y[net.edge_u[edge]] + net.y[net.edge_v[edge]]) / 2
    error = np.hypot(gx - net.x[place], gy - net.y[place])
    return error <= within_m, float(np.median(error))


def work_inference(
    reads: pd.DataFrame,
    persons: pd.DataFrame,
    net: RoadNetwork,
    owner: pd.Series,
    *,
    first_weekday: int = 0,
    within_m: float = 500.0,
    min_days: int = 2,
    morning_h: tuple[float, float] = (5.0, 12.0),
) -> dict[str, Any]:
    """Guess each plate's work place as the camera of its last weekday-morning read on most days.

    The last read between ``morning_h`` on a weekday (day 0 is weekday
    ``first_weekday``, Monday = 0) is taken as the end of the drive to work;
    the most frequent such camera over at least ``min_days`` weekdays is the
    guess. Plates whose vehicle (``owner``) is a worker (``persons``:
    ``vehicle_id, work, worker``) are scored against its true work place.

    Returns
    -------
    dict
        ``work_inference_accuracy`` (share within ``within_m`` metres) with
        ``_n`` and ``_ci``, ``work_error_m_median``, ``n_workers_scored``.
    """
    time = reads["time_s"].to_numpy(float)
    day = (time // DAY_S).astype(int)
    hour = time % DAY_S / 3600
    keep = ((first_weekday + day) % 7 < 5) & (hour >= morning_h[0]) & (hour < morning_h[1])
    frame = pd.DataFrame({"plate": reads["plate"].to_numpy()[keep], "day": day[keep],
                          "time_s": time[keep], "edge": reads["edge"].to_numpy()[keep]})
    workers = persons.loc[persons["worker"].to_numpy(bool)].set_index("vehicle_id")["work"]
    truth = owner.map(workers).dropna()
    last = frame.sort_values(["plate", "time_s"], kind="stable").drop_duplicates(["plate", "day"], keep="last")
    hits, error = _place_guess(last, truth, net, min_days=min_days, within_m=within_m)
    out: dict[str, Any] = {}
    add_share(out, "work_inference_accuracy", hits, reason="no worker's plate was read on two or more weekdays")
    return out | {"work_error_m_median": error, "n_workers_scored": int(len(hits))}


def next_camera_hits(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1, order: int = 1
) -> pd.DataFrame:
    """Every held-out transition of every plate, and whether the model's top 1 / top 3 held the next camera.

    ``reads`` are a searcher's (``plate, camera_id, time_s``). ``order`` 0 is
    the frequency baseline (a plate's most frequent next cameras, whatever
    the current one), 1 and 2 are Markov models over the last one or two
    cameras of the same plate (a plate's first reads have shorter states;
    a state never reaches into another plate's reads). Each model learns
    only from the training days (all but the last ``test_days``): per plate,
    then all plates' transitions from the same state, then the cameras most
    often read in training. Reads after the end of day ``n_days`` (trips
    that run past the last midnight) count to the last day.

    Returns
    -------
    pandas.DataFrame
        ``plate, top1, top3`` (bool), one row per scored transition.
    """
    empty = pd.DataFrame({"plate": pd.Series(dtype=object), "top1": pd.Series(dtype=bool),
                          "top3": pd.Series(dtype=bool)})
    if not len(reads):
        return empty
    frame = reads.sort_values(["plate", "time_s"], kind="stable")
    day = (frame["time_s"].to_numpy() // DAY_S).astype(int)
    if n_days is not None:
        day = np.minimum(day, n_days - 1)
    last = day.max()
    if last - day.min() < test_days:
        return empty
    plate = frame["plate"].to_numpy()
    camera = frame["camera_id"].to_numpy()
    first_of_plate = _run_starts(plate)
    state = [tuple(camera[max(first_of_plate[i], i - order + 1) : i + 1]) if order else ()
             for i in range(len(camera))]
    same = np.concatenate([plate[1:] == plate[:-1], [False]])
    in_training = day <= last - test_days
    train = same & in_training & np.concatenate([in_training[1:], [False]])
    test = same & (day > last - test_days)
    personal: dict[tuple[Any, tuple[Any, ...]], dict[Any, int]] = {}
    shared: dict[tuple[Any, ...], dict[Any, int]] = {}
    for i in np.flatnonzero(train):
        for table, key in ((personal, (plate[i], state[i])), (shared, state[i])):
            row = table.setdefault(key, {})
            row[camera[i + 1]] = row.get(camera[i + 1], 0) + 1
    # the fallback ranking, too, is learnt from the training days only
    popular = pd.Series(camera[in_training]).value_counts().index.tolist()
    scored = np.flatnonzero(test)
    top1 = np.zeros(len(scored), bool)
    top3 = np.zeros(len(scored), bool)
    for j, i in enumerate(scored):
        row = personal.get((plate[i], state[i])) or shared.get(state[i]) or {}
        ranked = sorted(row, key=lambda c: (-row[c], str(c))) + [c for c in popular if c not in row][:3]
        top1[j] = bool(ranked) and ranked[0] == camera[i + 1]
        top3[j] = camera[i + 1] in ranked[:3]
    return pd.DataFrame({"plate": plate[scored], "top1": top1, "top3": top3})


def _run_starts(labels: np.ndarray) -> np.ndarray:
    """For each position of a sorted label array, the position where its run of equal labels starts."""
    if not len(labels):
        return np.zeros(0, dtype=np.int64)
    new = np.concatenate([[True], labels[1:] != labels[:-1]])
    starts = np.flatnonzero(new)
    return starts[np.cumsum(new) - 1]


def next_camera_accuracy(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1, order: int = 1
) -> dict[str, Any]:
    """Share of held-out transitions whose next camera the model ranked first / in its top 3.

    See :func:`next_camera_hits`.

    Returns
    -------
    dict
        ``next_camera_top1_accuracy``, ``next_camera_top3_accuracy`` and
        ``n_transitions_scored`` (accuracies ``None`` with nothing to score).
    """
    hits = next_camera_hits(reads, n_days=n_days, test_days=test_days, order=order)
    if not len(hits):
        return {"next_camera_top1_accuracy": None, "next_camera_top3_accuracy": None, "n_transitions_scored": 0}
    return {
        "next_camera_top1_accuracy": float(hits["top1"].mean()),
        "next_camera_top3_accuracy": float(hits["top3"].mean()),
        "n_transitions_scored": int(len(hits)),
    }


#: Next-camera models: name → Markov order (0: the frequency baseline).
PREDICTORS = {"frequency": 0, "markov1": 1, "markov2": 2}


def predictability(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Next-camera prediction by every model of :data:`PREDICTORS`, overall (with 95 % CIs) and per vehicle.

    Returns
    -------
    summary : dict
        Model → ``top1``, ``top3``, ``top1_ci``, ``top3_ci`` (Wilson at the
        effective sample size of transitions clustered by plate, see
        :mod:`sim.intervals`), ``n_transitions``, ``n_vehicles`` (plates).
    per_vehicle : pandas.DataFrame
        ``plate, model, n_transitions, top1, top3`` (accuracies; one row per plate as the searcher holds it).
    """
    summary, tables = {}, []
    for model, order in PREDICTORS.items():
        hits = next_camera_hits(reads, n_days=n_days, test_days=test_days, order=order)
        per = hits.groupby("plate").agg(n_transitions=("top1", "size"), top1=("top1", "sum"),
                                             top3=("top3", "sum")).reset_index()
        # one plate's transitions are not independent: Wilson at the effective size of plate clusters
        top1, n, top1_ci = share_with_interval(hits["top1"].to_numpy(), hits["plate"].to_numpy())
        top3, _, top3_ci = share_with_interval(hits["top3"].to_numpy(), hits["plate"].to_numpy())
        summary[model] = {"top1": top1, "top3": top3, "top1_ci": top1_ci, "top3_ci": top3_ci,
                          "n_transitions": n, "n_vehicles": int(len(per))}
        per["top1"] = per["top1"] / per["n_transitions"]
        per["top3"] = per["top3"] / per["n_transitions"]
        tables.append(per.assign(model=model))
    per_vehicle = pd.concat(tables, ignore_index=True)[["plate", "model", "n_transitions", "top1", "top3"]]
    return summary, per_vehicle


# --- reconstruction quality ------------------------------------------------------

def trip_split_accuracy(reads: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """Share of consecutive reads of a plate correctly judged same-trip or new-trip.

    Truth: whether the two reads belong to the same true trip. Returns
    ``trip_split_accuracy`` with ``_n`` (pairs judged) and ``_ci`` (Wilson at
    the effective size of pairs clustered by plate).
    """
    out: dict[str, Any] = {}
    key = pd.factorize(pd.Series(recon.plate_key, dtype=object))[0]
    order = np.lexsort((reads["time_s"].to_numpy(), key))
    same_plate = key[order][1:] == key[order][:-1]
    trip = reads["trip_id"].to_numpy()[order]
    trip = np.where(trip >= 0, trip, -1 - np.arange(len(trip)))  # each parked sighting is its own "trip"
    recon_id = recon.read_recon[order]
    right = (trip[1:] == trip[:-1]) == (recon_id[1:] == recon_id[:-1])
    add_share(out, "trip_split_accuracy", right[same_plate], key[order][1:][same_plate],
              reason="no plate was read twice")
    return out


def misread_matching(reads: pd.DataFrame, trips: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """How well misreads were put back on their plates, and how often two vehicles were merged.

    Returns ``share_misreads_recovered`` (misread reads attributed to the
    true plate) and ``share_matches_wrong`` (reads moved to another plate that
    is not their vehicle's: two vehicles merged), each with ``_n`` and a
    Wilson ``_ci`` (reads clustered by vehicle); ``None`` where undefined.
    """
    plate_of = trips.drop_duplicates("vehicle_id").set_index("vehicle_id")["plate"]
    vehicle = reads["vehicle_id"].to_numpy()
    true_plate = plate_of.reindex(vehicle).to_numpy(dtype=object)
    read_plate = reads["plate_read"].to_numpy(dtype=object)
    misread = read_plate != true_plate
    moved = recon.plate_key != read_plate
    out: dict[str, Any] = {"n_misreads": int(misread.sum()), "n_matched": int(moved.sum())}
    add_share(out, "share_misreads_recovered", recon.plate_key[misread] == true_plate[misread], vehicle[misread])
    add_share(out, "share_matches_wrong", recon.plate_key[moved] != true_plate[moved], vehicle[moved])
    return out


def person_metrics(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, n_days: int, rng: np.random.Generator,
    *, persons: pd.DataFrame | None = None, first_weekday: int = 0, plate_key: np.ndarray | None = None,
    max_plates: int = 5_000,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Uniqueness for k = 1…5, and (multi-day runs) home and work inference and predictability.

    Every inference keys on the plate as the searcher holds it (``plate_key``,
    the plate after misread matching; default the plate as read); the truth
    in ``reads`` and ``trips`` only scores it (see :func:`searcher_reads`).
    Work inference needs ``persons`` (the population model's ``vehicle_id,
    work, worker``).

    Returns
    -------
    metrics : dict
    tables : dict
        ``vehicle_uniqueness`` (``plate, vehicle_id, k, unique``; ``vehicle_id``
        is the true vehicle behind the plate) and, for multi-day runs,
        ``predictability`` (per plate and model, see :func:`predictability`).
    """
    seen, owner = searcher_reads(reads, plate_key)
    unique = unique_plates(seen, [1, 2, 3, 4, 5], rng, max_plates=max_plates)
    points = trace_points(seen)
    out: dict[str, Any] = {}
    for k, u in unique.items():
        add_share(out, f"uniqueness_k{k}", u["unique"].to_numpy(), reason=f"no plate has {k} distinct points")
        # the same count over every plate sighted (a plate with fewer than k points is not singled out by k)
        of_all = (out[f"uniqueness_k{k}"] or 0.0) * int((points >= k).sum()) / len(points) if len(points) else None
        out[f"uniqueness_k{k}_of_all"] = of_all
        out[f"uniqueness_k{k}_of_all_ci"] = wilson(of_all, len(points)) if of_all is not None else None
    out["uniqueness_n_plates"] = int(len(points))
    out["uniqueness_ci"] = {f"k{k}": out[f"uniqueness_k{k}_ci"] for k in unique}
    tables = {"vehicle_uniqueness": pd.concat(
        [u.assign(vehicle_id=owner.reindex(u["plate"]).to_numpy(), k=k) for k, u in unique.items()],
        ignore_index=True)[["plate", "vehicle_id", "k", "unique"]]}
    if n_days >= 2:
        out |= home_inference(seen, trips, net, owner)
        if persons is not None:
            out |= work_inference(seen, persons, net, owner, first_weekday=first_weekday)
        else:
            out["work_inference_accuracy"] = None
            out["work_inference_accuracy_reason"] = "needs the population model (demand.model = \"population\")"
        summary, per_plate = predictability(seen, n_days=n_days)
        markov1 = summary["markov1"]
        out |= {"next_camera_top1_accuracy": markov1["top1"], "next_camera_top1_accuracy_n": markov1["n_transitions"],
                "next_camera_top1_accuracy_ci": markov1["top1_ci"], "next_camera_top3_accuracy": markov1["top3"],
                "next_camera_top3_accuracy_n": markov1["n_transitions"],
                "next_camera_top3_accuracy_ci": markov1["top3_ci"],
                "n_transitions_scored": markov1["n_transitions"], "predictability": summary}
        tables["predictability"] = per_plate
    else:
        reason = "needs a run of two or more days (demand.days)"
        out |= {"home_inference_accuracy": None, "home_inference_accuracy_reason": reason,
                "next_camera_top1_accuracy": None, "next_camera_top1_accuracy_reason": reason}
    return out, tables


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


def _long_route_table(
    routes: Routes, net: RoadNetwork, long_rows: np.ndarray, n_trips: int
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], pd.DataFrame]:
    """Where each edge of the long trips' routes lies (middle, m and s from the start), and each trip's total.

    The same for every view of a run, so it is kept on the ``routes`` object
    (keyed by the long trips) and computed once.
    """
    key = ("long_route_table", long_rows.tobytes())
    cache = routes.__dict__.setdefault("_cache", {})
    if key in cache:
        return cache[key]
    counts = np.diff(routes.offsets)[long_rows]
    before = np.cumsum(counts) - counts
    flat = np.repeat(routes.offsets[long_rows], counts) + (np.arange(int(counts.sum())) - np.repeat(before, counts))
    row = np.repeat(long_rows, counts)
    edge = routes.edges[flat]
    length, time = net.edge_length[edge], net.edge_time[edge]
    first = np.repeat(before, counts)
    start_m = np.cumsum(length) - length
    start_m -= start_m[first]
    start_t = np.cumsum(time) - time
    start_t -= start_t[first]
    # a sighting sits where the route first takes its edge: keep the first (row, edge), sorted for lookups
    keys, first_at = np.unique(row * net.n_edges + edge, return_index=True)
    route = (keys, (start_m + length / 2)[first_at], (start_t + time / 2)[first_at])
    total = pd.DataFrame({"row": long_rows, "m": np.bincount(row, weights=length, minlength=n_trips)[long_rows],
                          "t": np.bincount(row, weights=time, minlength=n_trips)[long_rows]})
    cache.clear()  # one entry is enough: every view of a run asks for the same long trips
    cache[key] = (route, total)
    return route, total


def long_trip_exposure(
    trips: pd.DataFrame, routes: Routes, reads: pd.DataFrame, layout: pd.DataFrame, trip_table: pd.DataFrame,
    net: RoadNetwork, *, min_km: float,
) -> dict[str, Any] | None:
    """For trips longer than ``min_km``: share of km covered, longest unobserved stretch, operators seeing it.

    ``reads`` and ``trip_table`` are one view's (e.g. an agency's). The
    stretches are those of :func:`trip_gaps`, computed for every long trip
    at once. ``None`` when no trip is that long.
    """
    long_rows = np.flatnonzero(trip_table["length_m"].to_numpy() > min_km * 1000)
    if not len(long_rows):
        return None
    route, total = _long_route_table(routes, net, long_rows, len(trips))
    trip_row = pd.Index(trips["trip_id"]).get_indexer(reads["trip_id"])
    is_long = np.zeros(len(trips) + 1, bool)
    is_long[long_rows] = True
    mine = np.flatnonzero(is_long[trip_row])  # row -1 (no trip) maps to the extra False
    keys, route_m, route_t = route
    wanted = trip_row[mine].astype(np.int64) * net.n_edges + reads["edge"].to_numpy(np.int64)[mine]
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    hit = keys[at] == wanted
    rows = np.concatenate([long_rows, trip_row[mine][hit], long_rows])
    m = np.concatenate([np.zeros(len(long_rows)), route_m[at[hit]], total["m"].to_numpy()])
    t = np.concatenate([np.zeros(len(long_rows)), route_t[at[hit]], total["t"].to_numpy()])
    order = np.lexsort((t, m, rows))
    rows, m, t = rows[order], m[order], t[order]
    same = rows[1:] == rows[:-1]
    gaps = pd.DataFrame({"row": rows[1:][same], "km": np.diff(m)[same] / 1000,
                         "min": np.diff(t)[same] / 60}).groupby("row").max()
    camera_row = pd.Index(layout["camera_id"]).get_indexer(reads["camera_id"].to_numpy()[mine])
    operator = pd.factorize(layout["operator"])[0][camera_row]
    seen_by = pd.DataFrame({"row": trip_row[mine], "op": operator}).drop_duplicates().groupby("row").size()
    out: dict[str, Any] = {"n_trips": int(len(long_rows))}
    add_share(out, "share_km_covered_mean", trip_table["route_recall"].to_numpy()[long_rows],
              trips["vehicle_id"].to_numpy()[long_rows])
    return out | {
        "longest_gap_km_median": float(np.median(gaps["km"].reindex(long_rows).to_numpy())),
        "longest_gap_min_median": float(np.median(gaps["min"].reindex(long_rows).to_numpy())),
        "operators_seeing_mean": float(seen_by.reindex(long_rows, fill_value=0).mean()),
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
    day = (reads["time_s"].to_numpy(float) // DAY_S).astype(np.int64)
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
    traces = pd.DataFrame({"plate": reads["plate_read"].to_numpy(), "camera_id": reads[place].to_numpy(),
                           "time_s": reads["time_s"].to_numpy(float)})
    for k, share in uniqueness_by_k(traces, [1, 2, 3, 4, 5], rng).items():
        out[f"uniqueness_k{k}"] = share
    return out


def log_profile(reads: pd.DataFrame, *, sample_share: float = 1.0) -> dict[str, Any]:
    """What :func:`sim.plot.side_by_side_figure` draws of one plate-read log (``plate_read, time_s, camera_id``).

    ``reader_days`` are the reads of each reader on each day it read, divided
    by ``sample_share`` when the log comes from a sampled fleet (a reader
    meets that share of the plates it would).

    Examples
    --------
    >>> r = pd.DataFrame({"plate_read": ["A", "A", "B"], "time_s": [0.0, 90_000.0, 10.0], "camera_id": ["c", "c", "d"]})
    >>> p = log_profile(r)
    >>> p["share_plates_read_once"], sorted(p["reader_days"].tolist()), p["repeat_gaps_s"].tolist()
    (0.5, [1.0, 1.0, 1.0], [90000.0])
    """
    plates = reads["plate_read"].value_counts()
    day = (reads["time_s"].to_numpy(float) // DAY_S).astype(np.int64)
    per_reader_day = pd.Series(1, index=pd.MultiIndex.from_arrays([reads["camera_id"].to_numpy(), day])).groupby(
        level=[0, 1]).size()
    return {
        "reads_per_plate_shares": reads_per_plate_shares(reads),
        "share_plates_read_once": _ratio(int((plates == 1).sum()), len(plates)),
        "reader_days": per_reader_day.to_numpy(float) / sample_share,
        "repeat_gaps_s": repeat_gaps_s(reads),
    }


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
            "cost": cost,
            "reads_per_1000_cost": _ratio(1000 * len(mine), cost) if cost else None,
            "vehicles_read_per_1000_cost": _ratio(1000 * vehicles, cost) if cost else None,
        }
        add_share(out[name], "share_trips_read_ge1", trips["trip_id"].isin(mine["trip_id"]).to_numpy(),
                  trips["vehicle_id"].to_numpy())
        add_share(out[name], "share_vehicles_read", np.isin(np.unique(trips["vehicle_id"]), mine["vehicle_id"]))
    return out


# --- where surveillance concentrates ------------------------------------------------

def area_labels(
    net: RoadNetwork,
    how: str,
    *,
    center: tuple[float, float] | None = None,
    ring_km: float | None = None,
    rings: int = 5,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The area of every node and every edge, and the area names in order (core first).

    ``how = "rings"``: rings of ``ring_km`` around ``center`` (projected
    metres; default the middle of the network's bounding box); without
    ``ring_km``, ``rings`` rings of equal width out to the farthest node.
    An edge lies where its midpoint does. ``how = "jurisdiction"``: each
    edge's ``jurisdiction``; a node takes its first outgoing edge's.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(5, 5, rng=np.random.default_rng(0), jitter_m=0, block_m=100)
    >>> nodes, edges, names = area_labels(net, "rings", ring_km=0.1)
    >>> names[:2], int((nodes == names[0]).sum())
    (['0–0.1 km', '0.1–0.2 km'], 1)
    """
    if how == "jurisdiction":
        from sim.network import edge_jurisdiction

        edge = edge_jurisdiction(net).astype(str)
        first_out = pd.Series(edge).groupby(net.edge_u).first()
        node = first_out.reindex(np.arange(net.n_nodes)).fillna("").to_numpy(dtype=object).astype(str)
        names = sorted(set(edge) | set(node))
        return node, edge, names
    if how != "rings":
        raise ValueError(f"areas must be 'rings' or 'jurisdiction', got {how!r}")
    cx, cy = center if center is not None else ((net.x.min() + net.x.max()) / 2, (net.y.min() + net.y.max()) / 2)
    node_d = np.hypot(net.x - cx, net.y - cy)
    edge_d = np.hypot((net.x[net.edge_u] + net.x[net.edge_v]) / 2 - cx, (net.y[net.edge_u] + net.y[net.edge_v]) / 2 - cy)
    if ring_km is None:
        width = max(float(node_d.max()), 1.0) / rings * (1 + 1e-9)
    else:
        width = ring_km * 1000.0
        rings = max(1, int(np.ceil(max(node_d.max(), edge_d.max()) / width + 1e-12)))
    names = [f"{i * width / 1000:.3g}–{(i + 1) * width / 1000:.3g} km" for i in range(rings)]
    index = lambda d: np.minimum((d // width).astype(int), rings - 1)  # noqa: E731
    labels = np.array(names, dtype=object)
    return labels[index(node_d)].astype(str), labels[index(edge_d)].astype(str), names


def exposure_by_area(
    net: RoadNetwork,
    node_area: np.ndarray,
    edge_area: np.ndarray,
    names: list[str],
    *,
    layout: pd.DataFrame,
    trips: pd.DataFrame,
    routes: Routes,
    reads: pd.DataFrame,
    trip_table: pd.DataFrame,
    n_days: int,
    unique: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per area: cameras and road, vehicles driving there and observed there; and per home area, its residents'.

    Columns: ``area, road_km, n_cameras, cameras_per_10_road_km,
    n_vehicles_driving, n_vehicles_observed, share_vehicles_observed,
    reads_per_vehicle_driving`` (where traffic is: a vehicle is observed in
    an area when a camera there read it), then ``n_residents,
    resident_share_trips_read, resident_reads_per_vehicle_per_day,
    resident_uniqueness`` (vehicles whose home — the origin of their first
    trip — is in the area; ``unique`` holds ``vehicle_id, unique`` for one
    k, see :func:`unique_vehicles`). Fixed cameras only count as cameras;
    every reader's reads count.
    """
    has_reverse = net.reverse_edge(np.arange(net.n_edges)) >= 0
    road_m = pd.Series(net.edge_length * np.where(has_reverse, 0.5, 1.0)).groupby(edge_area).sum()
    fixed = layout if "kind" not in layout.columns else layout[layout["kind"].fillna("fixed") != "mobile"]
    camera_edge = np.array([net.edge_id(u, v, k) for u, v, k in zip(fixed["u"], fixed["v"], fixed["key"])],
                           dtype=np.int64)
    cameras = pd.Series(edge_area[camera_edge]).value_counts()
    vehicle_of_trip = trips["vehicle_id"].to_numpy()
    driving = (pd.DataFrame({"area": edge_area[routes.edges], "vehicle": vehicle_of_trip[routes.trip_of_edge()]})
               .drop_duplicates().groupby("area")["vehicle"].nunique())
    read_area = edge_area[reads["edge"].to_numpy(np.int64)]
    observed = pd.Series(reads["vehicle_id"].to_numpy()).groupby(read_area).nunique()
    n_reads = pd.Series(read_area).value_counts()
    first = trips.sort_values(["vehicle_id", "depart_s"], kind="stable").drop_duplicates("vehicle_id")
    home = pd.Series(node_area[net.node_indices(first["origin"])], index=first["vehicle_id"].to_numpy())
    trip_home = home.reindex(vehicle_of_trip).to_numpy()
    read_ge1 = trip_table["n_reads"].to_numpy() >= 1
    residents = home.value_counts()
    resident_trips_read = pd.Series(read_ge1).groupby(trip_home).mean()
    resident_reads = pd.Series(home.reindex(reads["vehicle_id"].to_numpy()).to_numpy()).value_counts()
    resident_unique = (pd.Series(unique["unique"].to_numpy()).groupby(home.reindex(unique["vehicle_id"]).to_numpy())
                       .mean() if unique is not None and len(unique) else pd.Series(dtype=float))
    rows = []
    for name in names:
        road_km = float(road_m.get(name, 0.0)) / 1000
        n_cam = int(cameras.get(name, 0))
        n_drive = int(driving.get(name, 0))
        n_obs = int(observed.get(name, 0))
        n_res = int(residents.get(name, 0))
        rows.append({
            "area": name,
            "road_km": road_km,
            "n_cameras": n_cam,
            "cameras_per_10_road_km": 10 * n_cam / road_km if road_km else np.nan,
            "n_vehicles_driving": n_drive,
            "n_vehicles_observed": n_obs,
            "share_vehicles_observed": n_obs / n_drive if n_drive else np.nan,
            "reads_per_vehicle_driving": int(n_reads.get(name, 0)) / n_drive if n_drive else np.nan,
            "n_residents": n_res,
            "resident_share_trips_read": float(resident_trips_read.get(name, np.nan)),
            "resident_reads_per_vehicle_per_day": (int(resident_reads.get(name, 0)) / n_res / n_days
                                                   if n_res else np.nan),
            "resident_uniqueness": float(resident_unique.get(name, np.nan)),
        })
    return pd.DataFrame(rows)


def area_summary(table: pd.DataFrame, how: str) -> dict[str, Any]:
    """``metrics.json`` form of :func:`exposure_by_area`, with the core − periphery gap for rings."""
    areas = {row["area"]: {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                           for k, v in row.items() if k != "area"} for row in table.to_dict("records")}
    out: dict[str, Any] = {"how": how, "areas": areas}
    if how == "rings" and len(table) >= 2:
        core, edge = table.iloc[0], table.iloc[-1]
        for key in ("share_vehicles_observed", "resident_share_trips_read"):
            gap = core[key] - edge[key]
            out[f"core_minus_periphery_{key}"] = float(gap) if np.isfinite(gap) else None
    return out


def volume_concentration(volume: np.ndarray, length_m: np.ndarray, *, top: float = 0.1) -> dict[str, float]:
    """How concentrated traffic is on a network's links.

    ``share_vkm_top``: the share of vehicle-km driven on the busiest ``top``
    share of links (ranked by volume; at least one link). ``gini``: the Gini
    coefficient of the link volumes (0: every link carries the same traffic;
    near 1: a few links carry it all). Real networks, with motorways and
    arterials, are far more concentrated than a uniform grid.

    Examples
    --------
    >>> c = volume_concentration(np.array([10.0, 0.0, 0.0, 0.0]), np.ones(4), top=0.25)
    >>> c["share_vkm_top"], c["gini"]
    (1.0, 0.75)
    >>> volume_concentration(np.ones(4), np.ones(4), top=0.25)["gini"]
    0.0
    """
    volume, length_m = np.asarray(volume, float), np.asarray(length_m, float)
    order = np.argsort(-volume, kind="stable")
    n_top = max(1, int(round(top * len(volume))))
    vkm = volume * length_m
    ranked = np.sort(volume)
    n = len(ranked)
    # Gini as the mean absolute difference over twice the mean: sum_i (2i - n - 1) x_(i) / (n sum x)
    gini = float(((2 * np.arange(1, n + 1) - n - 1) * ranked).sum() / (n * ranked.sum())) if ranked.sum() else 0.0
    return {"share_vkm_top": float(vkm[order[:n_top]].sum() / vkm.sum()) if vkm.sum() else 0.0, "gini": gini}
