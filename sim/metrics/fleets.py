"""Per fleet of readers (fixed cameras, patrol cars, each cost group): reads, plates and cost."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.intervals import add_share
from sim.metrics.trips import _ratio


def fleet_metrics(
    reads: pd.DataFrame, trips: pd.DataFrame, layout: pd.DataFrame, n_days: int, *, sighting: np.ndarray | None = None
) -> dict[str, Any]:
    """Fixed cameras and mobile readers side by side: reads, observations, trips and vehicles read, per unit of cost.

    ``layout`` may have ``kind`` (``fixed``/``mobile``) and ``cost`` (per
    reader) columns; a fleet's cost is ``None`` unless every reader in it
    has one.

    ``n_observations`` counts what a searcher learns, not rows: a moving
    car's pass at a reader once (its ``sighting``, default each read its
    own), and a parked car once per reader and stay (between two of its
    trips), however often a patrol passes it; ``n_parked_reads`` are the
    reads of parked cars.

    Examples
    --------
    >>> layout = pd.DataFrame({"camera_id": ["c1", "p1"], "kind": ["fixed", "mobile"], "cost": [10.0, 30.0]})
    >>> trips = pd.DataFrame({"trip_id": [0, 1], "vehicle_id": [0, 1], "depart_s": [0.0, 0.0]})
    >>> reads = pd.DataFrame({"camera_id": ["c1", "p1", "p1"], "trip_id": [0, 1, -1], "vehicle_id": [0, 1, 0],
    ...                       "time_s": [10.0, 20.0, 900.0]})
    >>> f = fleet_metrics(reads, trips, layout, 1)
    >>> (f["mobile"]["share_vehicles_read"], f["mobile"]["share_trips_read_ge1"],
    ...  f["mobile"]["vehicles_read_per_1000_cost"])
    (1.0, 0.5, 66.66666666666667)
    """
    kind = layout["kind"].fillna("fixed") if "kind" in layout.columns else pd.Series("fixed", index=layout.index)
    observation = observation_ids(reads, trips, sighting)
    out: dict[str, Any] = {}
    for name in sorted(set(kind)):
        readers = layout[kind.to_numpy() == name]
        held = reads["camera_id"].isin(readers["camera_id"]).to_numpy()
        mine = reads[held]
        cost = None
        if "cost" in readers.columns and readers["cost"].notna().all():
            cost = float(readers["cost"].sum())
        vehicles = int(mine["vehicle_id"].nunique())
        observations = len(np.unique(observation[held]))
        out[name] = {
            "n_readers": int(len(readers)),
            "n_reads": int(len(mine)),
            "n_parked_reads": int((mine["trip_id"].to_numpy() < 0).sum()),
            "n_observations": observations,
            "reads_per_reader_per_day": _ratio(len(mine), len(readers) * n_days),
            "cost": cost,
            "reads_per_1000_cost": _ratio(1000 * len(mine), cost) if cost else None,
            "observations_per_1000_cost": _ratio(1000 * observations, cost) if cost else None,
            "vehicles_read_per_1000_cost": _ratio(1000 * vehicles, cost) if cost else None,
        }
        add_share(out[name], "share_trips_read_ge1", trips["trip_id"].isin(mine["trip_id"]).to_numpy(),
                  trips["vehicle_id"].to_numpy())
        add_share(out[name], "share_vehicles_read", np.isin(np.unique(trips["vehicle_id"]), mine["vehicle_id"]))
    return out


def observation_ids(reads: pd.DataFrame, trips: pd.DataFrame, sighting: np.ndarray | None = None) -> np.ndarray:
    """An id per read for what it tells a searcher: moving, its sighting; parked, its (reader, vehicle, stay).

    A parked car's stay is numbered by how many of its trips departed before the read.

    Examples
    --------
    >>> trips = pd.DataFrame({"vehicle_id": [7, 7], "depart_s": [100.0, 5000.0]})
    >>> reads = pd.DataFrame({"camera_id": ["p", "p", "p", "p", "c"], "vehicle_id": [7, 7, 7, 7, 7],
    ...                       "trip_id": [-1, -1, -1, -1, 3], "time_s": [1000.0, 2000.0, 6000.0, 6100.0, 120.0]})
    >>> ids = observation_ids(reads, trips)  # two passes in one stay are one observation; a new stay another
    >>> bool(ids[0] == ids[1]), bool(ids[1] == ids[2]), bool(ids[2] == ids[3]), len(set(ids.tolist()))
    (True, False, True, 3)
    """
    n = len(reads)
    moving = reads["trip_id"].to_numpy() >= 0
    sight = np.asarray(sighting, dtype=np.int64) if sighting is not None else np.arange(n, dtype=np.int64)
    if moving.all():
        return sight
    ordered = trips.sort_values(["vehicle_id", "depart_s"], kind="stable")
    vehicles = ordered["vehicle_id"].to_numpy(np.int64)
    departs = ordered["depart_s"].to_numpy(float)
    parked = ~moving
    vehicle = reads["vehicle_id"].to_numpy(np.int64)[parked]
    time = reads["time_s"].to_numpy(float)[parked]
    # trips of the same vehicle departing at or before the read: its stay's number (one sorted key per trip)
    scale = float(max(departs.max(initial=0.0), time.max(initial=0.0))) + 1.0
    composite = vehicles * scale + departs
    before = (np.searchsorted(composite, vehicle * scale + time, side="right")
              - np.searchsorted(vehicles, vehicle, side="left")).astype(np.int64)
    key = pd.MultiIndex.from_arrays([reads["camera_id"].to_numpy()[parked], vehicle, before])
    stay = pd.factorize(key)[0].astype(np.int64)
    out = np.empty(n, dtype=np.int64)
    top = int(sight[moving].max()) + 1 if moving.any() else 0
    out[moving] = sight[moving]
    out[parked] = top + stay
    return out
