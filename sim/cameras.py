"""Camera layouts: which edges are watched, in which direction, how well.

A layout is a :class:`pandas.DataFrame` with one row per camera and the
columns of :data:`CAMERA_COLUMNS`. A camera on edge ``(u, v, key)`` reads
vehicles at the edge's midpoint: ``forward`` those travelling u→v on that
edge, ``backward`` those travelling v→u on the reverse edge of the same road,
``both`` either.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import CameraError
from sim.geo import NOT_ON_EARTH, from_lonlat, nearest_edges, to_lonlat
from sim.network import RoadNetwork, reader_sites
from sim._validate import (RowNames, columns_found, csv_row_names, refuse_comment_lines, lookup_nodes, python_scalar,
                           require_file)


DIRECTIONS = ("forward", "backward", "both")
REQUIRED_COLUMNS = ("camera_id", "u", "v", "key", "direction", "read_rate")
CAMERA_COLUMNS = (*REQUIRED_COLUMNS, "misread_rate", "operator", "vendor")
#: Optional columns kept when present: when a camera was put up and taken
#: down (seconds after the scenario start; empty = always there), location.
OPTIONAL_COLUMNS = ("installed_s", "removed_s", "lat", "lon", "kind")


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
    the offending rows (1-based rows of ``layout``; :func:`read_cameras_csv`
    names a file's lines instead).

    Raises
    ------
    CameraError
        On missing columns, duplicate ids, unknown edges, unknown direction
        words or rates outside [0, 1].
    """
    return _checked_layout(layout, net, source, RowNames())


def _checked_layout(layout: pd.DataFrame, net: RoadNetwork, source: str, rows: RowNames) -> pd.DataFrame:
    """:func:`validate_layout`, naming the offending rows as ``rows`` does (a file's lines or features)."""
    _require_columns(layout, source)
    layout = layout.copy()
    layout["misread_rate"] = layout["misread_rate"] if "misread_rate" in layout else 0.0
    layout["operator"] = layout["operator"] if "operator" in layout else "default"
    layout["vendor"] = layout["vendor"] if "vendor" in layout else ""
    layout["misread_rate"] = layout["misread_rate"].fillna(0.0)
    layout["operator"] = layout["operator"].fillna("default").astype(str)
    layout["vendor"] = layout["vendor"].fillna("").astype(str)
    problems: list[str] = []
    problems += _check_ids(layout, rows)
    problems += _check_rates(layout, rows)
    problems += _check_directions(layout, rows)
    key = pd.to_numeric(layout["key"], errors="coerce").to_numpy(float)
    bad_key = ~np.isfinite(key) | (key != np.round(key))
    if bad_key.any():
        problems.append(f"{rows.text(bad_key, layout['key'])}: key must be a whole number (0 for most roads)")
    if not problems:
        problems += _check_edges(layout, net, rows)
    if problems:
        raise CameraError(f"{source}: {len(problems)} problem(s) in the camera layout:\n  " + "\n  ".join(problems))
    optional = [c for c in OPTIONAL_COLUMNS if c in layout.columns]
    for column in optional:
        values = pd.to_numeric(layout[column], errors="coerce")
        bad = (values.isna() & layout[column].notna()).to_numpy()
        if bad.any():
            raise CameraError(f"{source}: {rows.text(bad, layout[column])}: {column} must be a number (or empty)")
        layout[column] = values.astype(float)
    if "installed_s" in optional and "removed_s" in optional:
        bad = (layout["removed_s"] <= layout["installed_s"]).to_numpy()
        if bad.any():
            raise CameraError(f"{source}: {rows.text(bad)}: removed_s must come after installed_s")
    layout["camera_id"] = layout["camera_id"].astype(str)
    layout["key"] = pd.to_numeric(layout["key"]).astype(np.int64)
    layout["read_rate"] = layout["read_rate"].astype(float)
    layout["misread_rate"] = layout["misread_rate"].astype(float)
    return layout[list(CAMERA_COLUMNS) + optional].reset_index(drop=True)


