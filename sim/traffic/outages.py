"""Camera outages: when each camera is down, over the two traffic engines.

Each camera's failures and repairs are written once, as a behaviour that
yields how long to wait (:data:`sim.traffic.engines.Behaviour`). ``engine="simpy"`` (the
reference) runs every camera as a SimPy process; ``engine="compiled"`` runs
the same behaviour camera after camera in a plain loop with its own clock,
the way SimPy would (:func:`sim.traffic.engines.run_processes`), and returns the same windows bit
for bit: cameras are independent (each has its own random stream) and never
wait for one another. :mod:`sim.traffic.patrols` drives its cars the same way.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sim.traffic.engines import Behaviour, check_engine, run_processes

def camera_outages(
    n_cameras: int, horizon_s: float, *, mtbf_s: float, mttr_s: float, rng: np.random.Generator,
    engine: str = "simpy",
) -> pd.DataFrame:
    """Outage windows of every camera, one process per camera.

    Each camera works for an exponential time with mean ``mtbf_s`` (mean time
    between failures), is down for an exponential time with mean ``mttr_s``
    (mean time to repair), and so on until ``horizon_s``.

    Parameters
    ----------
    n_cameras : int
        Cameras (layout rows ``0 .. n_cameras - 1``).
    horizon_s : float
        End of the simulated time (seconds); outages starting after it are dropped.
    mtbf_s, mttr_s : float
        Mean time between failures and mean time to repair (seconds).
    rng : numpy.random.Generator
        Split into one stream per camera (``rng.spawn``).
    engine : {"simpy", "compiled"}
        ``simpy``: every camera a SimPy process (the reference); ``compiled``:
        the same behaviour in a plain loop per camera. Same windows, bit for bit.

    Returns
    -------
    pandas.DataFrame
        ``camera`` (layout row), ``start_s``, ``end_s`` of each outage.

    Examples
    --------
    >>> w = camera_outages(3, 86_400, mtbf_s=36_000, mttr_s=3_600, rng=np.random.default_rng(0))
    >>> bool((w["end_s"] > w["start_s"]).all())
    True
    >>> w.equals(camera_outages(3, 86_400, mtbf_s=36_000, mttr_s=3_600, rng=np.random.default_rng(0),
    ...                         engine="compiled"))
    True
    """
    check_engine(engine)
    if mtbf_s <= 0 or mttr_s <= 0:
        raise ValueError("mtbf and mttr must be positive")
    streams = rng.spawn(n_cameras)  # one stream per camera: draws do not depend on event order
    windows: list[tuple[int, float, float]] = []

    def camera(c: int, now: float) -> Behaviour:
        while True:
            now = yield streams[c].exponential(mtbf_s)
            start = now
            now = yield streams[c].exponential(mttr_s)
            windows.append((c, start, now))

    # run past the horizon so an outage under way at the horizon is recorded whole
    # (one lasting 50 mean repair times is a chance of e^-50)
    until = horizon_s + 50 * mttr_s
    run_processes([partial(camera, c) for c in range(n_cameras)], engine, until=until)
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
