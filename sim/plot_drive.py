"""The figure of one long drive (``figures/long_trip.png``): a row per view, which stretches of the drive each view's
reads recover, and where each operator read it."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.answers import fold_alike, percent, share_style
from sim.network import RoadNetwork
from sim.plot import GREEN, operator_colours
from sim.webmap import display_name


def long_trip_figure(
    net: RoadNetwork,
    route: np.ndarray,
    views: dict[str, dict[str, np.ndarray]],
    *,
    jurisdiction: np.ndarray | None = None,
    all_operators: list[str] | None = None,
    title: str = "",
) -> Figure:
    """One long drive laid out along its route, a row per view: which stretches each view recovers.

    Parameters
    ----------
    route : numpy.ndarray
        Edge indices of the drive, in order.
    views : dict
        View name (``"all reads"``, an agency) → ``covered`` (bool per route
        edge: on the route reconstructed from that view's reads),
        ``read_edges`` and ``read_operator`` (the sightings it holds). After
        the first, more than ten views alike (the same stretches and reads)
        are one row, named as the report's table names them.
    jurisdiction : numpy.ndarray, optional
        Jurisdiction of every edge of the network: towns along the drive
        are shaded and labelled.
    all_operators : list of str, optional
        Every camera operator of the run, so colours match the map's.
    """
    # (Norfolk's 80 agencies that see every read made a figure 5,000 px tall)
    keys = {name: (name,) if i == 0 else (np.asarray(view["covered"], bool).tobytes(),
                                          np.asarray(view["read_edges"]).tobytes(),
                                          tuple(map(str, view["read_operator"])))
            for i, (name, view) in enumerate(views.items())}
    # (the views but "all reads" are the agencies': a group of all of them is named so, as "all 80 agencies")
    views = {shown: views[members[0]] for shown, members in fold_alike(keys, of=len(views) - 1).items()}
    length_km = net.edge_length[route] / 1000.0
    start = np.concatenate([[0.0], np.cumsum(length_km)])
    position: dict[int, float] = {}
    for i, e in enumerate(route):
        position.setdefault(int(e), start[i] + length_km[i] / 2)
    operators = sorted({str(op) for v in views.values() for op in v["read_operator"]})
    colour = operator_colours(operators, all_operators)
    fig = Figure(figsize=(9.0, 1.8 + 0.55 * len(views)), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    if jurisdiction is not None:
        places = np.asarray(jurisdiction, dtype=object)[route]
        change = np.flatnonzero(places[1:] != places[:-1]) + 1
        bounds = np.concatenate([[0], change, [len(route)]])
        last_label = -np.inf
        for a, b in zip(bounds[:-1], bounds[1:]):
            ax.axvspan(start[a], start[b], color=_place_shade(str(places[a])), zorder=0, lw=0)
            middle = (start[a] + start[b]) / 2
            if middle - last_label > 0.06 * start[-1]:
                ax.annotate(str(places[a]) or "—", (middle, 0.0), xycoords=("data", "axes fraction"),
                            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=7,
                            color="#555555")
                last_label = middle
    for row, (name, view) in enumerate(views.items()):
        y = len(views) - 1 - row + 0.25
        ax.broken_barh([(start[0], start[-1] - start[0])], (y - 0.06, 0.12), color="#DDDDDD", zorder=1, lw=0)
        covered = np.asarray(view["covered"], bool)
        ax.broken_barh(_runs(start, covered), (y - 0.18, 0.36), color=GREEN, alpha=0.8, zorder=2, lw=0)
        share = float(length_km[covered].sum() / max(length_km.sum(), 1e-12))
        ax.annotate(percent(share, share_style(share)), (1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
        for op in sorted(set(map(str, view["read_operator"]))):
            pick = np.array([str(o) == op for o in view["read_operator"]])
            xs = [position[int(e)] for e in np.asarray(view["read_edges"])[pick] if int(e) in position]
            ax.scatter(xs, np.full(len(xs), y), s=90, marker="|", linewidths=2.5, color=colour[op], zorder=3)
    ax.set_yticks(np.arange(len(views)) + 0.25, list(views)[::-1], fontsize=8)
    ax.set_ylim(-0.5, len(views) - 0.2)
    ax.set_xlim(0, start[-1])
    ax.set_xlabel("km from the start of the drive (background: jurisdiction of the road)")
    handles: list[Any] = [ax.broken_barh([], (0, 0), color=GREEN, alpha=0.8,
                                         label="on the route inferred from the view's reads")]
    handles += [ax.scatter([], [], marker="|", s=90, linewidths=2.5, color=colour[op],
                           label=f"read by {display_name(op)}") for op in operators]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)), fontsize=8, frameon=False)
    # (over the figure, not the axes: long view names on the left would push a centred title off its right edge)
    fig.suptitle(title or "One long drive: what each view recovers (right: share of km)", fontsize=10)
    return fig


def _runs(start: np.ndarray, on: np.ndarray) -> list[tuple[float, float]]:
    """(x, width) of each maximal run of ``on`` edges, for ``broken_barh``."""
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    first, stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(start[a], start[b] - start[a]) for a, b in zip(first, stop)]


def _place_shade(place: str) -> str:
    """A light background per jurisdiction: highways and unnamed roads white, towns alternating greys."""
    if place in ("", "state", "highway"):
        return "#FFFFFF"
    return ("#E8E8E8", "#F4F4F4")[sum(map(ord, place)) % 2]
