"""Network sources: TNTP, OSM XML/bz2/PBF, GraphML, osmnx downloads (offline) and generators."""

from __future__ import annotations

import bz2
import itertools

import networkx as nx
import numpy as np
import pytest

from sim import NetworkError, ScenarioError
from sim.generators import city_line_network, corridor_network, grid_network, radial_network, river_network
from sim.io import osm, tntp
from sim.network import from_graph
from sim.routing import fastest_routes
from sim.runner import simulate_scenario
from sim.scenario import load_scenario


def load(graph):
    return from_graph(osm.add_speeds_and_times(osm.project_graph(graph)))


# --- TNTP -----------------------------------------------------------------

def test_sioux_falls_reads_with_units_and_bpr(data):
    g = tntp.tntp_graph(data("sioux-falls-net"))
    net = load(g)
    assert (net.n_nodes, net.n_edges) == (24, 76)
    e = net.edge_id(1, 2)
    assert net.edge_time[e] == pytest.approx(6 * 60.0)  # 6 minutes
    assert net.edge_length[e] == pytest.approx(6 * 1609.344)
    data = net.graph.edges[1, 2, 0]
    assert data["capacity"] == pytest.approx(25900.20064) and data["bpr_b"] == 0.15 and data["bpr_power"] == 4
    assert str(net.crs).startswith("EPSG:326")  # projected to UTM metres


def test_sioux_falls_fastest_routes_equal_networkx_for_every_pair(data):
    net = load(tntp.tntp_graph(data("sioux-falls-net")))
    pairs = np.array(list(itertools.product(range(net.n_nodes), repeat=2)))
    routes = fastest_routes(net, pairs[:, 0], pairs[:, 1])
    lengths = dict(nx.all_pairs_dijkstra_path_length(net.graph, weight="travel_time"))
    expected = [lengths[net.nodes[o]][net.nodes[d]] for o, d in pairs]
    np.testing.assert_allclose(routes.travel_time, expected)


def test_anaheim_with_geojson_nodes_in_feet(data):
    g = tntp.tntp_graph(data("anaheim-net"), node_path=data("anaheim-nodes"), length_unit="ft")
    net = load(g)
    assert net.n_nodes == 416
    assert net.edge_length[net.edge_id(1, 117)] == pytest.approx(5280 * 0.3048)  # one mile


def test_tntp_trips_total_matches_header(data):
    trips = tntp.read_tntp_trips(data("sioux-falls-trips"))
    assert trips["flow"].sum() == pytest.approx(360_600.0)


def test_tntp_demand_samples_the_od_matrix_within_sampling_error(data):
    """Trips per origin zone and per OD cell match trips × flow share within 4 standard deviations."""
    from sim.demand import tntp_trips

    net = from_graph(osm.add_speeds_and_times(osm.project_graph(tntp.tntp_graph(data("sioux-falls-net")))))
    od = tntp.read_tntp_trips(data("sioux-falls-trips"))
    od = od[od["origin"] != od["destination"]]
    n, days = 50_000, 2
    trips = tntp_trips(net, od, n, days, np.random.default_rng(3))
    assert len(trips) == n * days
    share = od.groupby("origin")["flow"].sum() / od["flow"].sum()
    counts = trips["origin"].value_counts().reindex(share.index, fill_value=0) / days
    sd = np.sqrt(share * (1 - share) * n / days)
    assert (np.abs(counts - n * share) <= 4 * sd + 1e-9).all()
    cell = od.set_index(["origin", "destination"])["flow"] / od["flow"].sum()
    big = cell[cell > 0.005]
    got = trips.groupby(["origin", "destination"]).size().reindex(big.index, fill_value=0) / days
    assert (np.abs(got - n * big) <= 4 * np.sqrt(big * (1 - big) * n / days)).all()


