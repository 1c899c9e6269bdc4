"""OpenStreetMap sources: downloads through osmnx (cached), files, and GraphML.

PBF files are read with pyosmium (the maintained bindings of libosmium, the
library osmium-tool and most OSM pipelines use; it ships wheels, so it needs
no compiler): the PBF is converted to OSM XML in a temporary file that
osmnx's own ``graph_from_xml`` then parses, so every source gets osmnx's
one-way handling and simplification.
"""

from __future__ import annotations

import re
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx

from sim._errors import NetworkError
from sim.network import DEFAULT_SPEEDS_KPH
from sim._validate import read_polygon, require_file

log = logging.getLogger(__name__)

#: OSM ``highway`` values a car can drive on (osmnx's "drive" network, roughly).
DRIVABLE = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "residential", "unclassified", "living_street", "road",
})


def cache_folder() -> Path:
    """Where osmnx caches downloads: ``$CURTAIN_CACHE`` or the user cache folder."""
    root = os.environ.get("CURTAIN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "curtain"
    )
    return Path(root) / "osmnx"


def osm_download_graph(
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    point: tuple[float, float] | None = None,
    dist_m: float | None = None,
) -> nx.MultiDiGraph:
    """Drive network from OpenStreetMap by place name, bbox or point + radius (osmnx, cached).

    ``bbox`` is ``(west, south, east, north)`` in degrees; ``point`` is
    ``(lat, lon)``. A second call with the same query is served from the
    cache and needs no network connection.
    """
    import osmnx as ox
    import requests

    ox.settings.use_cache = True
    ox.settings.cache_folder = str(cache_folder())
    ox.settings.log_console = False
    try:
        if place:
            return ox.graph_from_place(place, network_type="drive")
        if bbox:
            return ox.graph_from_bbox(bbox, network_type="drive")
        if point and dist_m:
            return ox.graph_from_point(point, dist=dist_m, network_type="drive")
    except (requests.exceptions.RequestException, ConnectionError) as exc:
        raise NetworkError(
            f"OpenStreetMap could not be reached ({type(exc).__name__}) and this query is not in the cache "
            f"({cache_folder()}); download an extract (.osm, .osm.bz2 or .osm.pbf) and use "
            'source = "osm_file" with path = "..."'
        ) from None
    except (ValueError, TypeError) as exc:
        raise NetworkError(f"OpenStreetMap query gave no usable road network: {exc}") from None
    raise NetworkError('source = "osm" needs place = "...", bbox = [w, s, e, n] or point = [lat, lon] with dist_m')


def osm_file_graph(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: str | Path | None = None,
) -> nx.MultiDiGraph:
    """Drive network from an ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file, optionally clipped.

    Parameters
    ----------
    path : str or pathlib.Path
    bbox : tuple, optional
        ``(west, south, east, north)`` in degrees; roads outside are dropped.
    polygon : str or pathlib.Path, optional
        A GeoJSON file of a (multi)polygon in longitude/latitude; roads
        outside it are dropped.

    Raises
    ------
    NetworkError
        Missing or corrupt file, or no drivable road left.
    """
    path = require_file(path, "OSM file", NetworkError)
    name = path.name.lower()
    if not name.endswith((".osm", ".osm.bz2", ".xml", ".pbf")):
        raise NetworkError(f"{path}: unknown OSM file type; use .osm, .osm.bz2 or .osm.pbf")
    if name.endswith(".pbf"):
        with tempfile.TemporaryDirectory() as tmp:
            xml = Path(tmp) / "extract.osm"
            _pbf_to_xml(path, xml)
            graph = _parse_xml(xml, label=path)
    else:
        graph = _parse_xml(path, label=path)
    graph = keep_drivable(graph, source=str(path))
    if bbox is not None:
        graph = clip_bbox(graph, bbox, source=str(path))
    if polygon is not None:
        graph = clip_polygon(graph, polygon, source=str(path))
    return graph


def _pbf_to_xml(path: Path, out: Path) -> None:
    import osmium

    try:
        writer = osmium.SimpleWriter(str(out), overwrite=True)
        try:
            for obj in osmium.FileProcessor(str(path)):
                writer.add(obj)
        finally:
            writer.close()
    except RuntimeError as exc:
        raise NetworkError(f"{path}: not a readable OSM PBF file ({exc})") from None


def _parse_xml(path: Path, *, label: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    ox.settings.log_console = False
    try:
        return ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:  # noqa: BLE001 - osmnx raises many kinds on bad input; report them as one
        raise NetworkError(f"{label}: not a readable OSM file ({type(exc).__name__}: {exc})") from None


def _is_drivable(highway: Any) -> bool:
    values = highway if isinstance(highway, list) else [highway]
    return any(str(v) in DRIVABLE for v in values)


def keep_drivable(graph: nx.MultiDiGraph, *, source: str) -> nx.MultiDiGraph:
    """Drop non-drivable ways and isolated nodes, then simplify (osmnx)."""
    import osmnx as ox

    drop = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not _is_drivable(d.get("highway"))]
    graph = nx.MultiDiGraph(graph)
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        raise NetworkError(f"{source}: no drivable roads (highway={', '.join(sorted(DRIVABLE))}) in the file")
    return ox.simplify_graph(graph)


