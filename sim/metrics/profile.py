"""A reads log's profile: reads per plate, repeat gaps, uniqueness of camera traces (real or simulated)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim.intervals import add_share, median_interval
from sim.metrics.person import uniqueness_shares
from sim.metrics.traces import trace_points, unique_plates
from sim.metrics.trips import _ratio


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


def reads_profile(reads: pd.DataFrame, *, place: str = "camera_id", rng: np.random.Generator,
                  reading: np.ndarray | None = None) -> dict[str, Any]:
    """What a reads table reveals on its own: plates, repeats, days, uniqueness.

    ``reads`` needs ``plate_read``, ``time_s`` and the ``place`` column (the
    camera, or a place id of a mobile reader's sighting). Uniqueness treats
    each plate as a vehicle (misreads split one car in two; hashed plates
    are fine). ``reading`` (default: every read) marks the reads on days of
    reading: plates seen on two days or more count only those days.
    """
    plates = reads["plate_read"].value_counts()
    gaps = repeat_gaps_s(reads)
    day = (reads["time_s"].to_numpy(float) // DAY_S).astype(np.int64)
    plate = reads["plate_read"].to_numpy()
    days_per_plate = (pd.Series(day).groupby(plate).nunique() if reading is None
                      else pd.Series(day[reading]).groupby(plate[reading]).nunique())
    out: dict[str, Any] = {
        "n_reads": int(len(reads)),
        "n_plates": int(len(plates)),
        "reads_per_plate_mean": _ratio(len(reads), len(plates)),
        "reads_per_plate_shares": reads_per_plate_shares(reads),
        "repeat_gap_h_median": float(np.median(gaps)) / 3600 if len(gaps) else None,
        "repeat_gap_h_p10": float(np.quantile(gaps, 0.1)) / 3600 if len(gaps) else None,
        "repeat_gap_h_p90": float(np.quantile(gaps, 0.9)) / 3600 if len(gaps) else None,
    }
    if not len(gaps):  # (a null says why: helper-38)
        out |= {f"repeat_gap_h_{q}_reason": "no plate was sighted twice" for q in ("median", "p10", "p90")}
    # each share with what it is out of (plates) and its 95 % interval (Wilson: plates are independent units)
    add_share(out, "share_plates_read_once", plates.to_numpy() == 1, reason="no plate was read")
    add_share(out, "share_plates_seen_on_2plus_days", days_per_plate.to_numpy() >= 2, reason="no plate was read")
    traces = pd.DataFrame({"plate": reads["plate_read"].to_numpy(), "camera_id": reads[place].to_numpy(),
                           "time_s": reads["time_s"].to_numpy(float)})
    # as a run counts it (sim.metrics.person), with the plates each share is of: those with k points or more
    drawn = unique_plates(traces, [1, 2, 3, 4, 5], rng)
    out |= uniqueness_shares({k: u["unique"].to_numpy() for k, u in drawn.items()},
                             trace_points(traces).to_numpy(), eligible=True)
    return out


def reader_day_median(counts: np.ndarray, key: str, *, scale: float = 1.0) -> dict[str, Any]:
    """``key`` (with ``_n`` and a distribution-free 95 % ``_ci``): the median of ``counts``, the reads of each
    reader on each day it read, divided by ``scale`` (the share of the fleet simulated: a reader meets that share
    of the plates it would). The figure a real log is compared on (docs/validation.md): a mean over readers
    and days is pulled up by a few busy days.

    Examples
    --------
    >>> reader_day_median(np.array([10, 30, 2000]), "median")
    {'median': 30.0, 'median_n': 3, 'median_ci': [10.0, 2000.0]}
    """
    per_day = np.asarray(counts, float) / scale
    ci = median_interval(per_day)
    return {key: float(np.median(per_day)) if len(per_day) else None, f"{key}_n": int(len(per_day)),
            f"{key}_ci": ci}


def reads_per_reader_day(reader: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The reads of each (reader, day) pair that read at least once, by reader then day (``reader``: codes ≥ 0,
    ``day``: day numbers, a read before the start on a day below 0).

    Examples
    --------
    >>> reads_per_reader_day(np.array([0, 0, 1, 0]), np.array([0, 0, 0, 3])).tolist()
    [2, 1, 1]
    >>> reads_per_reader_day(np.array([0, 0, 1]), np.array([-1, 0, 0])).tolist()
    [1, 1, 1]
    """
    reader, day = np.asarray(reader, np.int64), np.asarray(day, np.int64)
    if not len(reader):
        return np.zeros(0, np.int64)
    day = day - int(day.min())  # (days from the first one read)
    cell = reader * (int(day.max()) + 1) + day
    counts = np.bincount(cell)
    return counts[counts > 0]


def log_profile(reads: pd.DataFrame, *, sample_share: float = 1.0) -> dict[str, Any]:
    """What :func:`sim.plot_reads.side_by_side_figure` draws of one plate-read log (``plate_read, time_s, camera_id``).

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
    reader = pd.factorize(reads["camera_id"], sort=True)[0]  # (by reader, then day; a read of no reader is none's)
    per_reader_day = reads_per_reader_day(reader[reader >= 0], day[reader >= 0])
    return {
        "reads_per_plate_shares": reads_per_plate_shares(reads),
        "share_plates_read_once": _ratio(int((plates == 1).sum()), len(plates)),
        "reader_days": per_reader_day.astype(float) / sample_share,
        "repeat_gaps_s": repeat_gaps_s(reads),
    }
