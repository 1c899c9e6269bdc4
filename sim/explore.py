"""``curtain explore``: one self-contained HTML page where a class places cameras and sees what a drive reveals.

The page carries a teaching-sized run — the network in its own plane metres,
every trip's true route and the time it would pass the middle of each of its
edges — and recomputes Curtain's numbers in the browser whenever a student
adds or removes a camera: trips read at least once and twice, long trips
read, mean route recall (trips rebuilt from the reads exactly as
:func:`sim.reconstruct.reconstruct` does, with fastest paths from the same
compiled Dijkstra, ported), and place pairs with a camera-free route. The
explorer's model is the simplest honest one: **every passing plate is read**
(read rate 1, no misreads, no duplicate reads), and its numbers equal
:func:`sim.simulate_scenario` on the same scenario with those settings
(``tests/test_explore.py`` runs the page's script under Node.js and compares).

Nothing is loaded from the network; the page opens by double-click.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import CurtainError, OutputError
from sim.geo import to_lonlat
from sim.network import major_roads
from sim.cameras import make_layout
from sim.io.folders import atomic_write_bytes
from sim.metrics.evasion import sample_pairs
from sim.pipeline import simulate_scenario
from sim.reconstruct import DEFAULT_SIGHTING_WINDOW_S
from sim.routing.trees import OriginTrees
from sim.scenario import load_scenario
from sim.seeds import named_rng, stage_rngs
from sim.stages.network import build_network
from sim.traffic import drive

#: The explorer's reading model, applied to any scenario it is given.
EXPLORE_OVERRIDES = ("cameras.read_rate=1.0", "cameras.misread_rate=0.0", "reads.duplicate_rate=0.0",
                     "reconstruct.misread_tolerance=false", "reconstruct.route_inference='fastest'",
                     "metrics.route_sample='all'")
#: Largest network the page handles smoothly on a school laptop.
MAX_NODES = 3_000
#: Trips the page carries; a larger run is sampled (whole vehicles), and the page says so.
MAX_TRIPS = 20_000

_ASSETS = Path(__file__).parent / "explore_assets"


class ExploreError(CurtainError):
    """The scenario is too big or not suited to the explorer."""


def explorer_overrides(overrides: list[str] | tuple[str, ...] = (), *, camera_groups: int = 0) -> list[str]:
    """The scenario overrides the explorer runs with: the user's, then its reading model (for the
    ``[cameras]`` section and each of ``camera_groups`` ``[[camera_groups]]``)."""
    groups = [f"camera_groups.{i}.{key}" for i in range(camera_groups)
              for key in ("read_rate=1.0", "misread_rate=0.0")]
    return [*overrides, *EXPLORE_OVERRIDES, *groups]


def load_for_explorer(path: Path | None, overrides: list[str] | tuple[str, ...] = ()) -> Any:
    """The scenario at ``path`` (None: the default) under the explorer's reading model."""
    first = load_scenario(path, explorer_overrides(overrides))
    if not first.camera_groups:
        return first
    return load_scenario(path, explorer_overrides(overrides, camera_groups=len(first.camera_groups)))


