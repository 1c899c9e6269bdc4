"""A run's figures (PNG) and interactive map (HTML), drawn from its tables — in memory or read back from its folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.cameras import watch_pairs
from sim.district import boundary_edges, district_mask
from sim.metrics.catalogue import scenario_areas
from sim.network import edge_jurisdiction
from sim.simulation import Simulation
from sim.views import reconstruct_view
from sim.io.folders import atomic_write_bytes
from sim.report import render_report
from sim.webmap import map_html


def write_figures(sim: Simulation, folder: Path) -> list[Path]:
    """Every figure of a run, as PNG files in ``folder``."""
    from sim.plot import (  # lazy: matplotlib
        coverage_figure, map_figure, reads_per_trip_figure, save_figure, sharing_graph_figure,
    )
    from sim.plot_areas import areas_figure  # lazy: matplotlib
    from sim.plot_drive import long_trip_figure  # lazy: matplotlib

    folder.mkdir(parents=True, exist_ok=True)
    net, name = sim.net, sim.scenario.name
    watch_camera, camera_edges, _ = watch_pairs(sim.layout, net)
    all_view = sim.view_table("all")
    operator = sim.layout["operator"].to_numpy()[watch_camera]
    typical = typical_trip(sim)
    # readers on patrol cars move: the map has no place to draw them, and says so
    n_mobile = int((sim.layout["kind"] == "mobile").sum()) if "kind" in sim.layout.columns else 0
    moving = ("" if not n_mobile else "\n(the readers are on patrol cars: not drawn)" if not len(camera_edges)
              else f"\n({n_mobile:,} patrol-car reader{'s' if n_mobile > 1 else ''}: not drawn)")
    map_title = (f"{name}: cameras and a typical trip — {typical.recall:.0%} of its route rebuilt\n"
                 f"(the median of the {typical.n:,} trips {typical.who})" if typical else f"{name}: cameras") + moving
    boundary, boundary_label = _boundary(sim)
    figures = [
        save_figure(map_figure(net, camera_edges, **example_trip(sim, typical), camera_operator=operator,
                               camera_of_edge=watch_camera, district_edges=boundary, boundary_label=boundary_label,
                               title=map_title, all_operators=sorted(set(sim.layout["operator"]))),
                    folder / "map.png"),
        save_figure(coverage_figure(net, sim.routes.edges, sim.routes.trip_of_edge(),
                              all_view["n_reads"].to_numpy() >= 1, camera_edges,
                              title=f"{name}: coverage{_sampled(sim)}"),
              folder / "coverage.png"),
        save_figure(reads_per_trip_figure(all_view), folder / "reads_per_trip.png"),
    ]
    areas = scenario_areas(sim.scenario, net) if "areas" in sim.tables else None
    if areas is not None:
        node_area = areas[0]
        figures.append(save_figure(areas_figure(net, node_area, sim.tables["areas"],
                                                title=f"{name}: where surveillance concentrates"),
                                   folder / "areas.png"))
    drive = _long_trip_views(sim)
    if drive is not None:
        chosen = drive["typical"]
        figures.append(save_figure(
            long_trip_figure(net, drive["route"], drive["views"], jurisdiction=edge_jurisdiction(net),
                             all_operators=sorted(set(sim.layout["operator"])),
                             title=f"{name}: a typical {drive['km']:.0f} km drive — what each view recovers\n"
                                   f"({chosen.recall:.0%} of its route rebuilt from all reads: the median of the "
                                   f"{chosen.n:,} drives over {sim.scenario.metrics.long_trip_km:g} km "
                                   f"{chosen.who})"),
            folder / "long_trip.png"))
    if sim.access is not None:
        figures.append(save_figure(sharing_graph_figure(sim.access, sim.metrics.get("agencies", {}),
                                                  title=f"{name}: who can search the reads"),
                             folder / "sharing.png"))
    return figures


@dataclass(frozen=True)
class TypicalTrip:
    """The trip a figure draws: ``row`` of the trips, its route ``recall``, the median it is nearest, and of what.

    ``n`` trips were candidates, ``who`` says which (``"sighted twice or more"``, or ``"sighted once"`` when
    none was sighted twice).
    """

    row: int
    recall: float
    median: float
    n: int
    who: str


def typical_trip(sim: Simulation, *, longer_than_m: float = 0.0) -> TypicalTrip | None:
    """The trip nearest the median route recall of trips sighted at least twice (ties: the first trip).

    Only trips longer than ``longer_than_m`` whose route the run kept are candidates; when none was sighted
    twice, those sighted once. ``None`` when no candidate was sighted at all. A figure that draws "a trip"
    draws this one, so a reader does not take the best case for the typical one.

    Examples
    --------
    >>> from sim import load_scenario, simulate_scenario
    >>> sim = simulate_scenario(load_scenario(overrides=["network.rows=8", "network.cols=8",
    ...                                                  "demand.trips=300", "cameras.count=12"]))
    >>> t = typical_trip(sim)
    >>> table = sim.view_table("all")
    >>> twice = table[table["n_sightings"] >= 2]["route_recall"]
    >>> bool(t.n == len(twice)), bool(t.median == twice.median()), bool(t.recall == table["route_recall"].iloc[t.row])
    (True, True, True)
    """
    table = sim.view_table("all")
    sightings = table["n_sightings"].to_numpy()
    recall = table["route_recall"].to_numpy(dtype=float)
    eligible = _route_kept(sim) & (table["length_m"].to_numpy() > longer_than_m) & np.isfinite(recall)
    for least, who in ((2, "sighted twice or more"), (1, "sighted once")):
        rows = np.flatnonzero(eligible & (sightings >= least))
        if len(rows):
            median = float(np.median(recall[rows]))
            row = int(rows[np.argmin(np.abs(recall[rows] - median))])
            return TypicalTrip(row, float(recall[row]), median, len(rows), who)
    return None


def _long_trip_views(sim: Simulation) -> dict[str, Any] | None:
    """A typical trip longer than ``metrics.long_trip_km`` (:func:`typical_trip`), and what each view recovers.

    ``None`` when no trip is that long or none was read.
    """
    typical = typical_trip(sim, longer_than_m=sim.scenario.metrics.long_trip_km * 1000)
    if typical is None:
        return None
    row = typical.row
    trip = sim.trips.iloc[row]
    route = sim.routes.route(row)
    operator = sim.layout.set_index("camera_id")["operator"]
    # every read of the vehicle (not only of this trip): reconstruction sees no trip labels
    vehicle = (sim.reads["vehicle_id"] == trip["vehicle_id"]).to_numpy()
    views = {}
    for name, mask in ({"all reads": np.ones(len(sim.reads), bool)} | sim.visible).items():
        seen = sim.reads[vehicle & mask].reset_index(drop=True)
        recon = reconstruct_view(sim.scenario, seen, sim.net)
        mine = np.flatnonzero(seen["trip_id"].to_numpy() == trip["trip_id"])
        recovered = [recon.routes.route(r) for r in np.unique(recon.read_recon[mine])]
        covered = np.isin(route, np.concatenate(recovered)) if recovered else np.zeros(len(route), bool)
        views[name] = {"covered": covered, "read_edges": seen["edge"].to_numpy()[mine],
                       "read_operator": operator.reindex(seen["camera_id"].iloc[mine]).to_numpy()}
    return {"route": route, "views": views, "km": float(trip["length_m"]) / 1000, "typical": typical}


def _route_kept(sim: Simulation) -> np.ndarray:
    """Which trips' routes the run kept (all of them unless ``metrics.route_sample`` sampled them)."""
    kept = sim.routes.kept
    return np.ones(len(sim.trips), bool) if kept is None else kept


