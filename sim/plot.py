"""Figures. Each function returns a :class:`matplotlib.figure.Figure`.

Figures are built without pyplot (no global state, safe in threads and
sweeps) and use a colour-blind-safe palette (Okabe–Ito).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.network import RoadNetwork

#: Okabe–Ito colours.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#999999"


def _km(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    return (net.x - net.x.min()) / 1000.0, (net.y - net.y.min()) / 1000.0


def _draw_edges(ax, net: RoadNetwork, edges: np.ndarray, **style) -> None:  # type: ignore[no-untyped-def]
    x, y = _km(net)
    segments = np.stack(
        [np.column_stack([x[net.edge_u[edges]], y[net.edge_u[edges]]]),
         np.column_stack([x[net.edge_v[edges]], y[net.edge_v[edges]]])],
        axis=1,
    )
    ax.add_collection(LineCollection(segments, **style))


def map_figure(
    net: RoadNetwork,
    camera_edge: np.ndarray,
    *,
    true_route: np.ndarray | None = None,
    recon_route: np.ndarray | None = None,
    read_edges: np.ndarray | None = None,
    read_times: pd.Series | None = None,
    title: str = "",
) -> Figure:
    """Network, cameras (arrows in the direction they read), one trip and its reconstruction.

    Parameters
    ----------
    camera_edge : numpy.ndarray
        Travelled edge of every (camera, direction) pair.
    true_route, recon_route : numpy.ndarray, optional
        Edge indices of a true route and its reconstruction.
    read_edges, read_times : optional
        Edges and wall-clock times of the trip's reads, drawn as labelled dots.
    """
    fig = Figure(figsize=(7.0, 7.0), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    highway = np.array([str(net.graph.edges[net.nodes[u], net.nodes[v], k].get("highway", ""))
                        for u, v, k in zip(net.edge_u, net.edge_v, net.edge_key)])
    major = np.isin(highway, ["motorway", "trunk", "primary", "secondary"])
    _draw_edges(ax, net, np.flatnonzero(~major), colors="#CCCCCC", linewidths=0.8, zorder=1)
    _draw_edges(ax, net, np.flatnonzero(major), colors=GREY, linewidths=1.8, zorder=1,
                label="arterial road")
    if true_route is not None and len(true_route):
        _draw_edges(ax, net, true_route, colors=BLUE, linewidths=4.5, alpha=0.55, zorder=2,
                    label="true route")
    if recon_route is not None and len(recon_route):
        _draw_edges(ax, net, recon_route, colors=GREEN, linewidths=2.2, linestyles=(0, (3, 2)), zorder=5,
                    label="reconstructed from reads")
    x, y = _km(net)
    u, v = net.edge_u[camera_edge], net.edge_v[camera_edge]
    mx, my = (x[u] + x[v]) / 2, (y[u] + y[v]) / 2
    ax.quiver(mx, my, x[v] - x[u], y[v] - y[u], color=VERMILLION, angles="xy", scale_units="xy",
              scale=None, width=0.006, headwidth=4, pivot="middle", zorder=4)
    ax.scatter(mx, my, s=14, color=VERMILLION, zorder=4, label=f"camera ({len(np.unique(camera_edge))} watched edges)")
    if read_edges is not None and len(read_edges):
        ru, rv = net.edge_u[read_edges], net.edge_v[read_edges]
        rx, ry = (x[ru] + x[rv]) / 2, (y[ru] + y[rv]) / 2
        ax.scatter(rx, ry, s=45, facecolor="white", edgecolor="black", zorder=5,
                   label=f"read ({len(read_edges)} of this trip)")
        if read_times is not None:
            # Label only the first and last sighting: intermediate labels overlap
            # on short blocks; the count and span go into the legend instead.
            times = pd.to_datetime(pd.Series(read_times)).reset_index(drop=True)
            for i in sorted({0, len(times) - 1}):
                ax.annotate(("first " if i == 0 else "last ") + times[i].strftime("%H:%M:%S"), (rx[i], ry[i]),
                            xytext=(6, 6 if i == 0 else -14), textcoords="offset points", fontsize=8, zorder=6,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    ax.set_aspect("equal")
    ax.autoscale()
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_title(title or "Road network, cameras and one trip")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.08), ncols=2, fontsize=8, frameon=False)
    return fig


def reads_per_trip_figure(trip_table: pd.DataFrame, *, title: str = "") -> Figure:
    """Bar chart: share of trips read 0, 1, 2, … times, and mean route recall for each."""
    fig = Figure(figsize=(6.5, 3.6), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    counts = trip_table["n_reads"].clip(upper=10)
    share = counts.value_counts(normalize=True).sort_index()
    recall = trip_table.groupby(counts)["route_recall"].mean()
    bars = ax.bar(share.index, share.to_numpy() * 100, color=BLUE)
    for bar, r in zip(bars, recall.reindex(share.index)):
        ax.annotate(f"recall {r:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7, rotation=90)
    ax.set_xticks(share.index, [str(i) if i < 10 else "10+" for i in share.index])
    ax.set_xlabel("reads per trip")
    ax.set_ylabel("share of trips (%)")
    ax.set_ylim(0, max(share.max() * 100 * 1.35, 1))
    ax.set_title(title or "How often is a trip read, and how much of its route is recovered?")
    return fig