def explore_data(sim: Any, *, max_trips: int = MAX_TRIPS) -> dict[str, Any]:
    """Everything the page computes from, as plain lists (JSON).

    ``sim`` is a :class:`sim.Simulation` of a scenario loaded with :func:`explorer_overrides`.
    """
    net, scenario = sim.net, sim.scenario
    _check_size(scenario.name, net.n_nodes)
    if scenario.patrols:
        raise ExploreError(f"{scenario.name}: the explorer places fixed cameras only; remove [[patrols]]")
    if scenario.outages is not None:
        raise ExploreError(f"{scenario.name}: the explorer's cameras never break down; remove [outages]")
    if sim.routes.kept is not None:
        raise ExploreError(f"{scenario.name}: this run kept the routes of a sample of vehicles (metrics.route_sample); "
                           "give the explorer the scenario file, which keeps every route")
    layout = sim.layout
    timed = [c for c in ("installed_s", "removed_s") if c in layout.columns and layout[c].notna().any()]
    if timed:
        raise ExploreError(f"{scenario.name}: the explorer's cameras stand all the time; the camera file gives "
                           f"{' and '.join(timed)}")
    if not ((layout["read_rate"] == 1.0).all() and (layout["misread_rate"] == 0.0).all()):
        raise ExploreError(f"{scenario.name}: the explorer reads every passing plate; give every camera group "
                           "read_rate = 1 and misread_rate = 0")
    trips = sim.trips
    n_total = len(trips)
    keep = np.ones(n_total, bool)
    if n_total > max_trips:  # whole vehicles, so a car's day stays whole
        vehicles = np.sort(trips["vehicle_id"].unique())
        share = max_trips / n_total
        chosen = named_rng(scenario.seed, "explore").choice(vehicles, max(1, int(len(vehicles) * share)),
                                                             replace=False)
        keep = trips["vehicle_id"].isin(chosen).to_numpy()
    rows = np.flatnonzero(keep)
    # every edge watched: the time each trip passes the middle of each edge of its route, as the run's
    # traffic engine times it (departures wait for the car's previous trip); a camera's read is one of these
    every = make_layout(net, np.arange(net.n_edges), read_rate=1.0)
    traffic = drive(net, trips, sim.routes, every, engine="compiled")
    passes = traffic.passes
    passes = passes[keep[passes["trip"].to_numpy()]]
    new_row = np.full(n_total, -1, np.int64)
    new_row[rows] = np.arange(len(rows))
    routes = sim.routes.select(rows)
    table = sim.view_table("all").set_index("trip_id")
    trees = OriginTrees.of(net, heap=True)
    # the edges each tree entry (a node pair) stands for: parallel roads close one by one
    by_pair = pd.Series(np.arange(net.n_edges)).groupby(net.edge_u * net.n_nodes + net.edge_v).agg(list)
    entry_edges = [np.asarray(by_pair[key]) for key in (trees.tails * net.n_nodes + trees.heads).tolist()]
    # the place pairs the run's camera_free_pairs metric drew (its own stream)
    origins, destinations = sample_pairs(net, named_rng(scenario.seed, "metric", "camera_free_pairs"),
                                         scenario.metrics.pair_samples)
    plates, vehicle = np.unique(trips["plate"].to_numpy(dtype=str)[rows], return_inverse=True)
    return {
        "name": scenario.name,
        "seed": scenario.seed,
        "start": scenario.start.isoformat(),
        "n_trips_run": n_total,
        "long_trip_km": scenario.metrics.long_trip_km,
        "slack_s": scenario.reconstruct.slack_s,
        "sighting_window_s": DEFAULT_SIGHTING_WINDOW_S,
        "nodes": {"id": [str(n) for n in net.nodes], "x": _r(net.x - net.x.min()), "y": _r(net.y - net.y.min()),
                  **_lonlat(net)},
        "edges": {"u": net.edge_u.tolist(), "v": net.edge_v.tolist(), "key": net.edge_key.tolist(),
                  "length": net.edge_length.tolist(), "time": net.edge_time.tolist(),
                  "reverse": net.reverse_edges.tolist(), "major": major_roads(net).astype(int).tolist()},
        "csr": {"indptr": trees.indptr.tolist(), "heads": trees.heads.tolist(), "weights": trees.weights.tolist(),
                "edge": trees.csr_edge.tolist(),
                "parallel_ptr": np.concatenate([[0], np.cumsum([len(e) for e in entry_edges])]).tolist(),
                "parallel": np.concatenate(entry_edges).tolist() if entry_edges else []},
        "trips": {"trip_id": trips["trip_id"].to_numpy()[rows].tolist(), "vehicle": vehicle.tolist(),
                  "depart": traffic.trips["depart_s"].to_numpy()[rows].tolist(),
                  "length_m": table.loc[trips["trip_id"].to_numpy()[rows], "length_m"].tolist(),
                  "route_ptr": routes.offsets.tolist(), "route": routes.edges.tolist()},
        "plates": plates.tolist(),
        "passes": {"trip": new_row[passes["trip"].to_numpy()].tolist(), "edge": passes["edge"].tolist(),
                   "time": passes["time_s"].tolist()},
        "pairs": {"o": origins.tolist(), "d": destinations.tolist()},
        "layout": [{"camera_id": str(c), "edge": int(net.edge_id(u, v, k)), "direction": str(d)}
                   for c, u, v, k, d in zip(layout["camera_id"], layout["u"], layout["v"], layout["key"],
                                            layout["direction"])],
        "camera_defaults": {"read_rate": 1.0, "misread_rate": 0.0, "operator": _first(layout, "operator", "city")},
    }