@pytest.mark.parametrize("mangle, message", [
    (lambda t: t.replace("<END OF METADATA>", ""), "END OF METADATA"),
    (lambda t: t.replace("<NUMBER OF LINKS> 76", "<NUMBER OF LINKS> 75"), "header says 75 links"),
    (lambda t: t.replace("\t1\t2\t25900.20064", "\t1\t99\t25900.20064", 1), "node(s) [99]"),
    (lambda t: t.replace("\t1\t2\t25900.20064", "\t1\tx\t25900.20064", 1), "not a number"),
])
def test_bad_tntp_files_get_clear_errors(data, tmp_path, mangle, message):
    bad = tmp_path / "Bad_net.tntp"
    bad.write_text(mangle(data("sioux-falls-net").read_text()))
    (tmp_path / "Bad_node.tntp").write_text(data("sioux-falls-node").read_text())
    with pytest.raises(NetworkError, match="Bad_net.tntp") as info:
        tntp.tntp_graph(bad)
    assert message in str(info.value)


# --- OSM files ------------------------------------------------------------

def test_west_oakland_bz2(data):
    net = load(osm.osm_file_graph(data("west-oakland-osm")))
    assert net.n_nodes > 10
    assert nx.is_strongly_connected(net.graph)
    assert str(net.crs) == "EPSG:32610"  # UTM 10N, Oakland
    highways = {h for *_, d in net.graph.edges(data=True)
                for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])}
    assert highways <= osm.DRIVABLE
    assert (net.edge_time > 0).all()


def write_pbf_and_xml(tmp_path):
    """A 3 x 3 grid of residential ways plus a footway, as PBF and as OSM XML."""
    import osmium

    nodes = {r * 3 + c + 1: (10.0 + c * 0.002, 48.0 + r * 0.002) for r in range(3) for c in range(3)}
    ways = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 4, 7], [2, 5, 8], [3, 6, 9]]
    paths = []
    for name in ("grid.osm.pbf", "grid.osm"):
        path = tmp_path / name
        writer = osmium.SimpleWriter(str(path), overwrite=True)
        for node, loc in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node, location=loc, version=1))
        for i, refs in enumerate(ways):
            writer.add_way(osmium.osm.mutable.Way(id=100 + i, nodes=refs, tags={"highway": "residential"},
                                                  version=1))
        writer.add_way(osmium.osm.mutable.Way(id=200, nodes=[1, 5], tags={"highway": "footway"}, version=1))
        writer.close()
        paths.append(path)
    return paths


def test_pbf_reads_like_the_same_xml(tmp_path):
    pbf, xml = write_pbf_and_xml(tmp_path)
    a, b = load(osm.osm_file_graph(pbf)), load(osm.osm_file_graph(xml))
    # osmnx simplification keeps the 5 intersections (corners are mere bends):
    # 4 spokes from the centre + 4 corner roads, two-way = 16 edges; no footway
    assert a.n_nodes == b.n_nodes == 5
    assert a.n_edges == b.n_edges == 16
    np.testing.assert_allclose(np.sort(a.edge_length), np.sort(b.edge_length))


def test_bbox_clip_keeps_only_roads_inside(tmp_path):
    _, xml = write_pbf_and_xml(tmp_path)
    clipped = osm.osm_file_graph(xml, bbox=(9.999, 47.999, 10.0021, 48.0041))
    assert clipped.number_of_nodes() < 9
    with pytest.raises(NetworkError, match="contains no roads"):
        osm.osm_file_graph(xml, bbox=(0.0, 0.0, 1.0, 1.0))


def test_polygon_clip(tmp_path):
    import json

    _, xml = write_pbf_and_xml(tmp_path)
    square = [[9.999, 47.999], [10.0021, 47.999], [10.0021, 48.0041], [9.999, 48.0041], [9.999, 47.999]]
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square]}}]}))
    assert osm.osm_file_graph(xml, polygon=area).number_of_nodes() < 9
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "Point", "coordinates": [10.0, 48.0]}))
    with pytest.raises(NetworkError, match="points.geojson: feature 0 is a Point, not a Polygon"):
        osm.osm_file_graph(xml, polygon=points)


