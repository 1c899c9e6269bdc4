"""95 % intervals for the shares in ``metrics.json``.

Every share is reported with its denominator and an interval:

- over independent units (plates, place pairs, scored vehicles): the Wilson
  score interval (Wilson 1927), which never has zero width and stays inside
  [0, 1] for shares of 0 or 1;
- over units that cluster (the trips of one vehicle, the reads of one car):
  the Wilson interval at the *effective* sample size ``n / deff``, where the
  design effect ``deff`` compares the variance of the ratio estimator over
  clusters (Kish 1965, "Survey Sampling", §2.8 and §6.4) with that of a
  simple random sample; ``deff`` is at least 1. When every unit agrees
  (share 0 or 1) the clusters carry no variance to measure, and the number
  of clusters is taken as the effective sample size.

Means of values in [0, 1] (route recall, precision) are treated the same
way: the Wilson interval of the mean, with the design effect measured from
the values themselves (a conservative interval, since a value in [0, 1]
varies at most as much as a 0/1 value of the same mean).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import factorized_codes

#: two-sided 95 % normal quantile
Z95 = 1.959963984540054


def wilson(share: float, n: float, *, z: float = Z95) -> list[float] | None:
    """Wilson score interval of a share observed over ``n`` units (``n`` may be an effective size).

    Examples
    --------
    >>> [round(v, 4) for v in wilson(0.8, 10)]
    [0.4902, 0.9433]
    >>> [round(v, 4) for v in wilson(1.0, 2)]
    [0.3424, 1.0]
    """
    if not n or n <= 0:
        return None
    z2 = z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    # at a share of 0 or 1 one end is exactly 0 or 1 (computed, it can miss by a rounding error)
    low = 0.0 if share <= 0 else max(0.0, centre - half)
    high = 1.0 if share >= 1 else min(1.0, centre + half)
    return [float(low), float(high)]


def effective_n(values: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """The sample size a simple random sample would need for the same precision (``n / deff``).

    Examples
    --------
    >>> ten_cars = np.repeat(np.arange(10), 5)          # 10 cars, 5 trips each, all alike within a car
    >>> read = np.repeat([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 5).astype(float)
    >>> round(effective_n(read, ten_cars), 6)
    9.0
    """
    values = np.asarray(values)
    n = len(values)
    if clusters is None or n == 0:
        return float(n)
    codes = factorized_codes(pd.Series(clusters))
    n_clusters = int(codes.max()) + 1
    if n_clusters == n:
        return float(n)
    p = float(np.count_nonzero(values)) / n if values.dtype == bool else float(np.mean(values, dtype=float))
    return _effective_n(np.bincount(codes, weights=values, minlength=n_clusters),
                        np.bincount(codes, minlength=n_clusters), p)


def _effective_n(y: np.ndarray, m: np.ndarray, p: float) -> float:
    """:func:`effective_n` from each cluster's sum of values ``y`` and number of values ``m`` (clusters in order
    of first appearance; more than one value) and the mean ``p``."""
    n, n_clusters = int(m.sum()), len(m)
    if n_clusters < 2 or p <= 0 or p >= 1:
        return float(n_clusters)
    var_cluster = n_clusters / (n_clusters - 1) * float(((y - p * m) ** 2).sum()) / n**2
    var_simple = p * (1 - p) / n
    return float(n / max(1.0, var_cluster / var_simple))


def share_with_interval(values: Any, clusters: Any = None) -> tuple[float | None, int, list[float] | None]:
    """The share (mean) of 0/1 or [0, 1] ``values``, its denominator and its 95 % interval.

    ``clusters`` labels units that are not independent (e.g. the vehicle of
    each trip); without it the units are taken as independent.

    Examples
    --------
    >>> share, n, ci = share_with_interval([True, True, False, True])
    >>> share, n, [round(v, 3) for v in ci]
    (0.75, 4, [0.301, 0.954])
    >>> share_with_interval([])
    (None, 0, None)
    """
    values = np.asarray(values)
    if values.dtype != bool:  # (0/1 booleans are all finite: no float copy, no masked copies of a run's reads)
        values = np.asarray(values, dtype=float)
        values = values[np.isfinite(values)] if clusters is None else values
        if clusters is not None:
            clusters = np.asarray(clusters)
            finite = np.isfinite(values)
            values, clusters = values[finite], clusters[finite]
    n = len(values)
    if not n:
        return None, 0, None
    # (a count over n for booleans: the same float as the mean of their 0s and 1s, whose sum is exact)
    share = float(np.count_nonzero(values)) / n if values.dtype == bool else float(values.mean())
    return share, n, wilson(share, effective_n(values, clusters))


def share_of_clusters(hits: np.ndarray, sizes: np.ndarray) -> tuple[float | None, int, list[float] | None]:
    """:func:`share_with_interval` of 0/1 values given only per cluster: how many are 1 (``hits``) and how many
    there are (``sizes``, each at least 1), clusters in order of first appearance. The same numbers, bit for bit,
    as from the values themselves (their sums are exact): what blocks of clusters need to exchange.

    Examples
    --------
    >>> values, plate = np.array([1, 1, 0, 1, 0, 0, 1]), np.array([4, 4, 4, 9, 9, 2, 2])
    >>> share_of_clusters(np.array([2, 1, 1]), np.array([3, 2, 2])) == share_with_interval(values, plate)
    True
    """
    y, m = np.asarray(hits, dtype=float), np.asarray(sizes, dtype=np.int64)
    n = int(m.sum())
    if not n:
        return None, 0, None
    share = float(y.sum() / n)
    return share, n, wilson(share, float(n) if len(m) == n else _effective_n(y, m, share))


def add_share(out: dict[str, Any], key: str, values: Any, clusters: Any = None, *, reason: str | None = None) -> None:
    """Set ``out[key]``, ``out[key + "_n"]`` and ``out[key + "_ci"]`` (``None`` + ``…_reason`` when n = 0)."""
    share, n, ci = share_with_interval(values, clusters)
    out[key], out[f"{key}_n"], out[f"{key}_ci"] = share, n, ci
    if share is None and reason:
        out[f"{key}_reason"] = reason


def not_reported(keys: Any, reason: str) -> dict[str, Any]:
    """Each of ``keys`` ``None``, with its ``_n`` and ``_ci`` ``None`` too and ``_reason``: a number the run cannot
    give at all (a share of no units is :func:`add_share`'s, with ``_n`` 0).

    Examples
    --------
    >>> not_reported(["share_x"], "needs two days")
    {'share_x': None, 'share_x_n': None, 'share_x_ci': None, 'share_x_reason': 'needs two days'}
    """
    return {name: value for key in keys
            for name, value in ((key, None), (f"{key}_n", None), (f"{key}_ci", None), (f"{key}_reason", reason))}


def difference_interval(p1: float, ci1: list[float] | None, p2: float, ci2: list[float] | None) -> list[float] | None:
    """The 95 % interval of ``p1 − p2``, two independent shares with intervals ``ci1`` and ``ci2``: Newcombe's
    hybrid score method (R. G. Newcombe, "Interval estimation for the difference between independent
    proportions", *Statistics in Medicine* 17, 873–890, 1998, method 10), from the shares' own (Wilson or
    clustered) intervals; ``None`` when either has none.

    Examples
    --------
    >>> [round(b, 4) for b in difference_interval(56 / 70, wilson(56 / 70, 70), 48 / 80, wilson(48 / 80, 80))]
    [0.0524, 0.3339]
    """
    if ci1 is None or ci2 is None:
        return None
    (l1, u1), (l2, u2) = ci1, ci2
    d = p1 - p2
    return [d - float(np.hypot(p1 - l1, u2 - p2)), d + float(np.hypot(u1 - p1, p2 - l2))]


def median_interval(values: Any, *, z: float = Z95) -> list[float] | None:
    """Distribution-free 95 % interval of a median: the order statistics whose ranks bracket n/2 by the
    binomial(n, 1/2) at ``z`` standard deviations (normal approximation; Conover, *Practical Nonparametric
    Statistics*, 3rd ed., 1999, §3.2). ``None`` for no value; the smallest and largest value for very few.

    Examples
    --------
    >>> median_interval(np.arange(1, 101))  # ranks 40 and 61 of 1…100
    [40.0, 61.0]
    >>> median_interval([3.0])
    [3.0, 3.0]
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    n = len(ordered)
    if not n:
        return None
    half = z * np.sqrt(n) / 2
    # ranks (1-based) r = n/2 - z sqrt(n)/2 rounded down, s = 1 + n/2 + z sqrt(n)/2 rounded up
    low = max(int(np.floor(n / 2 - half)) - 1, 0)
    high = min(int(np.ceil(1 + n / 2 + half)) - 1, n - 1)
    return [float(ordered[low]), float(ordered[high])]


def mean_interval(values: Any, *, z: float = Z95) -> list[float] | None:
    """95 % interval of the mean of independent values in [0, 1] that are themselves probabilities (a chance
    per vehicle), by the central limit theorem: mean ± z·s/√n, kept inside [0, 1]. Unlike :func:`wilson`, it
    does not treat a chance of 10⁻⁶ as if it were a 0/1 outcome, which would give it an interval as wide as a
    share of a few percent. ``None`` for no value.

    Examples
    --------
    >>> [round(v, 4) for v in mean_interval([0.1, 0.2, 0.3, 0.4])]
    [0.1235, 0.3765]
    >>> mean_interval([0.0, 0.0])
    [0.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if not n:
        return None
    mean = float(values.mean())
    half = z * float(values.std(ddof=1)) / float(np.sqrt(n)) if n > 1 else 0.0
    return [max(0.0, mean - half), min(1.0, mean + half)]
