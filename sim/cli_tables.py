"""The tables ``curtain run`` and ``curtain analyze`` print: which rows a run's metrics call for, and how values read.

A run's summary shows each kind of reader it has: fixed cameras, patrol cars,
or both, each with its reads; rows about a kind the run does not have (a
patrol-only run's cameras, reads per camera, camera-free routes) are left out.

Examples
--------
>>> [row[0] for row in summary_rows({"n_trips": 10, "n_cameras": 0, "n_patrol_cars": 2, "n_reads": 40,
...                                  "reads_per_camera_per_day": None, "reads_per_patrol_car_per_day": 20.0})]
['trips', 'patrol cars', 'reads', 'reads per patrol car per day (mean)']
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from sim.answers import (ANALYZE_KEYS, interval_text, is_share, number_text, percent, share_style,
                         uniqueness_label)

#: Rows of a run's summary, in order: (metrics.json key, label). Rows about fixed cameras are shown only when the
#: run has some, rows about patrol cars only when it has some (see :func:`summary_rows`).
SUMMARY_KEYS = (
    ("n_trips", "trips"),
    ("n_cameras", "cameras"),
    ("n_cameras_unsnapped", "cameras too far from a road (not placed; see metrics.json)"),
    ("n_patrol_cars", "patrol cars"),
    ("n_reads", "reads"),
    ("fleets.fixed.n_reads", "reads by fixed cameras"),
    ("fleets.mobile.n_reads", "reads by patrol cars"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("reads_per_camera_per_day_full_scale", "reads per camera per day, whole fleet"),
    ("reads_per_patrol_car_day_median", "reads per patrol car on a day it read (median)"),
    ("reads_per_patrol_car_day_median_full_scale", "the same, scaled to 100 % of the vehicles"),
    ("reads_per_patrol_car_per_day", "reads per patrol car per day (mean)"),
    ("reads_per_patrol_car_per_day_full_scale", "the same, scaled to 100 % of the vehicles"),
    ("share_trips_read_ge1", "trips read ≥ 1 time"),
    ("share_trips_read_ge2", "trips sighted ≥ 2 times"),
    ("route_recall_mean", "route recall (mean)"),
    ("route_precision_mean", "route precision (mean)"),
    ("route_recall_mean_ge2", "route recall, trips sighted ≥ 2 times"),
    ("route_precision_mean_ge2", "route precision, trips sighted ≥ 2 times"),
    ("share_trips_fastest_route", "trips that drove a fastest path"),
    ("od_error_m_median", "origin/destination error (median, m)"),
    ("camera_free_pair_share", "place pairs with a camera-free route"),
    ("detour_ratio_median", "detour to avoid cameras (median ×)"),
)

#: Rows about fixed cameras: left out of a run that has patrol cars and no fixed camera.
FIXED_ONLY = {"n_cameras", "n_cameras_unsnapped", "reads_per_camera_per_day", "reads_per_camera_per_day_full_scale",
              "camera_free_pair_share", "detour_ratio_median"}
#: Rows that split the reads by kind of reader: shown when a run has both kinds.
SPLIT = {"fleets.fixed.n_reads", "fleets.mobile.n_reads"}



def _value(metrics: dict[str, Any], key: str) -> tuple[bool, Any]:
    """(present, value) of ``key`` in ``metrics``; a dotted key reaches into nested tables (``fleets.mobile``)."""
    node: Any = metrics
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def summary_rows(metrics: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, 95 % interval) of every summary row that applies to the run whose ``metrics`` these are;
    shares in percent (``0.44`` is ``44%``).

    A key missing from the metrics is no row (per-camera reads scaled up exist only for a sampled fleet); so
    are the fixed cameras' rows of a run with patrol cars and no fixed camera, and the patrol cars' rows of a
    run without any. A run with both kinds of reader splits its reads between them.
    """
    patrol = bool(metrics.get("n_patrol_cars"))
    fixed = bool(metrics.get("n_cameras")) or not patrol  # a run with no reader at all still says "cameras 0"
    rows = []
    for key, label in SUMMARY_KEYS:
        present, value = _value(metrics, key)
        if not present or (key in FIXED_ONLY and not fixed) or (key in SPLIT and not (fixed and patrol)):
            continue
        rows.append((label, *_cells(key, value, metrics.get(f"{key}_ci"))))
    return rows


def _cells(key: str, value: Any, ci: list[float] | None) -> tuple[str, str]:
    """A metric's value and 95 % interval as a table shows them: shares in percent (at the precision the interval
    needs), as the report and the answer give them; other numbers by :func:`format_value`."""
    if is_share(key.rsplit(".", 1)[-1], value):
        style = share_style(value, ci)
        return percent(value, style), interval_text(ci, style) if ci else ""
    if ci and isinstance(value, (int, float)) and not isinstance(value, bool):  # (the bounds as the value reads)
        return format_value(value), f"{number_text(ci[0], like=value)}–{number_text(ci[1], like=value)}"
    return format_value(value), f"{format_value(ci[0])}–{format_value(ci[1])}" if ci else ""


def summary_table(metrics: dict[str, Any]) -> Table:
    """The table ``curtain run`` prints at the end: :func:`summary_rows`."""
    table = Table()
    table.add_column("")
    table.add_column("value", justify="right")
    table.add_column("95 % interval", justify="right")
    for row in summary_rows(metrics):
        table.add_row(*row)
    return table


def analysis_table(metrics: dict[str, Any], title: str) -> Table:
    """The table ``curtain analyze`` prints: the log's counts and shares."""
    table = Table(title=title)
    table.add_column("")
    table.add_column("value", justify="right")
    table.add_column("95 % interval", justify="right")
    for key, label in ANALYZE_KEYS:
        if key in metrics:
            table.add_row(uniqueness_label(metrics, key) or label, *_cells(key, metrics[key], metrics.get(f"{key}_ci")))
    return table


def format_value(value: object) -> str:
    """A metric as a table shows it: a number as the report prints it (:func:`sim.answers.number_text`), a count
    with separators.

    Examples
    --------
    >>> format_value(0.12345), format_value(52.319), format_value(6455.375), format_value(51643), format_value(None)
    ('0.123', '52.3', '6,455', '51,643', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, float):
        return number_text(value)
    return f"{value:,}" if isinstance(value, int) else str(value)
