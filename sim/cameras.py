"""Camera layouts: which edges are watched, in which direction, how well.

A layout is a :class:`pandas.DataFrame` with one row per camera and the
columns of :data:`CAMERA_COLUMNS`. A camera on edge ``(u, v, key)`` reads
vehicles at the edge's midpoint: ``forward`` those travelling u→v on that
edge, ``backward`` those travelling v→u on the reverse edge of the same road,
``both`` either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import CameraError
from sim._validate import lookup_nodes, rows_text
from sim.network import RoadNetwork

DIRECTIONS = ("forward", "backward", "both")
REQUIRED_COLUMNS = ("camera_id", "u", "v", "key", "direction", "read_rate")
CAMERA_COLUMNS = (*REQUIRED_COLUMNS, "misread_rate", "operator", "vendor")


def make_layout(
    net: RoadNetwork,
    edges: np.ndarray,
    *,
    read_rate: float,
    direction: str = "forward",
    misread_rate: float = 0.0,
    operator: str = "default",
    vendor: str = "",
    prefix: str = "cam",
) -> pd.DataFrame:
    """A layout with one camera on each of the given edge indices.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> make_layout(net, np.array([0, 5]), read_rate=0.9)["camera_id"].tolist()
    ['cam-0001', 'cam-0002']
    """
    edges = np.asarray(edges, dtype=np.int64)
    width = max(4, len(str(len(edges))))
    layout = pd.DataFrame(
        {
            "camera_id": [f"{prefix}-{i + 1:0{width}d}" for i in range(len(edges))],
            "u": net.nodes[net.edge_u[edges]],
            "v": net.nodes[net.edge_v[edges]],
            "key": net.edge_key[edges],
            "direction": direction,
            "read_rate": float(read_rate),
            "misread_rate": float(misread_rate),
            "operator": operator,
            "vendor": vendor,
        }
    )
    return validate_layout(layout, net, source="placement")


def validate_layout(layout: pd.DataFrame, net: RoadNetwork, *, source: str) -> pd.DataFrame:
    """Check a layout against a network and fill optional columns.

    Every problem is collected and reported at once, naming ``source`` and
    the offending rows (1-based data rows, as a spreadsheet shows them after
    the header).

    Raises
    ------
    CameraError
        On missing columns, duplicate ids, unknown edges, unknown direction
        words or rates outside [0, 1].
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in layout.columns]
    if missing:
        raise CameraError(
            f"{source}: camera table lacks column(s) {', '.join(missing)}; "
            f"required are {', '.join(REQUIRED_COLUMNS)}"
        )
    layout = layout.copy()
    layout["misread_rate"] = layout["misread_rate"] if "misread_rate" in layout else 0.0
    layout["operator"] = layout["operator"] if "operator" in layout else "default"
    layout["vendor"] = layout["vendor"] if "vendor" in layout else ""
    layout["misread_rate"] = layout["misread_rate"].fillna(0.0)
    layout["operator"] = layout["operator"].fillna("default").astype(str)
    layout["vendor"] = layout["vendor"].fillna("").astype(str)
    problems: list[str] = []
    problems += _check_ids(layout)
    problems += _check_rates(layout)
    problems += _check_directions(layout)
    if not problems:
        problems += _check_edges(layout, net)
    if problems:
        raise CameraError(f"{source}: {len(problems)} problem(s) in the camera layout:\n  " + "\n  ".join(problems))
    layout["camera_id"] = layout["camera_id"].astype(str)
    layout["key"] = layout["key"].astype(np.int64)
    layout["read_rate"] = layout["read_rate"].astype(float)
    layout["misread_rate"] = layout["misread_rate"].astype(float)
    return layout[list(CAMERA_COLUMNS)].reset_index(drop=True)


def _check_ids(layout: pd.DataFrame) -> list[str]:
    ids = layout["camera_id"].astype(str)
    bad = layout["camera_id"].isna().to_numpy() | (ids.str.strip() == "").to_numpy()
    dup = ids.duplicated(keep=False).to_numpy() & ~bad
    out = []
    if bad.any():
        out.append(f"rows {rows_text(bad)}: camera_id is empty; give every camera a unique id")
    if dup.any():
        out.append(f"rows {rows_text(dup)}: camera_id is repeated; ids must be unique")
    return out


def _check_rates(layout: pd.DataFrame) -> list[str]:
    out = []
    for column in ("read_rate", "misread_rate"):
        values = pd.to_numeric(layout[column], errors="coerce").to_numpy(dtype=float)
        bad = ~((values >= 0) & (values <= 1))
        if bad.any():
            out.append(f"rows {rows_text(bad)}: {column} must be a number between 0 and 1")
    return out


