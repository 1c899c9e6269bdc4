"""Real streets cut at a city line: the stubs across it, traffic from outside through them, and the readers on
them (network.city_line, sim/io/city_line.py; the district metrics of sim/metrics/entries.py)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.io.city_line import add_city_line, crossing_nodes
from sim.io.osm import graphml_graph
from sim.metrics.entries import district_entries, entering_edges
from sim.network import from_graph

from conftest import PROJECT


@pytest.fixture(scope="module")
def piedmont(request):
    from conftest import dataset_path

    return graphml_graph(dataset_path("piedmont-ca"))


def test_the_crossings_are_where_osm_counted_more_streets_than_the_network_holds(piedmont):
    counts = {int(k): int(v) for k, v in
              (pair.split(":") for pair in piedmont.graph["streets_per_node"].strip("{}").split(","))}
    by_hand = [n for n in piedmont.nodes
               if counts[n] > len({m for m in nx.all_neighbors(piedmont, n) if m != n})]
    assert sorted(crossing_nodes(piedmont), key=str) == sorted(by_hand, key=str)
    assert len(by_hand) == 48  # of 346 intersections (the largest strongly connected part keeps 46 of them)


def test_stubs_lead_outside_and_the_inside_is_the_city(piedmont):
    from sim.io.osm import project_graph

    graph = project_graph(piedmont.copy())
    crossings = crossing_nodes(graph)
    n = add_city_line(graph, "Piedmont")
    assert n == len(crossings)
    outside = [v for v, d in graph.nodes(data=True) if d.get("outside")]
    assert len(outside) == n and all(graph.nodes[v]["jurisdiction"] == "outside" for v in outside)
    for v in outside:  # each far end joins one crossing, both ways, 60 m away
        (g,) = set(graph.successors(v))
        assert set(graph.predecessors(v)) == {g} and g in crossings and g == -v
        assert np.hypot(graph.nodes[v]["x"] - graph.nodes[g]["x"], graph.nodes[v]["y"] - graph.nodes[g]["y"]) \
            == pytest.approx(60.0)
    assert all(d["jurisdiction"] == "Piedmont" for v, d in graph.nodes(data=True) if not d.get("outside"))


def test_without_street_counts_city_line_is_refused():
    from sim import NetworkError

    graph = nx.MultiDiGraph()
    graph.add_edge(1, 2, length=1.0)
    with pytest.raises(NetworkError, match="street counts"):
        crossing_nodes(graph)


def test_entries_on_a_hand_made_line():
    """A road 0-1-2-3 (two-way) with the district {2, 3}: one way in (1→2). Two trips cross it inbound, one
    stays outside; the reads of one entering trip are on the way in, the other's elsewhere."""
    from sim.routing import Routes

    g = nx.MultiDiGraph(crs="EPSG:32610")
    for i in range(4):
        g.add_node(i, x=100.0 * i, y=0.0)
    for i in range(3):
        g.add_edge(i, i + 1, length=100.0, speed_kph=36.0, highway="residential")
        g.add_edge(i + 1, i, length=100.0, speed_kph=36.0, highway="residential")
    net = from_graph(g)
    mask = np.isin(net.nodes, [2, 3])
    (way_in,) = entering_edges(net, mask)
    assert (net.nodes[net.edge_u[way_in]], net.nodes[net.edge_v[way_in]]) == (1, 2)
    e = {(int(net.nodes[u]), int(net.nodes[v])): i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))}
    routes = [[e[0, 1], e[1, 2], e[2, 3]], [e[1, 2]], [e[0, 1]]]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in routes])])
    trips = pd.DataFrame({"trip_id": [10, 11, 12], "vehicle_id": [0, 1, 2]})
    reads = pd.DataFrame({"trip_id": [10, 11, 12, -1], "edge": [e[1, 2], e[2, 3], e[0, 1], -1]})
    got = district_entries(net, mask, Routes(offsets, np.concatenate(routes), np.zeros(3)), trips, reads,
                           watched=np.array([e[1, 2]]))
    assert got["n_ways_in"] == 1 and got["n_ways_in_camera_free"] == 0
    assert got["n_trips_entering"] == 2 and got["share_trips_entering_read"] == 0.5
    assert got["share_trips_entering_read_n"] == 2
    unwatched = district_entries(net, mask, Routes(offsets, np.concatenate(routes), np.zeros(3)), trips, reads,
                                 watched=np.array([e[0, 1]]))
    assert unwatched["n_ways_in_camera_free"] == 1
    # the district {1, 2, 3}: its way in is edge 0 (0→1), and a read on edge 0 counts (edge −1, a parked read,
    # never does)
    mask = np.isin(net.nodes, [1, 2, 3])
    assert entering_edges(net, mask).tolist() == [e[0, 1]] == [0]
    got = district_entries(net, mask, Routes(offsets, np.concatenate(routes), np.zeros(3)), trips, reads,
                           watched=np.array([0]))
    assert got["n_trips_entering"] == 2 and got["share_trips_entering_read"] == 0.5  # trips 10 and 12; 12 read


