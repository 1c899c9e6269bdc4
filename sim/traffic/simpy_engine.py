"""The reference traffic engine: every vehicle a SimPy process.

Each vehicle is one SimPy process that drives its trips in order along
its routes. It yields only at camera crossings and at arrivals, so the
number of events grows with the number of crossings, not with the number of
edges driven. A camera reads at its edge's midpoint.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.routing import Routes
from sim.routing import Crossings


def simulate(trips: pd.DataFrame, routes: Routes, crossings: Crossings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drive every vehicle's trips in a SimPy environment.

    A vehicle leaves at its trip's ``depart_s`` or, if its previous trip
    ends later, as soon as it arrives. Trips must be sorted by vehicle and
    departure (as every demand model returns them).

    Returns
    -------
    timed_trips : pandas.DataFrame
        ``trips`` with actual ``depart_s`` and ``arrive_s``.
    passes : pandas.DataFrame
        One row per camera crossing: ``trip, camera, edge, backward,
        time_s``, sorted by time, then trip and camera (deterministic).
    """
    env = simpy.Environment()
    depart = trips["depart_s"].to_numpy(float).copy()
    arrive = np.zeros(len(trips))
    per_trip = np.bincount(crossings.trip, minlength=len(trips))
    first = np.concatenate([[0], np.cumsum(per_trip)])
    order = np.lexsort((crossings.offset_s, crossings.trip))
    offsets = crossings.offset_s[order]
    crossing_time = np.zeros(len(order))
    vehicles = trips["vehicle_id"].to_numpy()
    boundaries = np.flatnonzero(np.diff(vehicles)) + 1
    for rows in np.split(np.arange(len(trips)), boundaries):
        env.process(_drive(env, rows, depart, arrive, routes.travel_time, first, offsets, crossing_time))
    env.run()
    timed = trips.copy()
    timed["depart_s"] = depart
    timed["arrive_s"] = arrive
    passes = pd.DataFrame(
        {
            "trip": crossings.trip[order],
            "camera": crossings.camera[order],
            "edge": crossings.edge[order],
            "backward": crossings.backward[order],
            "time_s": crossing_time,
        }
    )
    passes = passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    return timed, passes


def _drive(
    env: simpy.Environment,
    rows: np.ndarray,
    depart: np.ndarray,
    arrive: np.ndarray,
    travel_time: np.ndarray,
    first: np.ndarray,
    offsets: np.ndarray,
    crossing_time: np.ndarray,
) -> Generator[Any, Any, None]:
    """One vehicle: wait for each departure, pass each camera, arrive."""
    for trip in rows:
        start = max(depart[trip], env.now)
        depart[trip] = start
        yield env.timeout(start - env.now)
        for c in range(first[trip], first[trip + 1]):
            # Times are computed from the departure, not accumulated, so
            # they are exact to the last bit whatever the event order.
            crossing_time[c] = start + offsets[c]
            yield env.timeout(max(0.0, crossing_time[c] - env.now))
        arrive[trip] = start + travel_time[trip]
        yield env.timeout(max(0.0, arrive[trip] - env.now))