def _sampled(sim: Simulation) -> str:
    """`` (routes of N sampled vehicles)`` for a title, when the run kept a sample of the routes."""
    sample = sim.metrics.get("route_sample")
    return f" (routes of {sample['vehicles']:,} sampled vehicles)" if sample else ""


def _boundary(sim: Simulation) -> tuple[np.ndarray | None, str]:
    """Edges crossing the first camera group's district, else between jurisdictions; and their legend words."""
    fenced = [c for c in sim.scenario.all_cameras if c.district is not None]
    if fenced:
        district = fenced[0].district
        assert district is not None
        mask = district_mask(sim.net, district.model_dump(), sim.scenario.resolve)
        return boundary_edges(sim.net, mask), "roads across the district's boundary"
    node_jurisdiction = np.array([str(sim.net.graph.nodes[n].get("jurisdiction", "")) for n in sim.net.nodes])
    crossing = np.flatnonzero(node_jurisdiction[sim.net.edge_u] != node_jurisdiction[sim.net.edge_v])
    if not len(crossing):
        return None, ""
    sides = sorted(set(node_jurisdiction[sim.net.edge_u[crossing]]) | set(node_jurisdiction[sim.net.edge_v[crossing]]))
    words = f"between {sides[0]} and {sides[1]}" if len(sides) == 2 else "between jurisdictions"
    return crossing, f"roads across the line {words}"