def test_piedmont_ring_is_sealed_for_inbound_traffic(tmp_path):
    from conftest import dataset_path

    dataset_path("piedmont-ca")
    scenario = load_scenario(PROJECT / "scenarios" / "piedmont-ring.toml",
                             overrides=["demand.vehicles=1500", "demand.days=2"])
    sim = simulate_scenario(scenario)
    m = sim.metrics
    assert m["district_sealed_in"] is True and m["district_sealed_out"] is False
    assert m["n_ways_in"] == m["n_cameras"] == 46 and m["n_ways_in_camera_free"] == 0
    # every camera stands at the city line: on a stub, reading the way in
    outside = sim.net.outside
    cameras = sim.layout
    u = sim.net.node_indices(cameras["u"])
    assert outside[u].all() and (~outside[sim.net.node_indices(cameras["v"])]).all()
    # cameras.geojson puts each at the last intersection inside the city, in longitude and latitude
    from pyproj import Transformer

    from sim.cameras import layout_geojson

    points = np.array([f["geometry"]["coordinates"] for f in layout_geojson(cameras, sim.net)["features"]])
    v = sim.net.node_indices(cameras["v"])
    lon, lat = Transformer.from_crs(sim.net.crs, "EPSG:4326", always_xy=True).transform(sim.net.x[v], sim.net.y[v])
    assert np.allclose(points[:, 0], lon, atol=1e-6) and np.allclose(points[:, 1], lat, atol=1e-6)
    assert sim.net.graph.nodes[sim.net.nodes[v[0]]]["jurisdiction"] == "Piedmont"
    # traffic from outside comes in: every outsider's first trip starts beyond the line
    persons = sim.tables["vehicles"] if "vehicles" in sim.tables else None
    first = sim.trips.groupby("vehicle_id").head(1)
    starts_outside = outside[sim.net.node_indices(first["origin"])]
    assert starts_outside.any() and not starts_outside.all()
    assert persons is None or len(persons) >= 1500
    # no resident lives outside: homes are inside the city
    homes = sim.net.node_indices(sim.trips.loc[sim.trips["vehicle_id"] < 1500, "origin"])
    assert 0.5 < m["share_trips_entering_read"] <= 1.0
    assert (~outside[homes]).mean() > 0.5


def test_lower_manhattan_readers_stand_on_the_ways_in_from_beyond_the_network():
    """Readers only where a road comes into the district from beyond the network; the streets across Canal
    Street are the camera-free ways in, counted by hand from the network."""
    from conftest import dataset_path

    from sim.district import district_mask
    from sim.metrics.entries import entering_edges

    dataset_path("lower-manhattan-ny")
    scenario = load_scenario(PROJECT / "scenarios" / "lower-manhattan-ring.toml",
                             overrides=["demand.vehicles=1500", "demand.days=1", "metrics.pair_samples=50"])
    sim = simulate_scenario(scenario)
    net, m = sim.net, sim.metrics
    mask = district_mask(net, scenario.cameras.district.model_dump(), scenario.resolve)
    ways_in = entering_edges(net, mask)
    from_beyond = ways_in[net.outside[net.edge_u[ways_in]]]
    assert m["n_cameras"] == len(from_beyond) == 12
    assert m["n_ways_in"] == len(ways_in) and m["n_ways_in_camera_free"] == len(ways_in) - len(from_beyond) > 0
    assert m["district_sealed_in"] is False
    watched = {net.edge_id(u, v, k) for u, v, k in zip(sim.layout["u"], sim.layout["v"], sim.layout["key"])}
    assert watched == set(from_beyond.tolist())
    assert 0 < m["share_trips_entering_read"] < 1


def test_only_city_line_needs_a_cordon_and_a_city_line(tmp_path):
    from sim import CameraError, ScenarioError

    with pytest.raises(ScenarioError, match="only_city_line applies to strategy 'cordon'"):
        load_scenario(overrides=["cameras.only_city_line=true"])
    scenario = load_scenario(overrides=["cameras.strategy='cordon'", "cameras.only_city_line=true",
                                        "cameras.district={ nodes = [0, 1] }", "demand.trips=50"])
    with pytest.raises(CameraError, match="only_city_line needs network.city_line"):
        simulate_scenario(scenario)


def test_the_explorer_draws_piedmonts_real_streets_with_their_latitude_and_longitude():
    from conftest import dataset_path

    from sim.explore import explore_data, explore_html, load_for_explorer
    from sim.geo import to_lonlat

    dataset_path("piedmont-ca")
    sim = simulate_scenario(load_for_explorer(PROJECT / "scenarios" / "piedmont-ring.toml", ["demand.vehicles=300"]))
    data = explore_data(sim)
    lon, lat = to_lonlat(sim.net, sim.net.x, sim.net.y)
    assert len(data["nodes"]["lat"]) == sim.net.n_nodes == len(data["nodes"]["x"])
    assert np.allclose(data["nodes"]["lat"], lat, atol=1e-6) and np.allclose(data["nodes"]["lon"], lon, atol=1e-6)
    assert 37.81 < min(data["nodes"]["lat"]) and max(data["nodes"]["lat"]) < 37.84  # Piedmont, CA
    assert len(data["layout"]) == 46
    page = explore_html(data)
    assert "piedmont-ring" in page and '"lat"' in page
