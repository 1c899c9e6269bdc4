"""Observed traffic counts per road, for calibrating demand.

Two forms:

* CSV ``u,v,key,count``: vehicles per day on one directed edge (``key``
  optional, default 0).
* GeoJSON points with a ``count`` (or ``aadt``) property, such as annual
  average daily traffic stations: each point is snapped to the nearest road
  within ``max_snap_m`` and counts both directions of that road.

Either way the result is one row per count and the edges it covers.
"""

from __future__ import annotations

import json
from pathlib import Path

from typing import Any

import numpy as np
import pandas as pd

from sim._errors import DemandError
from sim.geo import from_lonlat, nearest_edges
from sim.network import RoadNetwork
from sim._validate import columns_found, csv_row_names, lookup_nodes, refuse_comment_lines, require_file

COUNT_PROPERTIES = ("count", "aadt", "AADT", "volume")


def read_counts(path: str | Path, net: RoadNetwork, *, max_snap_m: float = 50.0) -> pd.DataFrame:
    """Observed counts and the edges each covers.

    Returns
    -------
    pandas.DataFrame
        ``count_id, edge, observed`` — one row per (count, edge); a two-way
        point count has two rows with the same ``count_id`` and ``observed``.
    """
    path = require_file(path, "counts file", DemandError)
    if path.suffix.lower() in (".geojson", ".json"):
        return _point_counts(path, net, max_snap_m)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DemandError(f"{path}: not a readable counts CSV ({exc})") from None
    missing = [c for c in ("u", "v", "count") if c not in frame.columns]
    if missing:
        raise DemandError(f"{path}: missing column(s) {', '.join(missing)}; a counts CSV has u,v,key,count "
                          f"(vehicles per day on the directed road u→v); {columns_found(frame.columns)}")
    if frame.empty:
        raise DemandError(f"{path}: no counts")
    rows = csv_row_names(path, len(frame))
    refuse_comment_lines(frame, rows, ["u", "v", "count"], str(path), DemandError)
    count = pd.to_numeric(frame["count"], errors="coerce")
    bad = count.isna() | (count < 0)
    if bad.any():
        raise DemandError(f"{path}: count must be a number ≥ 0 ({rows.text(bad.to_numpy(), frame['count'])})")
    u, v = lookup_nodes(net, frame["u"]), lookup_nodes(net, frame["v"])
    key = frame["key"] if "key" in frame.columns else pd.Series(0, index=frame.index)
    edge = np.array([net.edge_id(net.nodes[a], net.nodes[b], int(k)) if a >= 0 and b >= 0 else -1
                     for a, b, k in zip(u, v, key)], dtype=np.int64)
    if (edge < 0).any():
        raise DemandError(f"{path}: no such road (u, v, key) in the network ({rows.text(edge < 0)}); "
                          "use node ids of the scenario's network")
    return pd.DataFrame({"count_id": np.arange(len(frame)), "edge": edge, "observed": count.to_numpy(float)})


def _point_counts(path: Path, net: RoadNetwork, max_snap_m: float) -> pd.DataFrame:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        lon = np.array([f["geometry"]["coordinates"][0] for f in features], float)
        lat = np.array([f["geometry"]["coordinates"][1] for f in features], float)
        props = [f.get("properties") or {} for f in features]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, IndexError, ValueError) as exc:
        raise DemandError(f"{path}: not a GeoJSON FeatureCollection of points ({type(exc).__name__}: {exc})") from None
    observed = []
    for i, p in enumerate(props):
        value = next((p[k] for k in COUNT_PROPERTIES if p.get(k) is not None), None)
        try:
            number = float(value)  # type: ignore[arg-type]  # None and text are caught below
        except (TypeError, ValueError):
            number = -1.0
        if not number >= 0:
            raise DemandError(f"{path}: feature {i + 1} has no count ≥ 0 (a property named "
                              f"{', '.join(COUNT_PROPERTIES)})")
        observed.append(number)
    x, y = from_lonlat(net, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), what=str(path),
                       error=DemandError)
    edge, distance = nearest_edges(net, np.asarray(x), np.asarray(y))
    far = distance > max_snap_m
    if far.any():
        raise DemandError(f"{path}: feature(s) {(np.flatnonzero(far) + 1).tolist()[:10]} are more than "
                          f"{max_snap_m:g} m from any road; move them or raise demand.counts_max_snap_m")
    rows = []
    for i, e in enumerate(edge):
        for member in {int(e), int(net.reverse_edge(int(e)))} - {-1}:
            rows.append((i, member, observed[i]))
    return pd.DataFrame(rows, columns=["count_id", "edge", "observed"]).sort_values(["count_id", "edge"],
                                                                                     ignore_index=True)


def counts_per_trip(counts: pd.DataFrame, edge_volume: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per count: the modelled volume (sum over its edges of ``edge_volume``) and the observed count."""
    modelled = pd.Series(edge_volume[counts["edge"].to_numpy()]).groupby(counts["count_id"].to_numpy()).sum()
    observed = counts.groupby("count_id")["observed"].first()
    return modelled.to_numpy(float), observed.reindex(modelled.index).to_numpy(float)


def fit_scale(modelled_per_trip: np.ndarray, observed: np.ndarray) -> float:
    """Trips per day ``T`` that best explain the counts: ``Σ observed / Σ modelled``.

    This is the maximum-likelihood scale when each count is Poisson with mean
    ``T · modelled`` (count noise grows with the count), i.e. least squares
    weighted by ``1 / modelled``; plain least squares would let the busiest
    roads' sampling noise decide alone.

    Examples
    --------
    >>> fit_scale(np.array([0.25, 0.5]), np.array([250.0, 500.0]))
    1000.0
    """
    total = float(np.sum(modelled_per_trip))
    if total <= 0:
        raise DemandError("no counted road carries any simulated traffic; cannot calibrate to these counts")
    return float(np.sum(observed)) / total


def count_fit(
    counts: pd.DataFrame, net: RoadNetwork, volume: np.ndarray, n_days: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulated vehicles per day on each counted road (``counts``: :func:`read_counts`; ``volume``: trips on each
    edge over the run) against the observed count: a row per count, and how well they fit."""
    per_day = np.asarray(volume) / n_days
    simulated, observed = counts_per_trip(counts, per_day)
    first_edge = counts.drop_duplicates("count_id")["edge"].to_numpy()
    relative = np.divide(simulated - observed, observed, out=np.full(len(observed), np.nan), where=observed > 0)
    table = pd.DataFrame({"count_id": np.arange(len(observed)), "u": net.nodes[net.edge_u[first_edge]],
                          "v": net.nodes[net.edge_v[first_edge]], "key": net.edge_key[first_edge],
                          "observed": observed, "simulated": simulated, "relative_error": relative})
    finite = relative[np.isfinite(relative)]
    fit = {
        "n_counts": int(len(observed)),
        "total_simulated_over_observed": float(simulated.sum() / observed.sum()) if observed.sum() else None,
        "relative_error_abs_median": float(np.median(np.abs(finite))) if len(finite) else None,
        "relative_error_abs_p90": float(np.quantile(np.abs(finite), 0.9)) if len(finite) else None,
        "correlation": float(np.corrcoef(simulated, observed)[0, 1]) if len(observed) > 2 else None,
    }
    return table, fit
