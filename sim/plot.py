"""Figures. Each function returns a :class:`matplotlib.figure.Figure`.

Figures are built without pyplot (no global state, safe in threads and
sweeps) and use a colour-blind-safe palette (Okabe–Ito).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from sim.arrays import distinct
from sim.io.folders import atomic_write_bytes
from sim.network import RoadNetwork, major_roads, reader_sites
from sim.access import blocked_edges, rule_report
from sim.webmap import display_name
from sim.answers import COVERAGE_MIN_TRIPS, fold_alike, percent, share_style

#: Okabe–Ito colours.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#999999"
#: Operator colours shared by the map and the long-drive strip (sorted operator names, in order).
OPERATOR_PALETTE = (VERMILLION, BLUE, ORANGE, PURPLE, "#56B4E9", "#000000", GREEN, "#F0E442")


def operator_colours(operators: Iterable[Any], every: Iterable[Any] | None = None) -> dict[str, str]:
    """Each operator's colour: :data:`OPERATOR_PALETTE` in the order of the sorted names of ``every`` operator of
    the run (with ``operators``), as map.html colours them, so an operator has one colour in every figure
    whichever operators a figure shows (a patrol-car operator is in no map's arrows).

    Examples
    --------
    >>> operator_colours(["town"], every=["county", "town"]) == {"county": VERMILLION, "town": BLUE}
    True
    """
    names = sorted({str(op) for op in operators} | {str(op) for op in (every if every is not None else [])})
    return dict(zip(names, OPERATOR_PALETTE * (len(names) // len(OPERATOR_PALETTE) + 1)))


def _km(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    return (net.x - net.x.min()) / 1000.0, (net.y - net.y.min()) / 1000.0


def _draw_edges(ax: Axes, net: RoadNetwork, edges: np.ndarray, **style: Any) -> LineCollection:
    x, y = _km(net)
    segments = np.stack(
        [np.column_stack([x[net.edge_u[edges]], y[net.edge_u[edges]]]),
         np.column_stack([x[net.edge_v[edges]], y[net.edge_v[edges]]])],
        axis=1,
    )
    lines = LineCollection(segments, **style)  # type: ignore[arg-type]  # an (n, 2, 2) array of segments
    ax.add_collection(lines)
    return lines


def _stretch(ax: Axes, x: np.ndarray, y: np.ndarray) -> bool:
    """Equal axes, unless the network is a long corridor that would be a hairline: then stretch it (True)."""
    stretched = bool(max(np.ptp(x), np.ptp(y)) > 8 * max(min(np.ptp(x), np.ptp(y)), 1e-9))
    if not stretched:
        # the data limits give way, not the box: a box shrunk to the aspect after the constrained
        # layout has placed it pushed the title off the top of a square figure
        ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale()
    return stretched


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG atomically (temp file, then rename); no timestamp, so same data, same bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _draw_camera_arrows(ax: Axes, x: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray,
                        operators: np.ndarray, at: tuple[np.ndarray, np.ndarray],
                        length: tuple[float, float], colours: dict[str, str]) -> None:
    """Arrows where each reader stands (``at``), pointing the way it reads, coloured by operator
    (``colours``: :func:`operator_colours`). ``length`` is an arrow's reach along
    x and along y (km): equal on a map drawn to scale; on a stretched one each axis's own share, so that an
    arrow looks as long whichever way it points."""
    mx, my = at
    lx, ly = length
    dx, dy = (x[v] - x[u]) / lx, (y[v] - y[u]) / ly
    norm = np.maximum(np.hypot(dx, dy), 1e-12)
    dx, dy = dx / norm * lx, dy / norm * ly
    for name in sorted(set(operators)):
        pick, colour = operators == name, colours[str(name)]
        ax.quiver(mx[pick], my[pick], dx[pick], dy[pick], color=colour, angles="xy",
                  scale_units="xy", scale=1, width=0.005, headwidth=4, pivot="middle", zorder=4)


def camera_legend(operators: np.ndarray, cameras: np.ndarray | None = None,
                  colours: dict[str, str] | None = None) -> list[Line2D]:
    """Legend entries that look like the map's marks (an arrow per operator), each saying how many cameras it
    stands for — and, where some read both ways, how many arrows (watched directions) they draw.

    ``operators`` is the operator of each watched direction; ``cameras`` the camera of each (``None``: one
    camera per direction); ``colours`` each operator's (default: :func:`operator_colours` of ``operators``).

    Examples
    --------
    >>> [h.get_label() for h in camera_legend(np.array(["city-police"] * 3), np.array([7, 7, 8]))]
    ['City police: 2 cameras (1 reads both ways: 3 arrows)']
    """
    handles = []
    colours = colours if colours is not None else operator_colours(operators)
    for name in sorted(set(operators)):
        pick, colour = operators == name, colours[str(name)]
        arrows = int(pick.sum())
        n = arrows if cameras is None else len(np.unique(np.asarray(cameras)[pick]))
        label = f"{display_name(str(name))}: {n:,} camera{'s' if n != 1 else ''}"
        if arrows > n:
            both = arrows - n
            label += f" ({both:,} read{'s' if both == 1 else ''} both ways: {arrows:,} arrows)"
        handles.append(Line2D([], [], color=colour, marker=r"$\rightarrow$", markersize=13, linestyle="none",
                              label=label))
    return handles


def _zoom_box(net: RoadNetwork, edges: np.ndarray | None) -> tuple[float, float, float, float] | None:
    """A square (x0, x1, y0, y1, km) around ``edges`` when they span under a fifth of the map, else ``None``:
    a district that small is a speck on the whole map."""
    if edges is None or not len(edges):
        return None
    x, y = _km(net)
    ends = np.concatenate([net.edge_u[edges], net.edge_v[edges]])
    span = max(float(np.ptp(x[ends])), float(np.ptp(y[ends])))
    whole = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9)
    if span >= 0.2 * whole:
        return None
    cx, cy = (x[ends].min() + x[ends].max()) / 2, (y[ends].min() + y[ends].max()) / 2
    half = max(span, 0.03 * whole)
    return cx - half, cx + half, cy - half, cy + half


def _map_layers(ax: Axes, net: RoadNetwork, camera_edge: np.ndarray, operators: np.ndarray, *,
                arrow_km: tuple[float, float], colours: dict[str, str],
                true_route: np.ndarray | None, recon_route: np.ndarray | None, district_edges: np.ndarray | None,
                boundary_label: str, labels: bool) -> None:
    """Roads, the trip, the boundary and the camera arrows on ``ax`` (with legend labels when ``labels``)."""
    def label(text: str) -> dict[str, str]:
        return {"label": text if labels else "_nolegend_"}  # a label starting "_" stays out of the legend
    major = major_roads(net)
    _draw_edges(ax, net, np.flatnonzero(~major), colors="#CCCCCC", linewidths=0.8, zorder=1)
    _draw_edges(ax, net, np.flatnonzero(major), colors=GREY, linewidths=1.8, zorder=1, **label("arterial road"))
    if true_route is not None and len(true_route):
        _draw_edges(ax, net, true_route, colors=BLUE, linewidths=4.5, alpha=0.55, zorder=2, **label("true route"))
    if recon_route is not None and len(recon_route):
        _draw_edges(ax, net, recon_route, colors=GREEN, linewidths=2.2, linestyles=(0, (3, 2)), zorder=5,
                    **label("reconstructed from reads"))
    x, y = _km(net)
    if district_edges is not None and len(district_edges):
        _draw_edges(ax, net, district_edges, colors="#000000", linewidths=1.6, linestyles=(0, (1, 1)), zorder=2,
                    **label(boundary_label))
    u, v = net.edge_u[camera_edge], net.edge_v[camera_edge]
    _draw_camera_arrows(ax, x, y, u, v, operators, reader_sites(net, camera_edge, x, y), arrow_km, colours)


def _draw_reads(ax: Axes, net: RoadNetwork, read_edges: np.ndarray, read_times: pd.Series | None,
                labels: bool) -> None:
    """The trip's reads as white dots, the first and last labelled with their times."""
    rx, ry = _midpoints(net, read_edges)
    ax.scatter(rx, ry, s=45, facecolor="white", edgecolor="black", zorder=5,
               label=f"read ({len(read_edges)} of this trip)" if labels else "_nolegend_")
    if read_times is not None:
        # Label only the first and last sighting: intermediate labels overlap
        # on short blocks; the count and span go into the legend instead.
        times = pd.to_datetime(pd.Series(read_times)).reset_index(drop=True)
        for i in sorted({0, len(times) - 1}):
            ax.annotate(("first " if i == 0 else "last ") + times[i].strftime("%H:%M:%S"), (rx[i], ry[i]),
                        xytext=(6, 6 if i == 0 else -14), textcoords="offset points", fontsize=8, zorder=6,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
                        annotation_clip=True)


def _draw_other_reads(ax: Axes, net: RoadNetwork, edges: np.ndarray, labels: bool) -> None:
    """The car's other reads a searcher joined to this trip, as grey dots (none: nothing drawn)."""
    if len(edges):
        ax.scatter(*_midpoints(net, edges), s=45, facecolor="#bbbbbb", edgecolor="black", zorder=5,
                   label=f"another read of the car, joined to this trip ({len(edges)})" if labels else "_nolegend_")


def _midpoints(net: RoadNetwork, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The middle of each of ``edges`` (km), where a read on it is drawn."""
    x, y = _km(net)
    u, v = net.edge_u[edges], net.edge_v[edges]
    return (x[u] + x[v]) / 2, (y[u] + y[v]) / 2


def map_figure(
    net: RoadNetwork,
    camera_edge: np.ndarray,
    *,
    true_route: np.ndarray | None = None,
    recon_route: np.ndarray | None = None,
    read_edges: np.ndarray | None = None,
    read_times: pd.Series | None = None,
    other_read_edges: np.ndarray | None = None,
    camera_operator: np.ndarray | None = None,
    camera_of_edge: np.ndarray | None = None,
    district_edges: np.ndarray | None = None,
    boundary_label: str = "boundary crossing",
    title: str = "",
    all_operators: list[str] | None = None,
) -> Figure:
    """Network, cameras (arrows in the direction they read), one trip and its reconstruction.

    A district whose boundary spans under a fifth of the map is drawn again, zoomed, in a panel at the right
    (the main map marks where).

    Parameters
    ----------
    camera_edge : numpy.ndarray
        Travelled edge of every (camera, direction) pair.
    true_route, recon_route : numpy.ndarray, optional
        Edge indices of a true route and its reconstruction.
    read_edges, read_times : optional
        Edges and wall-clock times of the trip's reads, drawn as labelled dots.
    other_read_edges : numpy.ndarray, optional
        Edges of the car's other reads that the reconstruction joined to the trip (another of its trips, or a
        patrol car's read of it parked), drawn as grey dots: the rebuilt route runs to them.
    camera_operator : numpy.ndarray, optional
        Operator of each entry of ``camera_edge``: cameras are coloured by operator.
    camera_of_edge : numpy.ndarray, optional
        Camera (any id) of each entry of ``camera_edge``, so the legend counts cameras, not directions.
    district_edges : numpy.ndarray, optional
        Edges crossing a district or jurisdiction boundary, drawn as a dashed line labelled ``boundary_label``.
    all_operators : list of str, optional
        Every operator of the run, patrol cars' too, so colours match map.html's (:func:`operator_colours`).
    """
    zoom = _zoom_box(net, district_edges)
    fig = Figure(figsize=(10.6 if zoom else 7.0, 7.0), dpi=110, layout="constrained")
    if zoom:
        ax, inset = fig.subplots(1, 2, width_ratios=[1.0, 0.5])
    else:
        ax = fig.add_subplot()
    x, y = _km(net)
    whole = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9)
    operators = np.asarray(camera_operator) if camera_operator is not None else np.full(len(camera_edge), "camera")
    colours = operator_colours(operators, all_operators)
    layers: dict[str, Any] = dict(true_route=true_route, recon_route=recon_route, district_edges=district_edges,
                                  boundary_label=boundary_label, colours=colours)
    # a corridor hundreds of km long and 2 km wide is drawn stretched (see _stretch): arrows then take each
    # axis's own share, not 3 % of 400 km on an axis 2 km tall
    stretched = max(np.ptp(x), np.ptp(y)) > 8 * max(min(np.ptp(x), np.ptp(y)), 1e-9)
    arrow = (0.03 * float(np.ptp(x)), 0.03 * float(np.ptp(y))) if stretched else (0.03 * whole, 0.03 * whole)
    _map_layers(ax, net, camera_edge, operators, arrow_km=arrow, labels=True, **layers)
    others = other_read_edges if other_read_edges is not None else np.zeros(0, np.int64)
    _draw_other_reads(ax, net, others, labels=True)
    if read_edges is not None and len(read_edges):
        _draw_reads(ax, net, read_edges, read_times, labels=True)
    _stretch(ax, x, y)
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)" + (" — not to scale" if stretched else ""))
    ax.set_title(title or "Road network, cameras and one trip")
    if zoom:
        x0, x1, y0, y1 = zoom
        _map_layers(inset, net, camera_edge, operators, arrow_km=(0.12 * (x1 - x0),) * 2, labels=False, **layers)
        _draw_other_reads(inset, net, others, labels=False)
        if read_edges is not None and len(read_edges):
            _draw_reads(inset, net, read_edges, None, labels=False)
        inset.set_xlim(x0, x1)
        inset.set_ylim(y0, y1)
        inset.set_aspect("equal", adjustable="box")
        inset.set_xlabel("east (km)")
        inset.set_title("the district, zoomed in\n(the square on the map)", fontsize=9)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="black", lw=1.2, zorder=7))
    handles, _ = ax.get_legend_handles_labels()
    handles += camera_legend(operators, camera_of_edge, colours)
    # A figure legend "outside" is laid out by the constrained layout; an axes legend pushed below
    # the axes with bbox_to_anchor is not, and clipped the title and the legend's last row.
    fig.legend(handles=handles, loc="outside lower left", ncols=2, fontsize=8, frameon=False)
    return fig


def reads_per_trip_figure(trip_table: pd.DataFrame, *, title: str = "") -> Figure:
    """Bar chart: share of trips sighted 0, 1, 2, … times, and mean route recall for each.

    A sighting is one pass of a camera, however many times the camera logged it (``n_sightings``), as
    ``share_trips_read_ge2`` counts them: with duplicate reads, the reads would show more trips "read twice" than
    the report's share (57.6 % against 53 %).
    """
    fig = Figure(figsize=(6.5, 3.6), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    counts = trip_table["n_sightings"].clip(upper=10)
    share = counts.value_counts(normalize=True).sort_index()
    recall = trip_table.groupby(counts)["route_recall"].mean()
    bars = ax.bar(share.index, share.to_numpy() * 100, color=BLUE)
    for bar, r in zip(bars, recall.reindex(share.index)):
        ax.annotate(f"recall {r:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7, rotation=90)
    ax.set_xticks(share.index, [str(i) if i < 10 else "10+" for i in share.index])
    ax.set_xlabel("sightings per trip (a pass logged twice is one sighting)")
    ax.set_ylabel("share of trips (%)")
    ax.set_ylim(0, max(share.max() * 100 * 1.35, 1))
    ax.set_title(title or "How often is a trip sighted, and how much of its route is recovered?")
    return fig


#: Colours for lines of a comparison, in order (Okabe–Ito).
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, "#56B4E9", "#F0E442", "#000000")
#: Line styles of a figure's series past the 8 colours (the 9th line is the 1st colour dashed, …).
LINE_STYLES = ("-", "--", ":", "-.")
METRIC_LABELS = {
    "share_trips_read_ge1": "trips read at least once (%)",
    "share_trips_read_ge2": "trips sighted at least twice (%)",
    "route_recall_mean": "route recall, mean (%)",
    "camera_free_pair_share": "place pairs with a camera-free route (%)",
    "share_long_trips_read": "long trips read at least once (%)",
}


#: Width (inches) of a comparison figure of one panel. Its title, "Placements compared: mean of n = 2 seeds (dots),
#: 95 % confidence band", is 5.2 in long at 10 pt (5.5 in for "n = 10–20"): at 3.4 in it ran past both edges,
#: and the panel beside the legend was 2.2 in wide.
COMPARISON_MIN_WIDTH = 6.0

#: Why a metric can be the same at every setting of a sweep (said under a figure that leaves its panel out).
FLAT_WHY = {"camera_free_pair_share": "with these placements a driver can always find a way round the cameras"}


def _flat(table: pd.DataFrame) -> float | None:
    """The one value of a metric that is the same at every setting, band included; ``None`` when it varies."""
    values = table[["mean", "ci_low", "ci_high"]].to_numpy(float).ravel()
    values = values[np.isfinite(values)]
    return float(values[0]) if len(values) and np.ptp(values) < 1e-9 else None


def placement_comparison_figure(
    summaries: dict[str, pd.DataFrame], x: str, group: str | None, *, x_label: str | None = None
) -> Figure:
    """One panel per metric: mean over seeds vs ``x``, a line per ``group``, 95 % confidence band.

    A metric that is the same at every setting (e.g. every place pair has a camera-free route) gets no panel
    of a flat line: a note under the figure gives its value and why (:data:`FLAT_WHY`).

    Parameters
    ----------
    summaries : dict
        Metric name → output of :func:`sim.sweep.summarise` (columns ``x``,
        ``group``, ``mean``, ``ci_low``, ``ci_high``).
    """
    flat = {metric: value for metric, table in summaries.items() if (value := _flat(table)) is not None}
    drawn = {m: t for m, t in summaries.items() if m not in flat} or summaries
    n = len(drawn)
    width = max(3.4 * n, COMPARISON_MIN_WIDTH)  # one panel is widened (see COMPARISON_MIN_WIDTH)
    fig = Figure(figsize=(width, 3.4), dpi=110, layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (metric, table) in zip(axes, drawn.items()):
        groups = [(None, table)] if group is None else list(table.groupby(group, sort=True))
        for i, (name, part) in enumerate(groups):
            # (past the palette's 8 colours, the lines repeat them dashed, then dotted: no two lines look alike)
            colour, style = SERIES[i % len(SERIES)], LINE_STYLES[i // len(SERIES) % len(LINE_STYLES)]
            part = part.sort_values(x)
            ax.plot(part[x], part["mean"] * 100, marker="o", color=colour, linestyle=style,
                    label=str(name) if name is not None and ax is axes[0] else "_nolegend_")
            # (a t-interval over a few seeds can reach past 0 % or 100 %, where no share can be)
            ax.fill_between(part[x], np.clip(part["ci_low"] * 100, 0, 100), np.clip(part["ci_high"] * 100, 0, 100),
                            color=colour, alpha=0.2, lw=0)
            if "values" in part:  # each seed's own value: a band from 2 seeds is seen to be 2 points
                seeds = [(at, value * 100) for at, values in zip(part[x], part["values"]) for value in values]
                if seeds:
                    # (white-edged and above the mean's marker, so that a seed's value on it still shows)
                    ax.scatter(*zip(*seeds), s=14, color=colour, edgecolors="white", linewidths=0.7, zorder=4,
                               label="_nolegend_")
        ax.set_xlabel(x_label or x)
        if all(float(v).is_integer() for v in table[x]):  # (counts: no tick at 12.5 cameras)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(METRIC_LABELS.get(metric, metric).replace(" (%)", ""), fontsize=9)
        ax.set_ylabel("%", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    notes = [f"Not drawn: {METRIC_LABELS.get(m, m).replace(' (%)', '')} is {value:.0%} at every setting"
             + (f" ({FLAT_WHY[m]})" if m in FLAT_WHY else "") + "." for m, value in flat.items() if m not in drawn]
    if group is not None:
        # Beside the last panel, level with its frame: off the bands, and under the figure title. A figure
        # legend "outside right upper" sat at the figure's top corner, on the title's line, over its end.
        # (The constrained layout makes room for an axes legend outside its axes, like a label.)
        axes[-1].legend(handles=axes[0].get_legend_handles_labels()[0], title=group.split(".")[-1], fontsize=8,
                        title_fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                        frameon=False)
    if notes:  # laid out by the constrained layout, under the panels and the legend
        fig.supxlabel("\n".join(textwrap.fill(note, round(48 * width / 3.4)) for note in notes), fontsize=7.5,
                      color="#444444")
    fig.suptitle(f"Placements compared: {_seeds_text(summaries)}", fontsize=10)
    return fig


def _seeds_text(summaries: dict[str, pd.DataFrame]) -> str:
    """How many seeds each point of a comparison is the mean of ("n = 2 seeds"; "n = 2–3" where a run gave no
    value), for the title: a 95 % band from two seeds is not one from twenty."""
    counts = [int(n) for table in summaries.values() if "n" in table for n in table["n"]]
    if not counts:
        return "mean over seeds, 95 % confidence band"
    low, high = min(counts), max(counts)
    if high <= 1:
        return "n = 1 seed, no confidence band"
    n = f"n = {low}" if low == high else f"n = {low}–{high}"
    dots = " (dots)" if any("values" in table for table in summaries.values()) else ""
    return f"mean of {n} seeds{dots}, 95 % confidence band"


def coverage_figure(net: RoadNetwork, routes_edges: np.ndarray, routes_trip: np.ndarray, trip_read: np.ndarray,
                    camera_edge: np.ndarray, *, title: str = "", min_trips: int = COVERAGE_MIN_TRIPS) -> Figure:
    """Per road: the share of trips through it that were read at least once; blind corridors stand out.

    Roads fewer than ``min_trips`` trips drove are drawn grey (too few to tell), not coloured.

    Parameters
    ----------
    routes_edges, routes_trip : numpy.ndarray
        Flat route edges and the trip (row) each belongs to.
    trip_read : numpy.ndarray of bool
        Whether each trip was read at least once.
    """
    pairs = distinct(np.asarray(routes_trip, np.int64) * net.n_edges + routes_edges)  # each (trip, road) once
    edge, trip = pairs % net.n_edges, pairs // net.n_edges
    through = np.bincount(edge, minlength=net.n_edges)
    read = np.bincount(edge, weights=trip_read[trip], minlength=net.n_edges)
    share = np.divide(read, through, out=np.full(net.n_edges, np.nan), where=through > 0)
    fig = Figure(figsize=(7.0, 6.4), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    unused = np.flatnonzero(through == 0)
    _draw_edges(ax, net, unused, colors="#DDDDDD", linewidths=0.6)
    few = np.flatnonzero((through > 0) & (through < min_trips))
    _draw_edges(ax, net, few, colors="#A8A8A8", linewidths=1.0)
    used = np.flatnonzero(through >= min_trips)
    lines = _draw_edges(ax, net, used, array=share[used] * 100, cmap="viridis", linewidths=1.8)
    lines.set_clim(0, 100)
    x, y = _km(net)
    ax.scatter(*reader_sites(net, camera_edge, x, y), s=10, marker="s", color=VERMILLION, zorder=3, label="camera")
    fig.colorbar(lines, ax=ax, label="trips through this road that were read somewhere (%)", shrink=0.8)
    ax.set_aspect("equal")
    ax.autoscale()
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    handles = [*ax.get_legend_handles_labels()[0],
               Line2D([], [], color="#A8A8A8", linewidth=1.0, label=f"fewer than {min_trips} trips: too few to tell"),
               Line2D([], [], color="#DDDDDD", linewidth=0.6, label="no trip")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)  # (off the roads)
    ax.set_title(title or "Coverage: dark roads carry trips that no camera read")
    return fig


def sharing_graph_figure(graph: nx.DiGraph, agencies: dict[str, dict], *, title: str = "") -> Figure:
    """The access graph: operators → pools → agencies, agencies sized by the share of reads they see.

    Rule-blocked agreements are drawn dashed in grey; edges on a leak path red.
    """
    g = graph  # an access DiGraph from sim.access.access_graph
    blocked = {tuple(e) for rule in g.graph.get("rules", []) for e in blocked_edges(g, rule)}
    leak = set()
    for report in rule_report(g).values():
        for path in report["leaks"].values():
            leak |= set(zip(path[:-1], path[1:]))
    g = _alike_agencies_folded(g, agencies, blocked, leak)
    column = {"operator": 0, "pool": 1, "agency": 2}
    layers: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for node, data in sorted(g.nodes(data=True)):
        layers[column[data["kind"]]].append(node)
    pos = {}
    for col, nodes in layers.items():
        for i, node in enumerate(nodes):
            pos[node] = (col, -(i - (len(nodes) - 1) / 2))
    height = max(3.0, 0.45 * max(len(v) for v in layers.values()) + 1.5)
    fig = Figure(figsize=(8.0, height), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    for u, v in g.edges():
        style = dict(color=GREY, lw=1.0, ls="-")
        if (u, v) in blocked:
            style = dict(color=GREY, lw=1.0, ls=":")
        elif (u, v) in leak:
            style = dict(color=VERMILLION, lw=2.0, ls="-")
        ax.annotate("", xy=pos[v], xytext=pos[u],
                    arrowprops=dict(arrowstyle="-|>", shrinkA=9, shrinkB=9,
                                    connectionstyle="arc3,rad=0.25" if pos[u][0] == pos[v][0] else "arc3",
                                    **style))
    for node, (px, py) in pos.items():
        kind = g.nodes[node]["kind"]
        seen = agencies.get(g.nodes[node].get("as", node), {}).get("share_reads_visible") if kind == "agency" else None
        size = 40 + 220 * (seen or 0) if kind == "agency" else 160
        colour = {"operator": BLUE, "pool": ORANGE, "agency": GREEN}[kind]
        ax.scatter([px], [py], s=size, color=colour, zorder=3, edgecolor="black", linewidth=0.5)
        label = node + (f"  ({percent(seen, share_style(seen))} of reads)" if seen is not None else "")
        if "as" in g.nodes[node]:  # agencies alike: their names on a line of their own, within the figure
            head, _, names = node.partition(" (")
            label = f"{head}{label[len(node):]}\n({names}"
        # Arrows leave operators to the right and enter agencies from the left, so operators are
        # labelled on their left, agencies on their right and pools above: no label sits on an arrow.
        offset, ha, va = {"operator": ((-12, 0), "right", "center"), "pool": ((0, 11), "center", "bottom"),
                          "agency": ((12, 0), "left", "center")}[kind]
        ax.annotate(label, (px, py), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8), zorder=4)
    ax.set_xticks([0, 1, 2], ["operators\n(own cameras)", "pools", "agencies\n(size: share of reads seen)"])
    ax.set_yticks([])
    ax.set_xlim(-1.1, 3.1)
    ax.set_ylim(min(y for _, y in pos.values()) - 0.5, max(y for _, y in pos.values()) + 0.7)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    handles = [
        ax.plot([], [], color=GREY, lw=1, label="access or sharing")[0],
        ax.plot([], [], color=GREY, lw=1, ls=":", label="blocked by a rule")[0],
        ax.plot([], [], color=VERMILLION, lw=2, label="leak: reaches a denied agency")[0],
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    ax.set_title(title or "Who can search the reads")
    return fig



def _alike_agencies_folded(g: nx.DiGraph, agencies: dict[str, dict], blocked: set[Any], leak: set[Any]) -> nx.DiGraph:
    """``g`` with each group of more than ten agencies alike (the same sources and onward links, drawn alike,
    seeing the same share) as one node named as the report's table names it (:func:`sim.answers.alike_name`); its
    ``as`` attribute is the first member's name, and ``blocked`` and ``leak`` gain its edges."""
    def style(u: str, v: str) -> str:
        return "blocked" if (u, v) in blocked else "leak" if (u, v) in leak else ""

    # (in the metrics' order, as the report's table names a group by its first two)
    named = [node for node, data in g.nodes(data=True) if data["kind"] == "agency"]
    named = [a for a in agencies if a in set(named)] + sorted(set(named) - set(agencies))
    keys = {node: (agencies.get(node, {}).get("share_reads_visible"),
                   tuple(sorted((u, style(u, node)) for u in g.predecessors(node))),
                   tuple(sorted((v, style(node, v)) for v in g.successors(node)))) for node in named}
    groups = {shown: members for shown, members in fold_alike(keys, of=len(named)).items() if len(members) > 1}
    if not groups:
        return g
    folded = g.copy()
    for shown, members in groups.items():
        first = members[0]
        folded.add_node(shown, **{**g.nodes[first], "as": first})
        for (u, v), drawn in [*(((u, first), (u, shown)) for u in g.predecessors(first)),
                              *(((first, v), (shown, v)) for v in g.successors(first))]:
            folded.add_edge(*drawn, **g.edges[u, v])
            (blocked if (u, v) in blocked else leak if (u, v) in leak else set()).add(drawn)
        folded.remove_nodes_from(members)
    return folded

