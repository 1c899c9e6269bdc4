"""Where a road network is: its edges as geometry, the nearest road to a point, longitude and latitude.

A network's coordinates are metres in a projected CRS (osmnx's ``project_graph``); these functions cross
between them and WGS84 longitude/latitude (pyproj), find the road nearest a point (a shapely STRtree) and
give the edges as the table ``edges.parquet`` holds (WKT geometry).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim._errors import NetworkError
from sim.network import RoadNetwork


def edges_frame(net: RoadNetwork) -> pd.DataFrame:
    """One row per directed edge, as written to ``edges.parquet``.

    Columns: ``edge, u, v, key, length_m, travel_time_s, highway,
    jurisdiction, geometry`` (WKT in the network's projected CRS).
    """
    rows = []
    for e in range(net.n_edges):
        u, v, k = net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]], int(net.edge_key[e])
        data = net.graph.edges[u, v, k]
        geometry = data.get("geometry")
        if geometry is not None:
            wkt = geometry.wkt
        else:
            a, b = net.edge_u[e], net.edge_v[e]
            wkt = f"LINESTRING ({float(net.x[a])!r} {float(net.y[a])!r}, {float(net.x[b])!r} {float(net.y[b])!r})"
        highway = data.get("highway", "")
        rows.append(
            (e, u, v, k, net.edge_length[e], net.edge_time[e],
             ",".join(highway) if isinstance(highway, list) else str(highway),
             str(data.get("jurisdiction", "")), wkt)
        )
    return pd.DataFrame(
        rows,
        columns=["edge", "u", "v", "key", "length_m", "travel_time_s", "highway", "jurisdiction", "geometry"],
    )


def nearest_edges(net: RoadNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest edge (by straight segment) to each point, and its distance in metres."""
    from shapely import STRtree, points
    from shapely.geometry import LineString

    lines = [LineString([(net.x[u], net.y[u]), (net.x[v], net.y[v])]) for u, v in zip(net.edge_u, net.edge_v)]
    tree = STRtree(lines)
    query = points(x, y)
    index, distance = tree.query_nearest(query, return_distance=True, all_matches=False)
    edges = np.full(len(x), -1, dtype=np.int64)
    dist = np.full(len(x), np.inf)
    edges[index[0]] = index[1]
    dist[index[0]] = distance
    return edges, dist


#: What a synthetic city without ``network.point`` says when asked for longitude/latitude.
NOT_ON_EARTH = ("the network is a synthetic city in plane metres with no place on Earth; set "
                "network.point = [lat, lon] (its centre) to place it, or draw it from OSM")


def from_lonlat(net: RoadNetwork, lon: np.ndarray, lat: np.ndarray, *, what: str,
                error: type[Exception] = NetworkError) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude into the network's metres.

    ``what`` names the input (e.g. a file) in the error raised when the network has no CRS: a
    synthetic city is not silently treated as if its metres were degrees.
    """
    if net.crs is None:
        if np.size(lon) == 0:  # nothing to place (an empty file gets its own error downstream)
            return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        raise error(f"{what} gives longitude/latitude, but {NOT_ON_EARTH}")
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", net.crs, always_xy=True).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_lonlat(net: RoadNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """WGS84 longitude/latitude of points in the network's metres; None when it has no place on Earth."""
    if net.crs is None:
        return None
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def place_on_earth(net: RoadNetwork, lat: float, lon: float) -> RoadNetwork:
    """Give a synthetic network a place (in place, and returned): its centre at ``lat``/``lon`` (degrees), metres kept.

    The CRS is an azimuthal equidistant projection centred there, so distances near the centre are true.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.generators import grid_network
    >>> net = place_on_earth(grid_network(3, 3, rng=np.random.default_rng(0)), 36.85, -76.29)
    >>> lon, lat = to_lonlat(net, np.array([net.x.mean()]), np.array([net.y.mean()]))
    >>> round(float(lat[0]), 2), round(float(lon[0]), 2)
    (36.85, -76.29)
    """
    cx, cy = (net.x.min() + net.x.max()) / 2, (net.y.min() + net.y.max()) / 2
    net.graph.graph["crs"] = (f"+proj=aeqd +lat_0={lat:.7f} +lon_0={lon:.7f} +x_0={cx:.3f} +y_0={cy:.3f} "
                              "+datum=WGS84 +units=m +no_defs")
    return net
