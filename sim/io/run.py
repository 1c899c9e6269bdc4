"""A run's files: JSON and Parquet writers shared by runs, analyses and sweeps, and reading a run folder back."""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.arrays import new_runs
from sim._errors import OutputError
from sim._time import DAY_S
from sim.network import RoadNetwork, from_graph
from sim.reads import held_reads, write_read_days
from sim.routing import Routes
from sim import access
from sim.cameras import layout_geojson
from sim.geo import edges_frame
from sim.scenario import load_scenario
from sim.simulation import Simulation
from sim.stages.access import build_access

if TYPE_CHECKING:
    from sim.simulation import Simulation


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, NaN and infinities to None.

    Examples
    --------
    >>> plain({"a": np.float64("nan"), "b": [np.int64(2)]})
    {'a': None, 'b': [2]}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json(value: Any, path: Path) -> None:
    """``value`` (made :func:`plain`) as indented JSON with sorted keys."""
    path.write_text(json.dumps(plain(value), indent=2, sort_keys=True) + "\n", encoding="utf-8")


#: Rows converted to Arrow at a time by :func:`write_parquet` (pyarrow's default row group: the same file).
PARQUET_ROWS = 1 << 20


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One table as Parquet, without the pandas index, converted one row group at a time.

    A county week's per-trip table of every view is 10⁸ rows: converting it whole would hold a second copy.
    """
    schema = pa.Schema.from_pandas(frame, preserve_index=False)  # types from the whole table
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, max(len(frame), 1), PARQUET_ROWS):
            writer.write_table(pa.Table.from_pandas(frame.iloc[start : start + PARQUET_ROWS], preserve_index=False,
                                                    schema=schema))


def write_views(views: list[tuple[str, pd.DataFrame]], path: Path) -> None:
    """Every view's per-trip table into one Parquet file, view after view, each row group named by its view, and
    beside it ``views.csv``: each view and the view whose rows hold its trips.

    The rows are those of :func:`sim.views.stack_views`, without the stacked copy in memory; a view that shares
    another's table (an agency that sees every read shares the all-reads table) is written once, under the
    first view's name: Norfolk's 80 agencies that all see every read would otherwise write 5 GB of copies.
    """
    name, first = views[0]
    schema = pa.Schema.from_pandas(first.head(1).assign(view=name), preserve_index=False)  # "view": a string
    written: dict[int, str] = {}
    with pq.ParquetWriter(path, schema) as writer:
        for name, table in views:
            if id(table) in written:
                continue
            written[id(table)] = name
            for start in range(0, max(len(table), 1), PARQUET_ROWS):
                chunk = table.iloc[start : start + PARQUET_ROWS].assign(view=name)
                writer.write_table(pa.Table.from_pandas(chunk, preserve_index=False, schema=schema))
    pd.DataFrame({"view": [name for name, _ in views], "rows_of": [written[id(table)] for _, table in views]}) \
        .to_csv(path.with_name("views.csv"), index=False, lineterminator="\n")


def write_reads(reads: pd.DataFrame, path: Path) -> None:
    """Reads as Parquet, one row group per simulated day (as :func:`sim.reads.stream_reads` writes them)."""
    day = (reads["time_s"].to_numpy() // DAY_S).astype(np.int32)
    if not len(reads):
        parts: Iterator[pd.DataFrame] = iter([reads])
    elif (day[1:] >= day[:-1]).all():  # reads in time order, as a run makes them: each day a slice
        starts = np.flatnonzero(new_runs(day))
        parts = (reads.iloc[a:b] for a, b in zip(starts, np.r_[starts[1:], len(day)]))
    else:
        parts = (reads[day == d] for d in np.unique(day))
    # a column of Python objects takes the Arrow type of all its values, as one table's would, not of its first
    # day's
    write_read_days(parts, path, {name: pa.infer_type(values, from_pandas=True) for name, values in
                                  _object_columns(reads)})


def _object_columns(reads: pd.DataFrame) -> Iterator[tuple[str, Any]]:
    """The columns of ``reads`` written from Python objects (a categorical's: its categories), and those objects."""
    for name in reads.columns:
        column = reads[name]
        values = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column
        if values.dtype == object:
            yield name, values


#: The tables every simulated run writes, besides ``<name>.parquet`` of its extra tables.
RUN_TABLES = ("nodes", "edges", "trips", "routes", "reads", "trip_metrics")


def write_run(sim: Simulation, folder: Path) -> None:
    """Write the data files of a simulated run into ``folder`` (figures and report are drawn from them).

    ``scenario.toml``, ``metrics.json``, ``cameras.csv`` (and ``cameras.geojson``
    when the network has a place on Earth: not a synthetic city without ``network.point``),
    and Parquet tables: ``nodes`` and ``edges`` (the network driven),
    ``trips``, ``routes`` (one row per edge driven, in order), ``reads``
    (one row group per day), ``trip_metrics`` and the run's extra tables; ``searches.csv`` with ``[searches]``.
    :func:`read_run` reads them back.
    """
    scenario, net = sim.scenario, sim.net
    (folder / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
    nodes = pa.Table.from_pandas(nodes_frame(net), preserve_index=False)
    pq.write_table(nodes.replace_schema_metadata({**(nodes.schema.metadata or {}),
                                                  b"curtain:crs": str(net.crs or "").encode()}),
                   folder / "nodes.parquet")
    write_edges(edges_frame(net), net.crs, folder / "edges.parquet")
    sim.layout.to_csv(folder / "cameras.csv", index=False, lineterminator="\n")
    if net.crs is not None:  # GeoJSON is longitude/latitude: only for a network with a place on Earth
        (folder / "cameras.geojson").write_text(json.dumps(layout_geojson(sim.layout, net), indent=1) + "\n")
    table = pa.Table.from_pandas(sim.trips, preserve_index=False)
    if scenario.output.routes:  # a list column straight from the flat arrays, no Python list per trip
        routes = sim.routes
        # a trip outside a route sample (metrics.route_sample) has no route: null, not an empty list
        table = table.append_column("route", pa.LargeListArray.from_arrays(
            pa.array(routes.offsets, pa.int64()), pa.array(routes.edges, pa.int64()),
            mask=None if routes.kept is None else pa.array(~routes.kept)))
    pq.write_table(table, folder / "trips.parquet")
    write_parquet(pd.DataFrame({"trip_id": np.repeat(sim.trips["trip_id"].to_numpy(), np.diff(sim.routes.offsets)),
                                "edge": sim.routes.edges}), folder / "routes.parquet")
    write_reads(sim.reads, folder / "reads.parquet")
    write_views(sim.views, folder / "trip_metrics.parquet")
    for name, table in sim.tables.items():
        write_parquet(table, folder / f"{name}.parquet")
    if sim.searches is not None:  # a search audit log's columns: `curtain audit` reads it as it reads a real one
        sim.searches.to_csv(folder / "searches.csv", index=False, lineterminator="\n")
    write_json(sim.metrics, folder / "metrics.json")


def write_edges(edges: pd.DataFrame, crs: Any, path: Path) -> None:
    """The edges as GeoParquet: WKB line geometry and the network's CRS in the file's metadata, as geopandas,
    QGIS and DuckDB's spatial extension read it."""
    import geopandas
    import shapely

    frame = geopandas.GeoDataFrame(edges.drop(columns="geometry"), geometry=shapely.from_wkt(edges["geometry"]),
                                   crs=crs)
    frame.to_parquet(path, index=False)


def nodes_frame(net: RoadNetwork) -> pd.DataFrame:
    """One row per intersection: ``node, x, y`` (the network's projected CRS, metres) and ``jurisdiction``."""
    return pd.DataFrame({"node": net.nodes, "x": net.x, "y": net.y,
                         "jurisdiction": [str(net.graph.nodes[n].get("jurisdiction", "")) for n in net.nodes]})


def read_network(folder: Path) -> RoadNetwork:
    """The network a run drove on, from its ``nodes.parquet`` and ``edges.parquet`` (same edge order)."""
    import geopandas
    import networkx as nx


    nodes_file = pq.read_table(folder / "nodes.parquet")
    crs = (nodes_file.schema.metadata or {}).get(b"curtain:crs", b"").decode() or None
    graph = nx.MultiDiGraph(crs=crs) if crs else nx.MultiDiGraph()
    for row in nodes_file.to_pandas().itertuples(index=False):
        attrs = {"x": float(row.x), "y": float(row.y)}
        if row.jurisdiction:
            attrs["jurisdiction"] = row.jurisdiction
        graph.add_node(_node_id(row.node), **attrs)
    for row in geopandas.read_parquet(folder / "edges.parquet").itertuples(index=False):
        attrs = {"length": float(row.length_m), "travel_time": float(row.travel_time_s), "highway": row.highway}
        if row.jurisdiction:
            attrs["jurisdiction"] = row.jurisdiction
        if len(row.geometry.coords) > 2:  # a curved road; a straight one is drawn between its nodes
            attrs["geometry"] = row.geometry
        graph.add_edge(_node_id(row.u), _node_id(row.v), key=int(row.key), **attrs)
    return from_graph(graph, source=str(folder))


def _node_id(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def read_run(folder: str | Path) -> Simulation:
    """A run folder written by ``curtain run``, back in memory — without simulating anything.

    The reconstruction is not stored (``recon`` is ``None``): figures
    reconstruct the one or two vehicles they draw. Agencies' views of the
    reads are recomputed from the access graph (no randomness).

    Examples
    --------
    >>> import tempfile
    >>> from sim import load_scenario, run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> s = load_scenario(overrides=["network.rows=5", "network.cols=5", "demand.trips=40", "cameras.count=4"])
    >>> _ = run_scenario(s, out)
    >>> sim = read_run(out)
    >>> len(sim.trips), sim.metrics["n_trips"], len(sim.layout)
    (40, 40, 4)
    """
    folder = Path(folder)
    missing = [f"{name}.parquet" for name in RUN_TABLES if not (folder / f"{name}.parquet").is_file()]
    if missing or not (folder / "scenario.toml").is_file():
        raise OutputError(f"{folder}: not a complete run folder (missing {', '.join(missing) or 'scenario.toml'}); "
                          "run `curtain run` again to write one")
    scenario = load_scenario(folder / "scenario.toml")
    net = read_network(folder)
    layout = pd.read_csv(folder / "cameras.csv", dtype={"camera_id": str, "operator": str, "vendor": str},
                         keep_default_na=False, na_values={"cost": [""]})
    trips = pd.read_parquet(folder / "trips.parquet")
    trips = trips.drop(columns=["route"], errors="ignore")
    routes_file = pd.read_parquet(folder / "routes.parquet")
    rows = pd.Index(trips["trip_id"]).get_indexer(routes_file["trip_id"])
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(trips)))])
    kept = trips["route_kept"].to_numpy(bool) if "route_kept" in trips.columns else None
    travel = np.bincount(rows, weights=net.edge_time[routes_file["edge"].to_numpy()], minlength=len(trips))
    routes = Routes(offsets=offsets, edges=routes_file["edge"].to_numpy(np.int64),
                    travel_time=travel if kept is None else np.where(kept, travel, np.nan), kept=kept)
    # (as the run held them; read as Arrow dictionaries, the text of each camera and direction made once)
    reads = pd.read_parquet(folder / "reads.parquet", read_dictionary=["camera_id", "direction"])
    camera = reads["camera_id"]
    if not pd.api.types.is_string_dtype(camera.cat.categories if isinstance(camera.dtype, pd.CategoricalDtype)
                                        else camera):
        # a run whose cameras were numbered (a layout made in Python): cameras.csv reads their ids back as text, so
        # the reads' ids are made text too, and each read still names a camera of the layout
        reads["camera_id"] = camera.astype(str).where(camera.notna())
    reads = held_reads(reads, layout["camera_id"])
    trip_table = pd.read_parquet(folder / "trip_metrics.parquet")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    run_info = json.loads((folder / "run.json").read_text(encoding="utf-8")) if (folder / "run.json").is_file() else {}
    timings = run_info.get("wall_time_s", {})
    scenario._overrides = list(run_info.get("overrides", []))  # the report names them again
    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))
              if p.stem not in RUN_TABLES}
    graph = build_access(scenario, layout)
    visible: dict[str, np.ndarray] = {}
    if graph is not None:
        query_time_s = float(trips["arrive_s"].max())
        visible, _ = access.agency_masks(reads, layout, graph, [a.name for a in scenario.all_agencies()],
                                         query_time_s)
    names = pd.unique(trip_table["view"])
    by_view = {str(name): trip_table[trip_table["view"].to_numpy() == name].reset_index(drop=True) for name in names}
    if (folder / "views.csv").is_file():  # a view that shares another's rows gets that table (the same object)
        shared = pd.read_csv(folder / "views.csv", dtype=str, keep_default_na=False)
        views = [(view, by_view.get(rows_of, trip_table)) for view, rows_of in zip(shared["view"], shared["rows_of"])]
    else:
        views = list(by_view.items()) if len(trip_table) else [("all", trip_table)]
    searches = pd.read_csv(folder / "searches.csv", keep_default_na=False) \
        if (folder / "searches.csv").is_file() else None
    return Simulation(scenario, net, layout, trips, routes, reads, None, views, metrics, timings, graph,
                      visible, tables, searches)


def versions() -> dict[str, str]:
    """Versions of Curtain and the libraries whose results it depends on."""
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for dist in ("curtain-sim", "numpy", "scipy", "networkx", "simpy", "pandas", "pyarrow"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out