@pytest.mark.parametrize("name, content, message", [
    ("broken.osm", b"<osm><node id='1' lat='48'", "not a readable OSM file"),
    ("broken.osm.pbf", b"this is not protobuf at all", "not a readable OSM PBF file"),
    ("broken.osm.bz2", b"BZh9 but not really", "not a readable OSM file"),
    ("paths.osm", b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='48' lon='10'/>"
                  b"<node id='2' lat='48.001' lon='10'/><way id='5'><nd ref='1'/><nd ref='2'/>"
                  b"<tag k='highway' v='footway'/></way></osm>", "no drivable roads"),
])
def test_corrupt_osm_files_get_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NetworkError, match=message) as info:
        osm.osm_file_graph(path)
    assert name in str(info.value)


def test_missing_osm_file(tmp_path):
    with pytest.raises(NetworkError, match="nope.osm: OSM file not found"):
        osm.osm_file_graph(tmp_path / "nope.osm")


# --- GraphML --------------------------------------------------------------

def test_graphml_round_trip_keeps_given_travel_times(data, tmp_path):
    import osmnx as ox

    graph = osm.add_speeds_and_times(osm.project_graph(osm.osm_file_graph(data("west-oakland-osm"))))
    u, v, k = next(iter(graph.edges(keys=True)))
    graph.edges[u, v, k]["travel_time"] = 999.0
    path = tmp_path / "oakland.graphml"
    ox.save_graphml(graph, path)
    net = load(osm.graphml_graph(path))
    assert net.edge_time[net.edge_id(u, v, k)] == 999.0
    assert net.crs == graph.graph["crs"]


def test_graphml_without_length(tmp_path):
    g = nx.MultiDiGraph(crs="EPSG:32618")
    g.add_node(1, x=0.0, y=0.0)
    g.add_node(2, x=10.0, y=0.0)
    g.add_edge(1, 2, highway="residential")
    path = tmp_path / "nolength.graphml"
    import osmnx as ox

    ox.save_graphml(g, path)
    with pytest.raises(NetworkError, match="nolength.graphml: 1 edges have no 'length'"):
        osm.graphml_graph(path)


def test_graphml_without_a_crs_or_with_an_unknown_one(tmp_path):
    """A plane graph (a synthetic city) saved by osmnx has crs "None"; it loads in metres. A made-up CRS is named."""
    import osmnx as ox

    from sim.generators import grid_network

    graph = nx.MultiDiGraph(grid_network(4, 4, rng=np.random.default_rng(0)).graph)
    for *_, data in graph.edges(keys=True, data=True):
        data.pop("geometry", None)
    path = tmp_path / "plane.graphml"
    ox.save_graphml(graph, path)
    net = load(osm.graphml_graph(path))
    assert net.crs is None and net.n_nodes == 16
    graph.graph["crs"] = "epsg:nowhere"
    ox.save_graphml(graph, path)
    with pytest.raises(NetworkError, match="plane.graphml: the graph's crs 'epsg:nowhere' is not a coordinate"):
        osm.graphml_graph(path)


def test_graphml_corrupt(tmp_path):
    path = tmp_path / "bad.graphml"
    path.write_text("<graphml><graph")
    with pytest.raises(NetworkError, match="bad.graphml: not a readable GraphML"):
        osm.graphml_graph(path)


