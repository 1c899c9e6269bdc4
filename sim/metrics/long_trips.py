"""Long drives: how much of a long trip each view recovers, and the gaps between its reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import first_occurrences, positions_in, rows_of
from sim.intervals import add_share
from sim.network import RoadNetwork
from sim.routing import Routes


LONG_TRIP_KM = 5.0


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


@dataclass(frozen=True)
class LongRoutes:
    """Where each edge of the long trips' routes lies, and each long trip's total (see :func:`long_route_table`)."""

    #: rows (trip positions) of the trips longer than the threshold
    rows: np.ndarray
    #: ``row * n_edges + edge`` of each first passage of an edge, sorted, and its middle in m and s from the start
    keys: np.ndarray
    middle_m: np.ndarray
    middle_s: np.ndarray
    #: ``row, m, t``: each long trip's length and travel time
    total: pd.DataFrame


def long_route_table(routes: Routes, net: RoadNetwork, trips: pd.DataFrame, *, min_km: float) -> LongRoutes:
    """The route table of the trips longer than ``min_km`` (``trips.length_m``), the same for every view of a run.

    Only trips whose routes are kept count (``routes.kept``, when the run keeps a sample of them).
    """
    long = trips["length_m"].to_numpy() > min_km * 1000
    long_rows = np.flatnonzero(long if routes.kept is None else long & routes.kept)
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
    keys, first_at = first_occurrences(row * net.n_edges + edge)
    n_trips = len(trips)
    total = pd.DataFrame({"row": long_rows, "m": np.bincount(row, weights=length, minlength=n_trips)[long_rows],
                          "t": np.bincount(row, weights=time, minlength=n_trips)[long_rows]})
    return LongRoutes(long_rows, keys, (start_m + length / 2)[first_at], (start_t + time / 2)[first_at], total)


def long_trip_exposure(
    trips: pd.DataFrame, routes: Routes, reads: pd.DataFrame, layout: pd.DataFrame, trip_table: pd.DataFrame,
    net: RoadNetwork, *, min_km: float, table: LongRoutes | None = None,
) -> dict[str, Any] | None:
    """For trips longer than ``min_km``: share of km covered, longest unobserved stretch, operators seeing it.

    ``n_operators`` is how many operators run the cameras of ``layout`` (the
    run's, the same in every view), the most that can see one drive.

    ``reads`` and ``trip_table`` are one view's (e.g. an agency's). The
    stretches are those of :func:`trip_gaps`, computed for every long trip
    at once. ``None`` when no trip is that long. ``table`` is the run's
    :func:`long_route_table` (computed here when not given).
    """
    if table is None:
        table = long_route_table(routes, net, trip_table, min_km=min_km)
    long_rows, total = table.rows, table.total
    if not len(long_rows):
        return None
    trip_row = rows_of(trips["trip_id"].to_numpy(), reads["trip_id"].to_numpy())  # (no hash table of the trips)
    is_long = np.zeros(len(trips) + 1, bool)
    is_long[long_rows] = True
    mine = np.flatnonzero(is_long[trip_row])  # row -1 (no trip) maps to the extra False
    keys, route_m, route_t = table.keys, table.middle_m, table.middle_s
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
    camera_row = positions_in(layout["camera_id"], reads["camera_id"].iloc[mine])
    operator = pd.factorize(layout["operator"])[0][camera_row]
    seen_by = pd.DataFrame({"row": trip_row[mine], "op": operator}).drop_duplicates().groupby("row").size()
    out: dict[str, Any] = {"n_trips": int(len(long_rows))}
    add_share(out, "share_km_covered_mean", trip_table["route_recall"].to_numpy()[long_rows],
              trips["vehicle_id"].to_numpy()[long_rows])
    return out | {
        "longest_gap_km_median": float(np.median(gaps["km"].reindex(long_rows).to_numpy())),
        "longest_gap_min_median": float(np.median(gaps["min"].reindex(long_rows).to_numpy())),
        "operators_seeing_mean": float(seen_by.reindex(long_rows, fill_value=0).mean()),
        "n_operators": int(layout["operator"].nunique()),
    }
