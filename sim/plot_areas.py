"""The figure of where surveillance concentrates (``figures/areas.png``): home areas by how much of their residents'
driving is read, and per area its cameras and who is read (:func:`sim.metrics.exposure_by_area`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.network import RoadNetwork
from sim.plot import BLUE, ORANGE, _draw_edges, _km, _stretch


def area_names(names: list[str]) -> list[str]:
    """Area names as a reader wants them: ring bounds rounded to the fewest decimals that move no bound by more
    than a twentieth of the narrowest ring ("0–0.405 km" → "0–0.4 km"), so that rings of one width read as one
    width (Norfolk's 1.67 km rings, in whole km, read "0–2, 2–3, 3–5 km"), and a road across two jurisdictions
    ("county|city") in words.

    Examples
    --------
    >>> area_names(["0–0.405 km", "0.405–0.811 km", "0.811–1.22 km"])
    ['0–0.4 km', '0.4–0.8 km', '0.8–1.2 km']
    >>> area_names(["0–1.67 km", "1.67–3.34 km", "3.34–5.01 km"])
    ['0–1.7 km', '1.7–3.3 km', '3.3–5.0 km']
    >>> area_names(["0–4 km", "4–8 km"])
    ['0–4 km', '4–8 km']
    >>> area_names(["0–0.288 km", "0.288–0.576 km", "beyond 0.576 km"])   # the corners beyond the rings
    ['0–0.29 km', '0.29–0.58 km', 'beyond 0.58 km']
    >>> area_names(["city", "county", "county|city"])
    ['city', 'county', 'roads across the line\\n(county–city)']
    """
    # a ring "a–b km", or the corners "beyond b km" (no a)
    rings = [re.fullmatch(r"(?:([\d.]+)–|beyond )([\d.]+) km", n) for n in names]
    if names and all(rings):
        bounds = np.array(sorted({float(g) for m in rings if m for g in m.groups() if g is not None}))
        least = float(np.diff(bounds).min()) if len(bounds) > 1 else 1.0
        for decimals in range(4):
            if np.abs(np.round(bounds, decimals) - bounds).max() <= least / 20:
                break
        def text(b: str) -> str:
            return "0" if float(b) == 0 else f"{float(b):.{decimals}f}"
        return [f"beyond {text(b)} km" if a is None else f"{text(a)}–{text(b)} km"
                for a, b in (m.groups() for m in rings if m)]
    return [f"roads across the line\n({n.replace('|', '–')})" if "|" in n else n for n in names]


def share_scale(values: np.ndarray, *, step: float = 5.0, least: float = 10.0) -> tuple[float, float]:
    """A colour scale (percent) spanning the data's range, out to the next ``step``, at least ``least`` wide.

    Examples
    --------
    >>> share_scale(np.array([71.2, 78.9]))
    (70.0, 80.0)
    >>> share_scale(np.array([44.0, 46.0]))   # a narrow spread is not blown up to the whole scale
    (40.0, 50.0)
    >>> share_scale(np.array([46.0, 49.0])), share_scale(np.array([99.0, 100.0])), share_scale(np.array([0.5]))
    ((40.0, 50.0), (90.0, 100.0), (0.0, 10.0))
    """
    finite = np.asarray(values, float)[np.isfinite(values)]
    if not len(finite):
        return 0.0, 100.0
    lo, hi = float(np.floor(finite.min() / step) * step), float(np.ceil(finite.max() / step) * step)
    grow_low = True
    while hi - lo < least and (lo, hi) != (0.0, 100.0):  # widen a step at a time, alternately below and above
        if (grow_low and lo > 0) or hi >= 100:
            lo = max(0.0, lo - step)
        else:
            hi = min(100.0, hi + step)
        grow_low = not grow_low
    return lo, hi


def areas_figure(net: RoadNetwork, node_area: np.ndarray, table: pd.DataFrame, *, title: str = "") -> Figure:
    """Where surveillance concentrates: a map of areas by residents' trips read, and bars per area.

    Parameters
    ----------
    node_area : numpy.ndarray
        Area name of every node.
    table : pandas.DataFrame
        From :func:`sim.metrics.exposure_by_area`.
    """
    fig = Figure(figsize=(11.0, 4.8), dpi=110, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
    value = table.set_index("area")["resident_share_trips_read"]
    x, y = _km(net)
    _draw_edges(left, net, np.arange(net.n_edges), colors="#DDDDDD", linewidths=0.5, zorder=1)
    shown = value.reindex(node_area).to_numpy(float) * 100
    # the scale spans the homes' range (every home at 70–80 % was one colour on a 0–80 % scale), at least
    # 10 points wide so a spread of a point or two does not look like night and day; the colour bar says so
    low, high = share_scale(shown)
    points = left.scatter(x, y, c=shown, cmap="viridis", s=10, zorder=2, vmin=low, vmax=high)
    fig.colorbar(points, ax=left, shrink=0.8,
                 label=f"residents' trips read at least once (%)\nscale: the homes' range, {low:g}–{high:g} %, "
                       "not 0–100")
    stretched = _stretch(left, x, y)
    left.set_xlabel("east (km)")
    left.set_ylabel("north (km)" + (" — not to scale" if stretched else ""))
    left.set_title("Home areas: how much of residents' driving is read", fontsize=9)
    pos = np.arange(len(table))
    width = 0.38
    for offset, column, colour, label in ((-width / 2, "share_vehicles_observed", BLUE,
                                           "vehicles driving here that a camera here read (%)"),
                                          (width / 2, "resident_share_trips_read", ORANGE,
                                           "residents' trips read at least once (%)")):
        values = table[column].to_numpy(float) * 100
        right.bar(pos + offset, values, width, color=colour, label=label)
        for at in np.flatnonzero(values == 0):  # (a bar of 0 % is drawn as a "0", not as no bar: no data is "—")
            right.annotate("0", (pos[at] + offset, 0), xytext=(0, 2), textcoords="offset points", ha="center",
                           fontsize=7, color=colour)
    right.set_ylabel("%")
    right.set_ylim(0, 100)
    names = area_names(list(table["area"]))
    right.set_xticks(pos, names, rotation=20, fontsize=8)
    rings = bool(names) and all(n.endswith(" km") for n in names)
    right.set_xlabel("ring around the network's centre" if rings else "jurisdiction (where the road is)", fontsize=8)
    density = right.twinx()
    density.plot(pos, table["cameras_per_10_road_km"], color="black", marker="o", label="cameras per 10 km of road")
    density.set_ylabel("cameras per 10 km of road")
    density.set_ylim(bottom=0)
    handles = right.get_legend_handles_labels()[0] + density.get_legend_handles_labels()[0]
    # below the axes, not over the bars (a share near 100 % sat under an inside legend)
    fig.legend(handles=handles, fontsize=7, loc="outside lower right", ncols=3, frameon=False)
    right.set_title("Per area: cameras, and who is read", fontsize=9)
    fig.suptitle(title or "Where surveillance concentrates", fontsize=10)
    return fig
