"""Network sources: files, downloads and generators, all ending as a RoadNetwork."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from sim import generators
from sim._errors import NetworkError
from sim._validate import read_named_polygons
from sim.geo import place_on_earth
from sim.network import RoadNetwork, from_graph
from sim.io import osm, tntp
from sim.io.city_line import add_city_line

if TYPE_CHECKING:
    from sim.scenario import NetworkSpec


def load_network(spec: NetworkSpec, resolve: Callable[[str], Path], rng: np.random.Generator) -> RoadNetwork:
    """Build the road network a ``[network]`` section describes.

    Parameters
    ----------
    spec : NetworkSpec
    resolve : callable
        Turns a ``path`` field into a path (relative to the scenario file).
    rng : numpy.random.Generator
        Used by synthetic generators.
    """
    if spec.source == "synthetic":
        net = _synthetic(spec, rng)
        return place_on_earth(net, *spec.point) if spec.point is not None else net
    if spec.source == "osm":
        graph = osm.osm_download_graph(place=spec.place, bbox=spec.bbox, point=spec.point, dist_m=spec.dist_m)
        label = spec.place or str(spec.bbox or spec.point)
    elif spec.source == "osm_file":
        path = resolve(str(spec.path))
        polygon = resolve(spec.polygon) if spec.polygon else None
        graph, label = osm.osm_file_graph(path, bbox=spec.bbox, polygon=polygon), str(path)
    elif spec.source == "graphml":
        path = resolve(str(spec.path))
        graph, label = osm.graphml_graph(path), str(path)
    else:
        path = resolve(str(spec.path))
        node_path = resolve(spec.node_path) if spec.node_path else None
        graph = tntp.tntp_graph(path, node_path=node_path, length_unit=spec.length_unit,
                                time_unit=spec.time_unit, node_crs=spec.node_crs)
        label = str(path)
    graph = osm.project_graph(graph)
    if spec.city_line:
        add_city_line(graph, spec.city_line)
    graph = osm.add_speeds_and_times(graph)
    if spec.jurisdiction_polygons or spec.highway_jurisdiction:
        polygons = (read_named_polygons(resolve(spec.jurisdiction_polygons), spec.jurisdiction_key, NetworkError)
                    if spec.jurisdiction_polygons else [])
        label_jurisdictions(graph, polygons, highway=spec.highway_jurisdiction)
    return from_graph(graph, source=label)


#: OSM road classes a ``highway_jurisdiction`` (e.g. a state police) is taken to run.
HIGHWAY_CLASSES = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})


def label_jurisdictions(
    graph: nx.MultiDiGraph, polygons: list[tuple[str, Any]], *, highway: str | None = None
) -> None:
    """Set every edge's ``jurisdiction``: the polygon holding its midpoint, or ``highway`` on motorways/trunks.

    ``polygons`` are (name, shapely polygon in longitude/latitude); the graph
    is in its projected CRS. An edge in no polygon gets ``""``; the first
    polygon wins where they overlap. ``highway`` overrides the polygons on
    roads of :data:`HIGHWAY_CLASSES`.
    """
    import shapely
    from pyproj import Transformer

    edges = list(graph.edges(keys=True, data=True))
    mx = np.array([(graph.nodes[u]["x"] + graph.nodes[v]["x"]) / 2 for u, v, _, _ in edges])
    my = np.array([(graph.nodes[u]["y"] + graph.nodes[v]["y"]) / 2 for u, v, _, _ in edges])
    if graph.graph.get("crs") is not None and len(edges):
        mx, my = Transformer.from_crs(graph.graph["crs"], "EPSG:4326", always_xy=True).transform(mx, my)
    name = np.full(len(edges), "", dtype=object)
    for place, polygon in reversed(polygons):
        name[shapely.contains_xy(polygon, mx, my)] = place
    for (u, v, k, data), place in zip(edges, name):
        kinds = data.get("highway", "")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        data["jurisdiction"] = highway if highway and kinds & HIGHWAY_CLASSES else place


def _synthetic(spec: NetworkSpec, rng: np.random.Generator) -> RoadNetwork:
    grid: dict[str, Any] = dict(block_m=spec.block_m, arterial_every=spec.arterial_every,
                                one_way_share=spec.one_way_share, jitter_m=spec.jitter_m, rng=rng)
    if spec.kind == "grid":
        return generators.grid_network(spec.rows, spec.cols, **grid)
    if spec.kind == "river":
        return generators.river_network(spec.rows, spec.cols, bridges=spec.bridges, river_m=spec.river_m, **grid)
    if spec.kind == "city_line":
        county: dict[str, Any] = dict(towns=spec.towns, size_km=spec.size_km, town_rows=spec.town_rows,
                                      town_cols=spec.town_cols, block_m=spec.town_block_m,
                                      arterial_km=spec.arterial_km, highway_km=spec.highway_km,
                                      dead_end_share=spec.dead_end_share)
        return generators.city_line_network(spec.rows, spec.cols, crossings=spec.crossings,
                                            jurisdictions=spec.jurisdictions, west=spec.west, county=county, **grid)
    if spec.kind == "radial":
        return generators.radial_network(spec.rings, spec.spokes, ring_spacing_m=spec.ring_spacing_m,
                                         arterial_every=spec.arterial_every, rng=rng)
    if spec.kind == "county":
        return generators.county_network(spec.towns, size_km=spec.size_km, town_rows=spec.town_rows,
                                         town_cols=spec.town_cols, block_m=spec.block_m,
                                         arterial_km=spec.arterial_km, highway_km=spec.highway_km,
                                         dead_end_share=spec.dead_end_share, rng=rng)
    return generators.corridor_network(spec.towns, town_rows=spec.town_rows, town_cols=spec.town_cols,
                                       spacing_km=spec.spacing_km, block_m=spec.block_m,
                                       local_road=spec.local_road, rng=rng)