def write_interactive_map(sim: Simulation, path: Path, *, max_reads: int = 2_000) -> None:
    """``map.html``: roads, cameras (sized by reads) and a sample of reads; works offline (see :mod:`sim.webmap`)."""
    output = sim.scenario.output
    boundary, boundary_label = _boundary(sim)
    page = map_html(sim.net, sim.layout, sim.reads, title=f"Curtain: {sim.scenario.name}", max_reads=max_reads,
                    tiles=output.map_tiles, attribution=output.map_tiles_attribution, boundary=boundary,
                    boundary_label=boundary_label)
    atomic_write_bytes(path, page.encode("utf-8"))

def example_trip(sim: Simulation, typical: TypicalTrip | None = None) -> dict[str, Any]:
    """The trip drawn on the map, as :func:`sim.plot.map_figure`'s keywords: a typical trip (:func:`typical_trip`).

    Empty when no trip was read.
    """
    typical = typical or typical_trip(sim)
    if typical is None:
        return {}
    row = typical.row
    trip_id = sim.view_table("all")["trip_id"].iloc[row]
    reads = sim.reads[sim.reads["trip_id"] == trip_id]
    # the vehicle's reads reconstructed on their own (what a search for its plate returns), as in the
    # long-trip figure: the same whether the run is in memory or read back from its folder
    vehicle = sim.reads[sim.reads["vehicle_id"] == reads["vehicle_id"].iloc[0]].reset_index(drop=True)
    recon = reconstruct_view(sim.scenario, vehicle, sim.net)
    mine = np.flatnonzero(vehicle["trip_id"].to_numpy() == trip_id)
    drawn = np.unique(recon.read_recon[mine])
    recon_route = np.concatenate([recon.routes.route(r) for r in drawn])
    # the car's other reads the rebuilt trips hold (another trip of it, a patrol car's read of it parked): the
    # rebuilt route runs to them, so they are drawn too
    other = np.isin(recon.read_recon, drawn) & (vehicle["trip_id"].to_numpy() != trip_id)
    return {
        "true_route": sim.routes.route(row),
        "recon_route": recon_route,
        "read_edges": reads["edge"].to_numpy(),
        "read_times": reads["timestamp"],
        "other_read_edges": vehicle["edge"].to_numpy()[other],
    }


def draw_run(sim: Simulation, folder: Path) -> list[Path]:
    """The figures (``figures/*.png``), ``map.html`` and ``report.html`` of a run, drawn into ``folder``.

    Works the same on a run in memory and on one read back with
    :func:`sim.io.run.read_run` (``curtain plot``). Returns the files written.
    """
    scenario = sim.scenario
    figures = write_figures(sim, folder / "figures") if scenario.output.figures else []
    written = list(figures)
    if scenario.output.figures:
        write_interactive_map(sim, folder / "map.html")
        written.append(folder / "map.html")
    report = render_report(sim.metrics, scenario.to_toml(), figures, f"Curtain: {scenario.name}",
                           question=scenario.output.question, overrides=scenario.overrides)
    (folder / "report.html").write_text(report, encoding="utf-8")
    return written + [folder / "report.html"]