def _require_columns(layout: pd.DataFrame, source: str, found: str = "") -> None:
    """A :class:`CameraError` naming the required columns ``layout`` lacks (``found``: what a file's header held)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in layout.columns]
    if missing:
        raise CameraError(f"{source}: camera table lacks column(s) {', '.join(missing)}; required are "
                          f"{', '.join(REQUIRED_COLUMNS)}" + (f"; {found}" if found else ""))


def _check_ids(layout: pd.DataFrame, rows: RowNames) -> list[str]:
    ids = layout["camera_id"].astype(str)
    bad = layout["camera_id"].isna().to_numpy() | (ids.str.strip() == "").to_numpy()
    dup = ids.duplicated(keep=False).to_numpy() & ~bad
    out = []
    if bad.any():
        out.append(f"{rows.text(bad)}: camera_id is empty; give every camera a unique id")
    if dup.any():
        out.append(f"{rows.text(dup, ids)}: camera_id is repeated; ids must be unique")
    return out


def _check_rates(layout: pd.DataFrame, rows: RowNames) -> list[str]:
    out = []
    for column in ("read_rate", "misread_rate"):
        values = pd.to_numeric(layout[column], errors="coerce").to_numpy(dtype=float)
        bad = ~((values >= 0) & (values <= 1))
        if bad.any():
            out.append(f"{rows.text(bad, layout[column])}: {column} must be a number between 0 and 1")
    return out


def _check_directions(layout: pd.DataFrame, rows: RowNames) -> list[str]:
    bad = ~layout["direction"].isin(DIRECTIONS).to_numpy()
    if bad.any():
        return [f"{rows.text(bad, layout['direction'])}: direction must be one of {', '.join(DIRECTIONS)}"]
    return []


def _check_edges(layout: pd.DataFrame, net: RoadNetwork, rows: RowNames) -> list[str]:
    fwd = camera_edges(layout, net, "forward", strict=False)
    out = []
    missing = fwd < 0
    if missing.any():
        roads = [f"{u}, {v}, {k}" for u, v, k in zip(layout["u"], layout["v"], layout["key"])]
        out.append(f"{rows.text(missing, roads)}: (u, v, key) is not an edge of the network; check the node ids "
                   "against edges.parquet")
    needs_back = layout["direction"].isin(["backward", "both"]).to_numpy() & ~missing
    back = camera_edges(layout, net, "backward", strict=False)
    one_way = needs_back & (back < 0)
    if one_way.any():
        out.append(
            f"{rows.text(one_way)}: direction backward/both on a one-way road (no edge v→u); use forward"
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
            [net.edge_id(net.nodes[a], net.nodes[b], int(float(k))) if a >= 0 and b >= 0 else -1
             for a, b, k in zip(u, v, keys)],
            dtype=np.int64,
        )
    else:
        same_key = np.array(
            [net.edge_id(net.nodes[b], net.nodes[a], int(float(k))) if a >= 0 and b >= 0 else -1
             for a, b, k in zip(u, v, keys)],
            dtype=np.int64,
        )
        fastest = np.where((u >= 0) & (v >= 0), net.edge_between(np.maximum(v, 0), np.maximum(u, 0)), -1)
        result = np.where(same_key >= 0, same_key, fastest)
    if strict and (result < 0).any():
        # named by id: the layout may be a selection of a larger one (watch_pairs), its rows no one's to find
        lost = layout["camera_id"].astype(str).to_numpy()[result < 0]
        raise CameraError(f"camera_id {', '.join(lost[:10])}{' …' if len(lost) > 10 else ''}: no {which} edge to watch")
    return result


def not_installed(passes: pd.DataFrame, layout: pd.DataFrame) -> np.ndarray:
    """True for each camera pass made before its camera was installed or after it was removed."""
    camera = passes["camera"].to_numpy()
    time = passes["time_s"].to_numpy()
    out = np.zeros(len(passes), dtype=bool)
    if "installed_s" in layout.columns:
        out |= time < layout["installed_s"].fillna(-np.inf).to_numpy()[camera]
    if "removed_s" in layout.columns:
        out |= time >= layout["removed_s"].fillna(np.inf).to_numpy()[camera]
    return out


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
    if "kind" in layout.columns:  # mobile readers (patrol cars) watch no fixed road
        rows = rows[layout["kind"].fillna("fixed").to_numpy() != "mobile"]
        direction = direction[rows]
    fwd_rows = rows[np.isin(direction, ["forward", "both"])]
    back_rows = rows[np.isin(direction, ["backward", "both"])]
    fwd = camera_edges(layout.iloc[fwd_rows], net, "forward")
    back = camera_edges(layout.iloc[back_rows], net, "backward")
    camera = np.concatenate([fwd_rows, back_rows])
    edge = np.concatenate([fwd, back])
    backward = np.concatenate([np.zeros(len(fwd_rows), bool), np.ones(len(back_rows), bool)])
    order = np.lexsort((camera, edge))
    return camera[order], edge[order], backward[order]


#: Where a camera CSV comes from, for a user whose file is missing.
CAMERA_FILE_FROM = ("a camera CSV is a run's cameras.csv, the explorer's \"export this layout as cameras.csv\" "
                    "(docs/classroom.md) or your own (columns camera_id,u,v,key,direction,read_rate: README)")


def read_cameras_csv(path: str | Path, net: RoadNetwork, defaults: dict[str, Any] | None = None) -> pd.DataFrame:
    """Load and validate a camera CSV (``camera_id,u,v,key,direction,read_rate[,...]``).

    ``defaults`` (column → value, e.g. the scenario group's ``operator``) fill a column the file does not have,
    and its empty cells. A problem names each bad row by the line of the file it is on (the header is line 1).
    """
    path = require_file(path, "camera file", CameraError, where_from=CAMERA_FILE_FROM)
    try:
        table = pd.read_csv(path, dtype={"camera_id": str, "direction": str, "operator": str, "vendor": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CameraError(f"{path}: not a readable CSV camera table ({exc})") from None
    _require_columns(table, str(path), columns_found(table.columns))
    rows = csv_row_names(path, len(table))
    refuse_comment_lines(table, rows, list(REQUIRED_COLUMNS), str(path), CameraError)
    for column, value in (defaults or {}).items():
        table[column] = table[column].fillna(value) if column in table.columns else value
    return _checked_layout(table, net, str(path), rows)


def layout_geojson(layout: pd.DataFrame, net: RoadNetwork) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of camera points where they stand (:func:`sim.network.reader_sites`).

    Coordinates are WGS84 longitude/latitude (RFC 7946), so the network needs
    a place on Earth: a synthetic city without ``network.point`` has none
    (:class:`CameraError`).
    """
    edge = camera_edges(layout, net, "forward")
    lonlat = to_lonlat(net, *reader_sites(net, edge, net.x, net.y))
    if lonlat is None:
        raise CameraError(f"cameras cannot be written as GeoJSON: {NOT_ON_EARTH}")
    mx, my = lonlat
    features = []
    for i, row in enumerate(layout.itertuples(index=False)):
        props = {c: python_scalar(getattr(row, c)) for c in CAMERA_COLUMNS}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(mx[i]), 7), round(float(my[i]), 7)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


