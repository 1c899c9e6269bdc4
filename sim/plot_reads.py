"""Figures of plate-read logs, real or simulated: reads per device and day, how often a plate is read again,
where the reads are, two logs side by side, and Flock portal figures beside simulated ones (``curtain analyze``,
``docs/validation.md``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.geo import to_lonlat
from sim.network import RoadNetwork
from sim.plot import BLUE, GREEN, GREY, ORANGE, SERIES

def device_styles(devices: pd.Series) -> dict[str, dict[str, Any]]:
    """A colour and marker per device, most reads first, so every figure draws a device alike.

    After the eight Okabe–Ito colours, markers and dashes tell devices apart.
    """
    order = devices.astype(str).value_counts(sort=False).sort_index().sort_values(ascending=False, kind="stable")
    return {d: {"color": SERIES[i % len(SERIES)], "marker": "osD^v"[(i // len(SERIES)) % 5],
                "linestyle": ("-", "--", ":")[(i // len(SERIES)) % 3]} for i, d in enumerate(order.index)}


def device_days_figure(per_day: pd.DataFrame, *, title: str = "") -> Figure:
    """Reads per device per day (``camera_id, date, n_reads``): a line per device."""
    fig = Figure(figsize=(7.5, 3.8), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    wide = per_day.pivot_table(index="date", columns="camera_id", values="n_reads", fill_value=0).sort_index()
    styles = device_styles(per_day["camera_id"].repeat(per_day["n_reads"]))
    for device, style in styles.items():
        ax.plot(pd.to_datetime(wide.index), wide[device], ms=3, label=device, **style)
    ax.set_ylabel("reads per day")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.legend(fontsize=7, ncols=2, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(title or "Reads per device and day", fontsize=10)
    return fig


def plate_repeats_figure(shares: dict[str, float], gaps_s: np.ndarray, *, title: str = "") -> Figure:
    """Left: share of plates read 1, 2, … times. Right: time between repeat sightings of a plate."""
    fig = Figure(figsize=(9.0, 3.6), dpi=110, layout="constrained")
    left, right = fig.subplots(1, 2)
    left.bar(list(shares), [v * 100 for v in shares.values()], color=BLUE)
    left.set_xlabel("times a plate was read")
    left.set_ylabel("share of plates (%)")
    left.set_title("How often is a plate read?", fontsize=9)
    hours = np.asarray(gaps_s, float) / 3600
    hours = hours[hours > 0]
    if len(hours):
        bins = np.logspace(np.log10(max(hours.min(), 1 / 3600)), np.log10(hours.max() * 1.01 + 1e-9), 40)
        right.hist(hours, bins=bins, color=ORANGE)
        right.set_xscale("log")
        for mark, label in ((1, "1 h"), (24, "1 day"), (168, "1 week")):
            if bins[0] < mark < bins[-1]:
                right.axvline(mark, color=GREY, ls=":", lw=1)
                right.annotate(label, (mark, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -10),
                               textcoords="offset points", fontsize=7, color="#555555")
    right.set_xlabel("hours between two reads of the same plate (log)")
    right.set_ylabel("repeat sightings")
    right.set_title("When is a plate seen again?", fontsize=9)
    fig.suptitle(title or "Plates in the reads", fontsize=10)
    return fig


def reads_location_figure(reads: pd.DataFrame, net: RoadNetwork | None = None, *, title: str = "") -> Figure:
    """Where the located reads were made (longitude/latitude), coloured by device; the network beneath if given."""
    fig = Figure(figsize=(7.0, 7.0), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    located = reads.dropna(subset=["lon", "lat"])
    lonlat = to_lonlat(net, net.x, net.y) if net is not None else None
    if net is not None and lonlat is not None:
        lon, lat = lonlat
        segments = np.stack([np.column_stack([lon[net.edge_u], lat[net.edge_u]]),
                             np.column_stack([lon[net.edge_v], lat[net.edge_v]])], axis=1)
        ax.add_collection(LineCollection(segments, colors="#CCCCCC", linewidths=0.6, zorder=1))  # type: ignore[arg-type]
    for device, style in device_styles(reads["camera_id"]).items():
        part = located[located["camera_id"].astype(str) == device]
        if len(part):
            ax.scatter(part["lon"], part["lat"], s=4, alpha=0.4, color=style["color"], marker=style["marker"],
                       zorder=2, lw=0, label=f"{device} ({len(part):,})")
    if len(located):
        ax.set_aspect(1 / np.cos(np.radians(float(located["lat"].median()))))
    elif net is None or lonlat is None:  # (not an empty pair of axes: say why there is nothing to see)
        ax.text(0.5, 0.5, f"none of the {len(reads):,} reads has a location (longitude and latitude):\n"
                "there is nothing to map", transform=ax.transAxes, ha="center", va="center", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    ax.autoscale()
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    missing = len(reads) - len(located)
    ax.set_title(title or f"Where the reads were made ({missing:,} reads without a location not shown)",
                 fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        legend = fig.legend(fontsize=7, markerscale=4, loc="outside lower left", ncols=2, frameon=False)
        for handle in legend.legend_handles:  # (the points' see-through colour would wash out the legend's)
            if handle is not None:
                handle.set_alpha(1.0)
    return fig


def side_by_side_figure(logs: dict[str, dict], *, title: str = "") -> Figure:
    """Two (or more) plate-read logs side by side: reads per plate, plates read once, reads per reader per day,
    time between repeat sightings.

    ``logs`` maps a label to ``reads_per_plate_shares`` (as in ``metrics.json``), ``share_plates_read_once``,
    ``reader_days`` (reads of each reader on each day it read, already scaled to full size where the log is
    a sample) and ``repeat_gaps_s``.
    """
    fig = Figure(figsize=(11.0, 7.0), dpi=110, layout="constrained")
    (plates, once), (readers, gaps) = fig.subplots(2, 2)
    colours = [BLUE, ORANGE, GREEN, GREY]
    names = list(logs)
    width = 0.8 / len(names)
    keys = sorted({k for log in logs.values() for k in log["reads_per_plate_shares"]},
                  key=lambda k: int(k.rstrip("+")))
    for i, name in enumerate(names):
        shares = logs[name]["reads_per_plate_shares"]
        plates.bar(np.arange(len(keys)) + i * width, [100 * shares.get(k, 0.0) for k in keys], width=width,
                   color=colours[i], label=name)
    plates.set_xticks(np.arange(len(keys)) + width * (len(names) - 1) / 2, keys)
    plates.set_xlabel("times a plate was read")
    plates.set_ylabel("share of plates (%)")
    plates.set_title("How often is a plate read?", fontsize=9)
    plates.legend(fontsize=8, frameon=False)
    once.bar(names, [100 * logs[n]["share_plates_read_once"] for n in names], color=colours[: len(names)])
    once.set_ylim(0, 100)
    once.set_ylabel("plates read exactly once (%)")
    once.set_title("Plates read once (scale starts at 0)", fontsize=9)
    data = [np.asarray(logs[n]["reader_days"], float) for n in names]
    readers.boxplot(data, tick_labels=names, showfliers=True)
    readers.set_yscale("log")
    readers.set_ylabel("reads per reader per day (log)")
    readers.set_title("How much does one reader read in a day?", fontsize=9)
    every = np.concatenate([np.asarray(logs[n]["repeat_gaps_s"], float) for n in names]) / 3600
    every = every[every > 0]
    if len(every):
        bins = np.logspace(np.log10(max(every.min(), 1 / 3600)), np.log10(every.max() * 1.01 + 1e-9), 40)
        for i, name in enumerate(names):
            hours = np.asarray(logs[name]["repeat_gaps_s"], float) / 3600
            gaps.hist(hours[hours > 0], bins=bins, histtype="step", lw=1.5, color=colours[i], label=name,
                      weights=np.full(int((hours > 0).sum()), 100 / max(int((hours > 0).sum()), 1)))
        gaps.set_xscale("log")
        for mark in (1, 24, 168):
            gaps.axvline(mark, color=GREY, ls=":", lw=1)
    gaps.set_xlabel("hours to the next read of a plate (log; lines: 1 h, 1 day, 1 week)")
    gaps.set_ylabel("share of repeat sightings (%)")
    gaps.set_title("When is a plate seen again?", fontsize=9)
    gaps.legend(fontsize=8, frameon=False)
    fig.suptitle(title or "Plate-read logs side by side", fontsize=10)
    return fig


def portal_comparison_figure(portal: np.ndarray, scenarios: dict[str, float], *, title: str = "") -> Figure:
    """Reads per fixed camera per day: the portals' distribution (ECDF, log scale) with each scenario's value.

    ``scenarios`` maps a label to its reads per camera per day (at full scale).
    """
    values = np.sort(np.asarray(portal, float))
    fig = Figure(figsize=(7.6, 4.4), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ax.step(values, np.arange(1, len(values) + 1) / len(values) * 100, where="post", color=GREY, lw=2,
            label=f"Flock portals ({len(values)} agencies, April 2024)")
    lo, hi = np.percentile(values, [10, 90])
    ax.axvspan(lo, hi, color=GREY, alpha=0.12, lw=0, label=f"portals' 10th–90th percentile ({lo:,.0f}–{hi:,.0f})")
    ax.axvline(np.median(values), color=GREY, ls=":", lw=1)
    ordered = sorted(scenarios.items(), key=lambda item: item[1])
    readable = [c for c in SERIES if c != "#F0E442"]  # no yellow text on white
    for i, (name, value) in enumerate(ordered):
        colour = readable[i % len(readable)]
        share = (values <= value).mean() * 100
        ax.axvline(value, color=colour, lw=1.8)
        right = value > hi  # past the portals: label to the left of the line, inside the axes
        ax.annotate(f"{name}: {value:,.0f}", (value, 6 + 88 * i / max(len(ordered) - 1, 1)), color=colour,
                    fontsize=8, xytext=(-4 if right else 4, 0), textcoords="offset points", va="center",
                    ha="right" if right else "left",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        ax.plot([value], [share], "o", color=colour, ms=5, zorder=4)  # above the other lines' labels
    ax.set_xscale("log")
    ax.set_xlabel("reads per fixed camera per day (log scale)")
    ax.set_ylabel("portals reading this many or fewer (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_title(title or "What a camera reads in a day: Curtain's scenarios beside real Flock portals", fontsize=10)
    return fig


#: The reaches of an audit log's ``searches_by_month``, stacked bottom to top (:data:`sim.audit.MONTHLY_REACHES`;
#: not imported from there: sim.audit imports this module to draw its figure).
AUDIT_REACHES = ("own", "state_pool", "national")


def audit_figure(metrics: dict[str, Any], *, title: str = "") -> Figure:
    """Searches per day in each month of an audit log, stacked by reach: the agency's own cameras, a state pool,
    the national network (``metrics``: :func:`sim.audit.audit_metrics`). The state pool's and the national
    network's bands together are the searches beyond the city (``share_searches_beyond_city``); the legend says so."""
    import matplotlib.pyplot as plt

    months = sorted(metrics["searches_by_month"])
    # (an audit written before 2026-12-08 named the state pool's searches "beyond_city": read as such)
    counts = np.array([[metrics["searches_by_month"][m].get(k, metrics["searches_by_month"][m].get("beyond_city", 0)
                                                            if k == "state_pool" else 0) for k in AUDIT_REACHES]
                       for m in months], dtype=float)
    days = np.array([pd.Period(m).days_in_month for m in months], dtype=float)
    first, last = pd.Timestamp(metrics["first_search"]), pd.Timestamp(metrics["last_search"])
    for i, m in enumerate(months):  # the first and last months count only the days the log covers
        start, end = pd.Period(m).start_time, pd.Period(m).end_time.normalize()
        days[i] = (min(end, last) - max(start, first)).days + 1
    per_day = counts / days[:, None]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottom = np.zeros(len(months))
    city, national = metrics["beyond_city_above_cameras"], metrics["national_above_cameras"]
    labels = (f"own cameras (≤ {city:,})", f"state pool ({city + 1:,}–{national:,} cameras)",
              f"national network (> {national:,})")
    for j, (label, colour) in enumerate(zip(labels, (BLUE, ORANGE, GREEN))):
        ax.bar(months, per_day[:, j], bottom=bottom, color=colour, label=label)
        bottom += per_day[:, j]
    ax.set_ylabel("searches per day")
    ax.set_title(title or "searches by month and reach", fontsize=10)
    handles, names = ax.get_legend_handles_labels()  # (listed as stacked: the national network on top)
    ax.legend(handles[::-1], names[::-1], frameon=False, fontsize=8, loc="upper left", title_fontsize=8,
              alignment="left", title=f"reach; beyond the city (> {city:,} cameras) = state pool + national")
    ax.set_ylim(0, max(bottom.max() * 1.3, 1))
    fig.tight_layout()
    return fig
