"""``curtain explore``: one self-contained HTML page where a class places cameras and sees what a drive reveals.

The page carries a teaching-sized run — the network in its own plane metres,
every trip's true route, the time it passes the middle of each of its edges,
and the reads the run's cameras made of those passes — and recomputes
Curtain's numbers in the browser whenever a student adds or removes a camera:
trips read at least once and twice, long trips read, mean route recall
(trips rebuilt from the reads exactly as :func:`sim.reconstruct.reconstruct`
does, misread matching included, with fastest paths from the same compiled
Dijkstra, ported), and place pairs with a camera-free route.

The page reads as the run does. The scenario's own cameras read exactly the
passes ``curtain run`` read (its read rate, misreads and double logs, from the
scenario's seed), so the page opens on the run's numbers. Every other pass is
decided once, in advance, by a draw fixed by the seed and the pass: read with
the read rate of a camera the class adds there (the scenario's ``[cameras]``
read rate, lanes and speed included), misread with its misread rate, logged
twice with ``reads.duplicate_rate``. A camera put back where the town had one
reads what the town's camera read. The same layout always gives the same
numbers (``tests/test_explore.py`` runs the page's script under Node.js and
compares it with Python's, for the run's layout and for changed ones).

Nothing is loaded from the network; the page opens by double-click.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import rows_of
from sim._errors import CurtainError, OutputError
from sim.geo import to_lonlat
from sim.network import major_roads
from sim.cameras import make_layout
from sim.io.folders import atomic_write_bytes
from sim.metrics.evasion import sample_pairs
from sim.pipeline import simulate_scenario
from sim.routing.trees import OriginTrees
from sim.scenario import load_scenario
from sim.seeds import named_rng, stage_rngs
from sim.stages.cameras import lanes_read_rate, speed_read_rate
from sim.stages.network import build_network
from sim.traffic import drive

#: What the explorer sets on any scenario: every route kept (the page draws them; a run of up to
#: :data:`~sim._defaults.DEFAULT_ROUTE_SAMPLE` vehicles keeps them all anyway, so its numbers are unchanged).
EXPLORE_OVERRIDES = ("metrics.route_sample='all'",)
#: Largest network the page handles smoothly on a school laptop.
MAX_NODES = 3_000
#: Trips the page carries; a larger run is sampled (whole vehicles), and the page says so.
MAX_TRIPS = 20_000

_ASSETS = Path(__file__).parent / "explore_assets"


class ExploreError(CurtainError):
    """The scenario is too big or not suited to the explorer."""


def explorer_overrides(overrides: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The scenario overrides the explorer runs with: the user's, then :data:`EXPLORE_OVERRIDES`."""
    return [*overrides, *EXPLORE_OVERRIDES]


def load_for_explorer(path: Path | None, overrides: list[str] | tuple[str, ...] = ()) -> Any:
    """The scenario at ``path`` (None: the default) with the user's ``overrides``, as the explorer runs it."""
    return load_scenario(path, explorer_overrides(overrides))


def explore_data(sim: Any, *, max_trips: int = MAX_TRIPS) -> dict[str, Any]:
    """Everything the page computes from, as plain lists (JSON).

    ``sim`` is a :class:`sim.Simulation` of a scenario loaded with :func:`explorer_overrides` (or any run that
    kept every route).
    """
    net, scenario = sim.net, sim.scenario
    _check_fits(sim)
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
    passes = passes[keep[passes["trip"].to_numpy()]].reset_index(drop=True)
    new_row = np.full(n_total, -1, np.int64)
    new_row[rows] = np.arange(len(rows))
    passes["trip"] = new_row[passes["trip"].to_numpy()]
    routes = sim.routes.select(rows)
    table = sim.view_table("all").set_index("trip_id")
    trees = OriginTrees.of(net, heap=True)
    # the edges each tree entry (a node pair) stands for: parallel roads close one by one
    by_pair = pd.Series(np.arange(net.n_edges)).groupby(net.edge_u * net.n_nodes + net.edge_v).agg(list)
    entry_edges = [np.asarray(by_pair[key]) for key in (trees.tails * net.n_nodes + trees.heads).tolist()]
    # the place pairs the run's camera_free_pairs metric drew (its own stream)
    origins, destinations = sample_pairs(net, named_rng(scenario.seed, "metric", "camera_free_pairs"),
                                         scenario.metrics.pair_samples)
    car_plates, vehicle = np.unique(trips["plate"].to_numpy(dtype=str)[rows], return_inverse=True)
    layout = sim.layout
    run_reads, plates = _run_reads(sim, passes, new_row, car_plates)
    spec = scenario.reconstruct
    return {
        "name": scenario.name,
        "seed": scenario.seed,
        "draw_seed": int(scenario.seed) % 2**32,
        "start": scenario.start.isoformat(),
        "n_trips_run": n_total,
        "long_trip_km": scenario.metrics.long_trip_km,
        "slack_s": spec.slack_s,
        "sighting_window_s": spec.sighting_window_s,
        "misread_tolerance": bool(spec.misread_tolerance),
        "misread_window_s": spec.window_s,
        "duplicate_rate": scenario.reads.duplicate_rate,
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
        "plates": plates,
        "n_vehicles": int(vehicle.max()) + 1 if len(vehicle) else 0,
        "passes": {"trip": passes["trip"].tolist(), "edge": passes["edge"].tolist(),
                   "time": passes["time_s"].tolist()},
        "run_reads": run_reads,
        "pairs": {"o": origins.tolist(), "d": destinations.tolist()},
        "layout": [{"camera_id": str(c), "edge": int(net.edge_id(u, v, k)), "direction": str(d),
                    "read_rate": float(r), "misread_rate": float(m), "operator": str(o)}
                   for c, u, v, k, d, r, m, o in zip(layout["camera_id"], layout["u"], layout["v"], layout["key"],
                                                     layout["direction"], layout["read_rate"],
                                                     layout["misread_rate"], _column(layout, "operator", "city"))],
        "class_camera": _class_camera(scenario, net, every),
    }