#: What a camera GeoJSON's feature numbers count, said wherever a message names them.
FEATURES_COUNTED = "(features counted from 1, in the file's order)"


#: Compass words of the OSM ``direction`` tag, in degrees.
CARDINAL_DEGREES = {
    name: i * 22.5
    for i, name in enumerate("N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split())
}


def parse_bearings(tag: Any) -> list[float]:
    """Bearings (degrees clockwise from north) of an OSM ``direction`` tag.

    Accepts degrees (``"90"``), compass words (``"NE"``), several values
    separated by ``;`` and ranges (``"45-135"``, taken at their middle).

    Examples
    --------
    >>> parse_bearings("360;180"), parse_bearings("SW"), parse_bearings(None)
    ([0.0, 180.0], [225.0], [])
    """
    if tag is None:
        return []
    out = []
    for part in str(tag).replace(",", ";").split(";"):
        part = part.strip().upper()
        if not part:
            continue
        if part in CARDINAL_DEGREES:
            out.append(CARDINAL_DEGREES[part])
            continue
        if "-" in part.lstrip("-"):
            lo, hi = part.split("-", 1)
            try:
                a, b = float(lo), float(hi)
            except ValueError:
                continue
            out.append(((a + ((b - a) % 360) / 2)) % 360)
            continue
        try:
            out.append(float(part) % 360)
        except ValueError:
            continue
    return out


def _edge_bearing(net: RoadNetwork, e: int) -> float:
    dx = net.x[net.edge_v[e]] - net.x[net.edge_u[e]]
    dy = net.y[net.edge_v[e]] - net.y[net.edge_u[e]]
    return float(np.degrees(np.arctan2(dx, dy)) % 360)


def _angle(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@dataclass(frozen=True)
class Selection:
    """Which points of a camera GeoJSON to take (all, when every field is ``None``).

    ``bbox`` is (west, south, east, north) in degrees; ``operator`` and ``brand`` match, ignoring case, a part
    of the OSM ``operator`` tag, and of ``manufacturer`` or ``brand``.
    """

    bbox: tuple[float, float, float, float] | None = None
    operator: str | None = None
    brand: str | None = None

    def keeps(self, feature: dict[str, Any]) -> bool:
        """Whether ``feature`` (a GeoJSON point) is selected.

        Examples
        --------
        >>> f = {"geometry": {"coordinates": [-76.3, 36.9]}, "properties": {"operator": "Norfolk Police Department",
        ...                                                                 "manufacturer": "Flock Safety"}}
        >>> Selection(bbox=(-76.35, 36.82, -76.17, 36.97), operator="norfolk", brand="flock").keeps(f)
        True
        >>> Selection(brand="rekor").keeps(f)
        False
        """
        lon, lat = feature["geometry"]["coordinates"][:2]
        if self.bbox is not None and not (self.bbox[0] <= lon <= self.bbox[2] and self.bbox[1] <= lat <= self.bbox[3]):
            return False
        props = _flat_properties(feature)
        if self.operator is not None and self.operator.lower() not in str(props.get("operator") or "").lower():
            return False
        made = f"{props.get('manufacturer') or ''} {props.get('brand') or ''}".lower()
        return self.brand is None or self.brand.lower() in made


def camera_points(path: str | Path, selection: Selection = Selection()) -> pd.DataFrame:
    """The selected points of a camera GeoJSON (plain or gzipped) as a table: ``lon, lat, operator, brand,
    direction`` (``""`` where a tag is missing), without snapping them to any network."""
    features = [f for f in _point_features(Path(path)) if selection.keeps(f)]
    props = [_flat_properties(f) for f in features]
    return pd.DataFrame({
        "lon": [float(f["geometry"]["coordinates"][0]) for f in features],
        "lat": [float(f["geometry"]["coordinates"][1]) for f in features],
        "operator": [str(p.get("operator") or "") for p in props],
        "brand": [str(p.get("manufacturer") or p.get("brand") or "") for p in props],
        "direction": [str(p.get("direction") or "") for p in props],
    }, columns=["lon", "lat", "operator", "brand", "direction"])


def network_bbox(net: RoadNetwork, margin_m: float = 0.0) -> tuple[float, float, float, float]:
    """The network's extent in longitude/latitude (west, south, east, north), ``margin_m`` wider on each side."""
    corners = to_lonlat(net, np.array([net.x.min() - margin_m, net.x.max() + margin_m]),
                        np.array([net.y.min() - margin_m, net.y.max() + margin_m]))
    if corners is None:
        raise CameraError(f"a camera selection by the network's extent needs a network on Earth: {NOT_ON_EARTH}")
    lon, lat = corners
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def read_cameras_geojson(
    path: str | Path, net: RoadNetwork, *, max_snap_m: float = 50.0, read_rate: float = 0.95,
    selection: Selection = Selection(), misread_rate: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Point cameras (e.g. OSM ``surveillance:type=ALPR``) snapped to the nearest edge.

    The OSM ``direction`` tag gives the way a camera looks; as with most
    fixed ALPR cameras it is taken to read the rear plates of vehicles
    driving that way, so each bearing picks the travel direction of the
    snapped road closest to it (``forward``/``backward``, or ``both`` for a
    pair of opposite bearings or no tag on a two-way road). ``manufacturer``
    (or ``brand``) fills ``vendor`` and ``operator`` the operator. ``selection`` keeps some of the points
    (a bounding box, an operator, a brand: the national map's cameras of one city, say). Every point reads at
    ``read_rate`` and misreads at ``misread_rate`` (a map says neither).

    Returns
    -------
    layout : pandas.DataFrame
        The snapped cameras (with ``lat``, ``lon`` and ``snap_m``).
    unsnapped : pandas.DataFrame
        ``camera_id, lat, lon, distance_m`` of points farther than
        ``max_snap_m`` from any road — reported, never silently dropped.
    """
    path = Path(path)
    every = _point_features(path)
    kept = [i for i, f in enumerate(every) if selection.keeps(f)]
    features = [every[i] for i in kept]
    if every and not features:
        raise CameraError(f"{path}: none of its {len(every):,} cameras is selected ({selection}); widen the "
                          "bounding box or the names")
    lon = np.array([f["geometry"]["coordinates"][0] for f in features], dtype=float)
    lat = np.array([f["geometry"]["coordinates"][1] for f in features], dtype=float)
    props = [_flat_properties(f) for f in features]
    # a point without an id is named by its feature number in the file, whatever the selection keeps
    ids = [str(p.get("id", k + 1)) for k, p in zip(kept, props)]
    x, y = from_lonlat(net, lon, lat, what=str(path), error=CameraError)
    edges, distance = nearest_edges(net, np.asarray(x), np.asarray(y))
    snapped = distance <= max_snap_m
    rows = []
    for i in np.flatnonzero(snapped):
        e = int(edges[i])
        rows.append({
            "camera_id": f"osm-{ids[i]}",
            "u": net.nodes[net.edge_u[e]], "v": net.nodes[net.edge_v[e]], "key": int(net.edge_key[e]),
            "direction": _direction(net, e, parse_bearings(props[i].get("direction"))),
            "read_rate": read_rate, "misread_rate": misread_rate,
            "operator": str(props[i].get("operator") or "unknown"),
            "vendor": str(props[i].get("manufacturer") or props[i].get("brand") or ""),
        })
    # a problem names the feature of the file that gave the camera
    feature = RowNames("feature", np.array(kept, dtype=np.int64)[snapped] + 1)
    layout = _checked_layout(pd.DataFrame(rows, columns=list(CAMERA_COLUMNS)), net, f"{path} {FEATURES_COUNTED}",
                             feature)
    layout["lat"], layout["lon"] = lat[snapped], lon[snapped]
    layout["snap_m"] = distance[snapped]
    unsnapped = pd.DataFrame({"camera_id": [f"osm-{ids[i]}" for i in np.flatnonzero(~snapped)],
                              "lat": lat[~snapped], "lon": lon[~snapped], "distance_m": distance[~snapped]})
    if len(features) and not snapped.any():
        raise CameraError(f"{path}: none of its {len(features)} cameras is within max_snap_m = {max_snap_m:g} m of a "
                          f"road of the network (the nearest is {float(distance.min()):,.0f} m away); check that the "
                          "network covers the cameras' area, or raise cameras.max_snap_m")
    # the cameras not placed are reported in metrics.json (cameras_unsnapped) and in the run's summary
    return layout, unsnapped


def _point_features(path: Path) -> list[dict[str, Any]]:
    require_file(path, "camera file", CameraError)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix.lower() == ".gz" else path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise CameraError(f"{path}: not valid GeoJSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise CameraError(f"{path}: expected a GeoJSON FeatureCollection of camera points")
    feature = RowNames("feature")  # counted from 1, in the file's order (said in each message)
    bad = np.array([not isinstance(f, dict) or not isinstance(f.get("geometry"), dict)
                    or f["geometry"].get("type") != "Point" for f in features], dtype=bool)
    if bad.any():
        raise CameraError(f"{path}: {feature.text(bad)}: not a Point; cameras must be GeoJSON Point features "
                          f"{FEATURES_COUNTED}")
    bad = np.array([not _lon_lat(f["geometry"].get("coordinates")) for f in features], dtype=bool)
    if bad.any():
        raise CameraError(f"{path}: {feature.text(bad)}: no valid [longitude, latitude] (numbers within ±180 and "
                          f"±90) {FEATURES_COUNTED}")
    return features


def _lon_lat(coordinates: Any) -> bool:
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return False
    lon, lat = coordinates[:2]
    numbers = all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in (lon, lat))
    return numbers and -180 <= lon <= 180 and -90 <= lat <= 90


def _flat_properties(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature.get("properties")
    props = dict(props) if isinstance(props, dict) else {}
    tags = props.pop("tags", None)
    tags = tags if isinstance(tags, dict) else {}
    return {**tags, **{k: v for k, v in props.items() if v is not None}}


def _direction(net: RoadNetwork, e: int, bearings: list[float]) -> str:
    if net.reverse_edge(e) < 0:
        return "forward"
    if not bearings:
        return "both"
    forward_bearing = _edge_bearing(net, e)
    picks = {"forward" if _angle(b, forward_bearing) <= 90 else "backward" for b in bearings}
    return picks.pop() if len(picks) == 1 else "both"