def clip_bbox(graph: nx.MultiDiGraph, bbox: tuple[float, float, float, float], *, source: str) -> nx.MultiDiGraph:
    """Keep the part of an unprojected graph inside ``(west, south, east, north)``."""
    import osmnx as ox

    west, south, east, north = bbox
    if not (west < east and south < north):
        raise NetworkError(f"{source}: bbox must be [west, south, east, north] with west < east, south < north")
    try:
        clipped = ox.truncate.truncate_graph_bbox(graph, (west, south, east, north))
    except ValueError:
        clipped = nx.MultiDiGraph()
    if clipped.number_of_edges() == 0:
        raise NetworkError(f"{source}: the bbox {list(bbox)} contains no roads of the file")
    return clipped


def clip_polygon(graph: nx.MultiDiGraph, polygon: str | Path, *, source: str) -> nx.MultiDiGraph:
    """Keep the part of an unprojected graph inside the polygon(s) of a GeoJSON file."""
    import osmnx as ox

    area = read_polygon(polygon, NetworkError)
    try:
        clipped = ox.truncate.truncate_graph_polygon(graph, area)
    except ValueError:
        clipped = nx.MultiDiGraph()
    if clipped.number_of_edges() == 0:
        raise NetworkError(f"{source}: the polygon in {polygon} contains no roads of the file")
    return clipped


def graphml_graph(path: str | Path) -> nx.MultiDiGraph:
    """An osmnx GraphML file (as saved by ``osmnx.save_graphml``)."""
    import osmnx as ox

    path = require_file(path, "GraphML file", NetworkError)
    try:
        graph = ox.load_graphml(path)
    except Exception as exc:  # noqa: BLE001 - parse errors come from several libraries
        try:  # GraphML that networkx reads but osmnx does not: written by another tool
            nx.read_graphml(path)
        except Exception:  # noqa: BLE001 - not GraphML at all: say what the parser said
            raise NetworkError(f"{path}: not a readable GraphML file ({type(exc).__name__}: {exc})") from None
        raise NetworkError(
            f"{path}: GraphML, but not as osmnx.save_graphml writes it ({type(exc).__name__}: {exc}); a road network "
            "here is an osmnx graph: nodes with x and y (and osmid), edges with length in metres. Build it with "
            "osmnx (ox.graph_from_xml, ox.graph_from_place) and save it with ox.save_graphml") from None
    missing = sum(1 for *_, d in graph.edges(keys=True, data=True) if "length" not in d)
    if missing:
        raise NetworkError(
            f"{path}: {missing} edges have no 'length' attribute; save the graph with osmnx "
            "(which adds lengths) or add length in metres to every edge"
        )
    crs_text = str(graph.graph.get("crs", "")).strip()
    old_form = re.fullmatch(r"""\{\s*['"]init['"]\s*:\s*['"](epsg:\d+)['"]\s*\}""", crs_text, re.IGNORECASE)
    if crs_text in ("", "None"):  # save_graphml writes a missing CRS as "None"
        graph.graph["crs"] = None
    elif old_form:  # osmnx before 1.0 wrote the CRS as a pyproj-1 dict: {'init': 'epsg:4326'}
        graph.graph["crs"] = old_form.group(1).upper()
    else:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(graph.graph["crs"])
        except CRSError:
            raise NetworkError(f"{path}: the graph's crs {graph.graph['crs']!r} is not a coordinate reference "
                               "system pyproj knows; give an EPSG code such as 'epsg:4326'") from None
    return graph


def project_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Project to UTM when the graph is in degrees or in a CRS not in metres (e.g. US feet).

    A CRS already projected in metres is kept; a graph without a CRS is taken
    to be in metres already.
    """
    import osmnx as ox
    from pyproj import CRS

    crs = graph.graph.get("crs")
    if crs is None:
        return graph
    parsed = CRS.from_user_input(crs)
    in_metres = parsed.is_projected and parsed.axis_info[0].unit_name in ("metre", "meter")
    return graph if in_metres else ox.project_graph(graph)


def add_speeds_and_times(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """osmnx speeds (from ``maxspeed``/``highway``) and travel times, only where missing.

    Values already in the graph (e.g. ``travel_time`` in a GraphML file) are
    kept as given.
    """
    import osmnx as ox

    edges = list(graph.edges(keys=True, data=True))
    given_speed = {(u, v, k): d["speed_kph"] for u, v, k, d in edges if "speed_kph" in d}
    given_time = {(u, v, k): d["travel_time"] for u, v, k, d in edges if "travel_time" in d}
    if len(given_time) == len(edges):
        return graph
    if any("highway" not in d for *_, d in edges):
        return graph  # Curtain's own defaults fill these in from_graph
    # maxspeed tags first, then the mean of each highway type, then our defaults
    graph = ox.add_edge_speeds(graph, hwy_speeds=DEFAULT_SPEEDS_KPH, fallback=30.0)
    nx.set_edge_attributes(graph, given_speed, "speed_kph")
    graph = ox.add_edge_travel_times(graph)
    nx.set_edge_attributes(graph, given_time, "travel_time")
    return graph