def test_graphml_written_by_networkx_not_osmnx_says_how_to_save_it(tmp_path):
    """networkx.write_graphml's integer node ids made osmnx fail inside ("AttributeError: 'int' object has no
    attribute 'startswith'"); the message now says the file is GraphML of another kind, and how to make one."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_node(1, x=0.0, y=0.0)
    graph.add_node(2, x=0.001, y=0.0)
    graph.add_edge(1, 2, length=100.0)
    path = tmp_path / "plain.graphml"
    nx.write_graphml(graph, path)
    with pytest.raises(NetworkError, match=r"plain\.graphml: GraphML, but not as osmnx\.save_graphml writes it .*"
                                           r"save it with ox\.save_graphml"):
        osm.graphml_graph(path)


# --- osmnx downloads: offline error --------------------------------------

def test_download_without_connection_points_to_osm_file(tmp_path, monkeypatch):
    import osmnx as ox

    monkeypatch.setenv("CURTAIN_CACHE", str(tmp_path / "cache"))
    # closed loopback ports: nothing leaves the machine
    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(ox.settings, "requests_timeout", 2)
    with pytest.raises(NetworkError, match='source = "osm_file"'):
        osm.osm_download_graph(place="Norfolk, Virginia, USA")


# --- generators -----------------------------------------------------------

@pytest.mark.parametrize("build, n_nodes", [
    (lambda rng: grid_network(7, 9, rng=rng), 63),
    (lambda rng: radial_network(5, 8, rng=rng), 41),
    (lambda rng: river_network(6, 8, bridges=2, rng=rng), 48),
    (lambda rng: city_line_network(6, 8, crossings=3, rng=rng), 48),
    (lambda rng: corridor_network(3, town_rows=4, town_cols=4, spacing_km=30, rng=rng), 3 * 16 + 7),
])
def test_generators_are_seeded_connected_and_sized(build, n_nodes):
    a, b = build(np.random.default_rng(1)), build(np.random.default_rng(1))
    assert a.n_nodes == n_nodes
    assert nx.is_strongly_connected(a.graph)
    np.testing.assert_array_equal(a.x, b.x)
    assert all("jurisdiction" in d for *_, d in a.graph.edges(data=True))


@pytest.mark.parametrize("bridges", [1, 2, 4])
def test_river_bridges_are_the_only_links_between_banks(bridges):
    net = river_network(8, 8, bridges=bridges, rng=np.random.default_rng(0))
    west = {n for n, d in net.graph.nodes(data=True) if d["jurisdiction"] == "west-bank"}
    east = set(net.graph.nodes) - west
    # max flow from all of the west bank to all of the east bank, one unit per road
    flow = nx.DiGraph()
    flow.add_edges_from(net.graph.edges(), capacity=1)
    flow.add_edges_from((("W", n) for n in west), capacity=len(west) * 10)
    flow.add_edges_from(((n, "E") for n in east), capacity=len(east) * 10)
    assert nx.maximum_flow_value(flow, "W", "E") == bridges
    crossing = [(u, v) for u, v in net.graph.edges() if (u in west) != (v in west)]
    assert len(crossing) == 2 * bridges


def test_corridor_is_long_and_tagged():
    net = corridor_network(5, town_rows=4, town_cols=4, spacing_km=100, rng=np.random.default_rng(0))
    span_km = (net.x.max() - net.x.min()) / 1000
    assert 400 <= span_km <= 402
    towns = {d["jurisdiction"] for _, d in net.graph.nodes(data=True)}
    assert towns == {"state", "town-1", "town-2", "town-3", "town-4", "town-5"}


@pytest.mark.parametrize("size", [10, 2_500, pytest.param(100_000, marks=pytest.mark.slow)])
def test_grid_sizes(size):
    side = int(np.sqrt(size))
    assert grid_network(side, side, rng=np.random.default_rng(0)).n_nodes == side * side


# --- scenarios with each source --------------------------------------------

def test_scenario_keys_must_fit_the_source(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[network]\nkind = "grid"\nbridges = 3\n')
    with pytest.raises(ScenarioError, match="bridges do\\(es\\) not apply to 'grid'"):
        load_scenario(path)
    path.write_text('[network]\nsource = "tntp"\n')
    with pytest.raises(ScenarioError, match="needs path"):
        load_scenario(path)


def test_scenario_runs_on_tntp_and_osm_file(data, tmp_path):
    data("sioux-falls-net"), data("west-oakland-osm")  # (skip, saying why, when they are not at hand)
    path = tmp_path / "sioux.toml"
    path.write_text('[network]\nsource = "tntp"\npath = "data:sioux-falls-net"\n'
                    '[cameras]\ncount = 10\n[demand]\ntrips = 200\n')
    sim = simulate_scenario(load_scenario(path))
    assert sim.net.n_nodes == 24 and sim.metrics["n_trips"] == 200
    path.write_text('[network]\nsource = "osm_file"\npath = "data:west-oakland-osm"\n'
                    '[cameras]\ncount = 5\n[demand]\ntrips = 100\n')
    sim = simulate_scenario(load_scenario(path))
    assert sim.metrics["n_cameras"] == 5


def test_bz2_written_by_hand_reads(tmp_path):
    _, xml = write_pbf_and_xml(tmp_path)
    packed = tmp_path / "grid.osm.bz2"
    packed.write_bytes(bz2.compress(xml.read_bytes()))
    assert load(osm.osm_file_graph(packed)).n_nodes == 5


def write_two_towns(tmp_path):
    """Two 3 x 3 street grids 7 km apart (lon 10.00 and 10.10) joined by a motorway; polygons around each."""
    import json

    import osmium

    path = tmp_path / "corridor.osm"
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    ways, node_id = [], 1
    for town, lon0 in enumerate((10.0, 10.1)):
        ids = {}
        for r in range(3):
            for c in range(3):
                ids[r, c] = node_id
                writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon0 + c * 0.002, 48.0 + r * 0.002),
                                                        version=1))
                node_id += 1
        ways += [[ids[r, 0], ids[r, 1], ids[r, 2]] for r in range(3)] + [[ids[0, c], ids[1, c], ids[2, c]]
                                                                         for c in range(3)]
    for i, refs in enumerate(ways):
        writer.add_way(osmium.osm.mutable.Way(id=100 + i, nodes=refs, tags={"highway": "residential"}, version=1))
    # motorway from the east side of town A (node 6) to the west side of town B (node 13)
    writer.add_way(osmium.osm.mutable.Way(id=300, nodes=[6, 13], tags={"highway": "motorway", "oneway": "no"},
                                          version=1))
    writer.close()
    polygons = tmp_path / "towns.geojson"
    box = lambda w, e: [[[w, 47.99], [e, 47.99], [e, 48.01], [w, 48.01], [w, 47.99]]]  # noqa: E731
    polygons.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": name}, "geometry": {"type": "Polygon", "coordinates": box(w, e)}}
        for name, w, e in (("town-a", 9.99, 10.05), ("town-b", 10.05, 10.11))]}))
    return path, polygons


def test_real_corridor_file_gets_jurisdictions(tmp_path):
    """Each road's jurisdiction = the polygon holding its midpoint (checked per edge in degrees); motorway → state."""
    path, polygons = write_two_towns(tmp_path)
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        f'[network]\nsource = "osm_file"\npath = "{path.name}"\njurisdiction_polygons = "{polygons.name}"\n'
        'jurisdiction_key = "NAME"\nhighway_jurisdiction = "state"\n'
        '[cameras]\nstrategy = "random"\ncount = 2\njurisdiction = "town-b"\n'
        '[demand]\ntrips = 50\n')
    sim = simulate_scenario(load_scenario(scenario_file))
    lonlat = osm.osm_file_graph(path)
    net = sim.net
    for e in range(net.n_edges):
        u, v, k = net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]], int(net.edge_key[e])
        data = net.graph.edges[u, v, k]
        lon = (lonlat.nodes[u]["x"] + lonlat.nodes[v]["x"]) / 2
        expected = "state" if data["highway"] == "motorway" else ("town-a" if lon < 10.05 else "town-b")
        assert data["jurisdiction"] == expected
    assert {"town-a", "town-b", "state"} == {d["jurisdiction"] for *_, d in net.graph.edges(data=True)}
    # cameras restricted to town-b stand on town-b roads
    from sim.network import edge_jurisdiction

    edges = [net.edge_id(u, v) for u, v in zip(sim.layout["u"], sim.layout["v"])]
    assert set(edge_jurisdiction(net)[edges]) == {"town-b"}


def test_jurisdiction_polygons_without_names(tmp_path):
    path, polygons = write_two_towns(tmp_path)
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(f'[network]\nsource = "osm_file"\npath = "{path.name}"\n'
                             f'jurisdiction_polygons = "{polygons.name}"\n[demand]\ntrips = 10\n')
    with pytest.raises(NetworkError, match=r"towns.geojson: feature 0 has no 'name' property.*jurisdiction_key"):
        simulate_scenario(load_scenario(scenario_file))
