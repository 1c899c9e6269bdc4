"""The compiled traffic engine: the SimPy engine's departure rule as one numba loop (same results, bit for bit)."""

from __future__ import annotations

import numba
import numpy as np

from sim.routing import Crossings


@numba.njit(cache=True)
def _chain(vehicle, depart, travel, offsets_start, offsets_s, crossing_time, arrive):  # pragma: no cover
    previous_vehicle = -1
    free_at = -np.inf
    for i in range(len(vehicle)):
        if vehicle[i] != previous_vehicle:
            free_at = -np.inf
            previous_vehicle = vehicle[i]
        start = max(depart[i], free_at)
        depart[i] = start
        for c in range(offsets_start[i], offsets_start[i + 1]):
            crossing_time[c] = start + offsets_s[c]
        arrive[i] = start + travel[i]
        free_at = arrive[i]


def chain_times(
    vehicle: np.ndarray, depart: np.ndarray, travel: np.ndarray, crossings: Crossings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The SimPy rule of :func:`sim.traffic.simulate`, compiled: a vehicle leaves at its departure time or
    when its previous trip ends, whichever is later; each crossing happens at departure + offset.

    Trips must be sorted by vehicle and departure; ``crossings`` sorted by
    trip. Returns actual departures, arrivals and crossing times — equal to
    ``simulate``'s to the last bit (tested).
    """
    depart = np.asarray(depart, float).copy()
    arrive = np.zeros(len(depart))
    starts = np.searchsorted(crossings.trip, np.arange(len(depart) + 1))
    crossing_time = np.zeros(len(crossings.trip))
    _chain(np.asarray(vehicle, np.int64), depart, np.asarray(travel, float), starts.astype(np.int64),
           crossings.offset_s, crossing_time, arrive)
    return depart, arrive, crossing_time