def _check_directions(layout: pd.DataFrame) -> list[str]:
    bad = ~layout["direction"].isin(DIRECTIONS).to_numpy()
    if bad.any():
        return [f"rows {rows_text(bad)}: direction must be one of {', '.join(DIRECTIONS)}"]
    return []


def _check_edges(layout: pd.DataFrame, net: RoadNetwork) -> list[str]:
    fwd = camera_edges(layout, net, "forward", strict=False)
    out = []
    missing = fwd < 0
    if missing.any():
        first = layout.iloc[int(np.flatnonzero(missing)[0])]
        out.append(
            f"rows {rows_text(missing)}: no edge (u, v, key) in the network "
            f"(e.g. ({first['u']}, {first['v']}, {first['key']})); check the node ids against edges.parquet"
        )
    needs_back = layout["direction"].isin(["backward", "both"]).to_numpy() & ~missing
    back = camera_edges(layout, net, "backward", strict=False)
    one_way = needs_back & (back < 0)
    if one_way.any():
        out.append(
            f"rows {rows_text(one_way)}: direction backward/both on a one-way road (no edge v→u); use forward"
        )
    return out


def camera_edges(layout: pd.DataFrame, net: RoadNetwork, which: str, *, strict: bool = True) -> np.ndarray:
    """Edge index each camera watches in travel direction ``which``.

    ``forward`` gives the camera's own edge; ``backward`` the reverse edge
    of the same road (same key if present, else the fastest v→u edge);
    -1 where there is none (an error when ``strict``).
    """
    u = lookup_nodes(net, layout["u"])
    v = lookup_nodes(net, layout["v"])
    keys = layout["key"].to_numpy()
    if which == "forward":
        result = np.array(
            [net.edge_id(net.nodes[a], net.nodes[b], int(k)) if a >= 0 and b >= 0 else -1
             for a, b, k in zip(u, v, keys)],
            dtype=np.int64,
        )
    else:
        same_key = np.array(
            [net.edge_id(net.nodes[b], net.nodes[a], int(k)) if a >= 0 and b >= 0 else -1
             for a, b, k in zip(u, v, keys)],
            dtype=np.int64,
        )
        fastest = np.where((u >= 0) & (v >= 0), net.edge_between(np.maximum(v, 0), np.maximum(u, 0)), -1)
        result = np.where(same_key >= 0, same_key, fastest)
    if strict and (result < 0).any():
        raise CameraError(f"cameras at rows {rows_text(result < 0)} watch no {which} edge")
    return result


def watch_pairs(layout: pd.DataFrame, net: RoadNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (camera row, travelled edge, direction) a layout reads.

    Returns
    -------
    camera, edge : numpy.ndarray
        Parallel arrays, sorted by edge then camera row.
    backward : numpy.ndarray of bool
        True where the pair reads traffic against the camera's own edge.
    """
    direction = layout["direction"].to_numpy()
    rows = np.arange(len(layout))
    fwd_rows = rows[np.isin(direction, ["forward", "both"])]
    back_rows = rows[np.isin(direction, ["backward", "both"])]
    fwd = camera_edges(layout.iloc[fwd_rows], net, "forward")
    back = camera_edges(layout.iloc[back_rows], net, "backward")
    camera = np.concatenate([fwd_rows, back_rows])
    edge = np.concatenate([fwd, back])
    backward = np.concatenate([np.zeros(len(fwd_rows), bool), np.ones(len(back_rows), bool)])
    order = np.lexsort((camera, edge))
    return camera[order], edge[order], backward[order]


def read_cameras_csv(path: str | Path, net: RoadNetwork) -> pd.DataFrame:
    """Load and validate a camera CSV (``camera_id,u,v,key,direction,read_rate[,...]``)."""
    path = Path(path)
    if not path.is_file():
        raise CameraError(f"{path}: camera file not found")
    try:
        table = pd.read_csv(path, dtype={"camera_id": str, "direction": str, "operator": str, "vendor": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CameraError(f"{path}: not a readable CSV camera table ({exc})") from None
    return validate_layout(table, net, source=str(path))


def layout_geojson(layout: pd.DataFrame, net: RoadNetwork) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of camera points at their edges' midpoints.

    Coordinates are longitude/latitude (RFC 7946) when the network has a
    CRS, else the network's own metres.
    """
    edge = camera_edges(layout, net, "forward")
    mx = (net.x[net.edge_u[edge]] + net.x[net.edge_v[edge]]) / 2
    my = (net.y[net.edge_u[edge]] + net.y[net.edge_v[edge]]) / 2
    if net.crs is not None:
        from pyproj import Transformer

        transformer = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True)
        mx, my = transformer.transform(mx, my)
    features = []
    for i, row in enumerate(layout.itertuples(index=False)):
        props = {c: _plain(getattr(row, c)) for c in CAMERA_COLUMNS}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(mx[i]), 7), round(float(my[i]), 7)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