def _check_fits(sim: Any) -> None:
    """Refuse (:class:`ExploreError`) a run whose reads the page cannot reproduce, naming what to change."""
    scenario, name = sim.scenario, sim.scenario.name
    _check_size(name, sim.net.n_nodes)
    if scenario.patrols:
        raise ExploreError(f"{name}: the explorer places fixed cameras only; remove [[patrols]]")
    if scenario.outages is not None:
        raise ExploreError(f"{name}: the explorer's cameras never break down; remove [outages]")
    if sim.routes.kept is not None:
        raise ExploreError(f"{name}: this run kept the routes of a sample of vehicles (metrics.route_sample); "
                           "give the explorer the scenario file, which keeps every route")
    if scenario.reconstruct.route_inference != "fastest":
        raise ExploreError(f"{name}: the explorer rebuilds routes by fastest paths; give "
                           "reconstruct.route_inference = 'fastest'")
    layout = sim.layout
    timed = [c for c in ("installed_s", "removed_s") if c in layout.columns and layout[c].notna().any()]
    if timed:
        raise ExploreError(f"{name}: the explorer's cameras stand all the time; the camera file gives "
                           f"{' and '.join(timed)}")


def _run_reads(sim: Any, passes: pd.DataFrame, new_row: np.ndarray, plates: np.ndarray) -> tuple[dict[str, Any],
                                                                                                   list[str]]:
    """The run's reads (of the trips the page carries) as the page holds them, and the plates they name.

    Each read points at its pass (``passes`` row), its camera (layout row) and its plate as read (a code into
    the returned plates: the cars' own, sorted, then the misread ones, sorted); a read logged a second time
    (1–3 s after its pass) gives its own time in ``late``.
    """
    reads = sim.reads
    trip = new_row[rows_of(sim.trips["trip_id"].to_numpy(), reads["trip_id"].to_numpy())]
    reads = reads.assign(trip=trip)[trip >= 0]
    found = pd.merge_asof(reads.reset_index()[["index", "trip", "edge", "time_s"]].sort_values("time_s"),
                          passes.reset_index(names="pass")[["pass", "trip", "edge", "time_s"]]
                          .rename(columns={"time_s": "pass_s"}).sort_values("pass_s"),
                          left_on="time_s", right_on="pass_s", by=["trip", "edge"], direction="backward",
                          tolerance=3.5).set_index("index").loc[reads.index]
    if found["pass"].isna().any():  # (every read is a pass of a camera's edge, or a copy of one logged 1–3 s on)
        raise ExploreError(f"{sim.scenario.name}: {int(found['pass'].isna().sum())} reads match no pass of the "
                           "page's traffic")
    own = set(plates.tolist())
    misread = sorted(set(reads["plate_read"].astype(str)) - own)
    every = [*plates.tolist(), *misread]
    code = pd.Index(every).get_indexer(reads["plate_read"].astype(str))
    camera = pd.Index(sim.layout["camera_id"].astype(str)).get_indexer(reads["camera_id"].astype(str))
    late = np.flatnonzero(found["time_s"].to_numpy() != found["pass_s"].to_numpy())
    return {"pass": found["pass"].astype(np.int64).tolist(), "camera": camera.tolist(), "plate": code.tolist(),
            "late": {"read": late.tolist(), "time": found["time_s"].to_numpy()[late].tolist()}}, every


def _class_camera(scenario: Any, net: Any, every: pd.DataFrame) -> dict[str, Any]:
    """How a camera the class puts up reads: the ``[cameras]`` group's rates (its read rate on each road,
    lanes and speed included: one number when the same everywhere) and operator."""
    spec = scenario.cameras
    layout = every.assign(read_rate=spec.read_rate)
    if spec.lanes_read is not None:
        layout = lanes_read_rate(layout, net, spec.lanes_read)
    if spec.read_rate_by_speed is not None:
        layout = speed_read_rate(layout, net, spec.read_rate_by_speed)
    rate = layout["read_rate"].to_numpy(float)
    same = bool(np.all(rate == rate[0])) if len(rate) else True
    return {"read_rate": float(spec.read_rate) if same else [round(float(r), 6) for r in rate],
            "misread_rate": float(spec.misread_rate), "operator": spec.operator}


def _check_size(name: str, n_nodes: int) -> None:
    if n_nodes > MAX_NODES:
        raise ExploreError(f"{name}: the network has {n_nodes:,} intersections; the explorer draws at most "
                           f"{MAX_NODES:,} (a teaching-sized city: try teaching-grid or river-city)")


def _r(values: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in values]


def _column(layout: pd.DataFrame, column: str, default: str) -> list[str]:
    return layout[column].astype(str).tolist() if column in layout.columns else [default] * len(layout)


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
        raise OutputError(f"{path} cannot be read ({exc.strerror}); choose another -o HTML_FILE") from exc
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
