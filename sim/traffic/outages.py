"""Camera outages: when each camera is down (a SimPy process per camera)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pandas as pd
import simpy


def camera_outages(
    n_cameras: int, horizon_s: float, *, mtbf_s: float, mttr_s: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Outage windows of every camera, from one SimPy process per camera.

    Each camera works for an exponential time with mean ``mtbf_s`` (mean time
    between failures), is down for an exponential time with mean ``mttr_s``
    (mean time to repair), and so on until ``horizon_s``.

    Returns
    -------
    pandas.DataFrame
        ``camera`` (layout row), ``start_s``, ``end_s`` of each outage.

    Examples
    --------
    >>> w = camera_outages(3, 86_400, mtbf_s=36_000, mttr_s=3_600, rng=np.random.default_rng(0))
    >>> bool((w["end_s"] > w["start_s"]).all())
    True
    """
    if mtbf_s <= 0 or mttr_s <= 0:
        raise ValueError("mtbf and mttr must be positive")
    env = simpy.Environment()
    streams = rng.spawn(n_cameras)  # one stream per camera: draws do not depend on event order
    windows: list[tuple[int, float, float]] = []

    def camera(c: int) -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(streams[c].exponential(mtbf_s))
            start = env.now
            yield env.timeout(streams[c].exponential(mttr_s))
            windows.append((c, start, env.now))

    for c in range(n_cameras):
        env.process(camera(c))
    # run past the horizon so an outage under way at the horizon is recorded whole
    # (one lasting 50 mean repair times is a chance of e^-50)
    env.run(until=horizon_s + 50 * mttr_s)
    frame = pd.DataFrame(windows, columns=["camera", "start_s", "end_s"])
    frame = frame[frame["start_s"] < horizon_s]
    return frame.sort_values(["camera", "start_s"], ignore_index=True)


def during_outage(passes: pd.DataFrame, outages: pd.DataFrame) -> np.ndarray:
    """True for each camera pass that falls inside an outage window of its camera."""
    hit = np.zeros(len(passes), dtype=bool)
    if not len(outages) or not len(passes):
        return hit
    camera = passes["camera"].to_numpy()
    time = passes["time_s"].to_numpy()
    for c, windows in outages.groupby("camera"):
        rows = np.flatnonzero(camera == c)
        starts, ends = windows["start_s"].to_numpy(), windows["end_s"].to_numpy()
        k = np.searchsorted(starts, time[rows], side="right") - 1
        inside = (k >= 0) & (time[rows] < ends[np.maximum(k, 0)])
        hit[rows[inside]] = True
    return hit
