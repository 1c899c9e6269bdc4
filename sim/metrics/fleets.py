"""Per fleet of readers (fixed cameras, patrol cars, each cost group): reads, plates and cost."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.intervals import add_share
from sim.metrics.trips import _ratio


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