def _check_size(name: str, n_nodes: int) -> None:
    if n_nodes > MAX_NODES:
        raise ExploreError(f"{name}: the network has {n_nodes:,} intersections; the explorer draws at most "
                           f"{MAX_NODES:,} (a teaching-sized city: try teaching-grid or river-city)")


def _r(values: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in values]


def _first(layout: pd.DataFrame, column: str, default: str) -> str:
    return str(layout[column].iloc[0]) if column in layout.columns and len(layout) else default


def explore_html(data: dict[str, Any]) -> str:
    """The page: data, the engine (pure functions, also run by the tests under Node.js) and the interface."""
    page = (_ASSETS / "page.html").read_text(encoding="utf-8")
    engine = (_ASSETS / "engine.js").read_text(encoding="utf-8")
    ui = (_ASSETS / "ui.js").read_text(encoding="utf-8")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (page.replace("{{title}}", html.escape(f"Curtain explorer: {data['name']}"))
                .replace("{{data}}", payload).replace("{{engine}}", engine).replace("{{ui}}", ui))


#: what marks a page the explorer wrote (in its ``<head>``): only such a page is ever overwritten
PAGE_MARK = b'<meta name="generator" content="curtain explore">'


def check_page_target(path: Path) -> None:
    """Refuse (:class:`OutputError`) to write the explorer over anything but a new file or a page it wrote.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> lesson = pathlib.Path(tempfile.mkdtemp()) / "lesson.html"
    >>> check_page_target(lesson)  # a new file
    >>> _ = lesson.write_text("<html>my lesson</html>")
    >>> check_page_target(lesson)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim._errors.OutputError: ...lesson.html exists and is not a page curtain explore wrote; ...
    """
    if not path.exists() and not path.is_symlink():
        return
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give -o a file name ending in .html")
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise OutputError(f"{path} cannot be read ({exc.strerror}); choose another -o FILE.html") from exc
    if PAGE_MARK not in head:
        raise OutputError(f"{path} exists and is not a page curtain explore wrote; choose a new file name or "
                          "remove it yourself")


def write_explorer(scenario: Any, path: Path) -> Path:
    """Simulate ``scenario`` (loaded with :func:`explorer_overrides`) and write the page to ``path`` atomically.

    ``path`` must be new or a page the explorer wrote (:func:`check_page_target`), checked before simulating
    and again before writing.
    """
    check_page_target(path)
    # too big? say so before simulating
    _check_size(scenario.name, build_network(scenario, stage_rngs(scenario.seed)["network"]).n_nodes)
    sim = simulate_scenario(scenario)
    page = explore_html(explore_data(sim)).encode("utf-8")
    check_page_target(path)  # the file may have appeared while the page was being made
    atomic_write_bytes(path.resolve() if path.is_symlink() else path, page)
    return path


def _lonlat(net: Any) -> dict[str, list[float]]:
    """Each intersection's latitude and longitude (6 decimals, about 0.1 m) when the network lies on Earth; the
    page shows them when a pointer rests on an intersection. Empty for a synthetic city without a place."""
    found = to_lonlat(net, net.x, net.y)
    if found is None:
        return {}
    lon, lat = found
    return {"lon": [round(float(v), 6) for v in lon], "lat": [round(float(v), 6) for v in lat]}
