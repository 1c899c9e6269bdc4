"""Placement strategies against brute force, networkx cuts and hand-built cases."""

from __future__ import annotations

import itertools
import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import CameraError
from sim.cameras import Selection, camera_edges, make_layout, read_cameras_csv, read_cameras_geojson, watch_pairs
from sim.demand import uniform_trips
from sim.district import boundary_edges, is_sealed, seal_cut
from sim.generators import grid_network, river_network
from sim.network import from_graph
from sim.routing import fastest_routes
from sim.placement import (
    coverage, greedy_edges, place_cameras, route_id_edges, route_incidence,
)
from sim.runner import simulate_scenario
from sim.scenario import load_scenario

from conftest import small_scenario


def trip_routes(net, n_trips, seed):
    trips = uniform_trips(net, n_trips, 1, np.random.default_rng(seed))
    return fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))


@pytest.mark.parametrize("seed", range(6))
def test_greedy_is_within_one_minus_one_over_e_of_brute_force(seed):
    net = grid_network(3, 4, rng=np.random.default_rng(seed), one_way_share=0.5)
    routes = trip_routes(net, 40, seed)
    incidence = route_incidence(net, routes)
    k = 3
    best = max(coverage(incidence, np.array(c)) for c in itertools.combinations(range(net.n_edges), k))
    got = coverage(incidence, greedy_edges(net, k, routes))
    assert got >= (1 - 1 / math.e) * best - 1e-12
    assert got <= best + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_greedy_min_reads_is_near_optimal_for_its_surrogate(seed):
    # With min_reads = m greedy maximises sum(min(hits, m)), a submodular
    # function, so it is within (1 - 1/e) of that function's optimum.
    net = grid_network(3, 3, rng=np.random.default_rng(seed))
    routes = trip_routes(net, 30, seed)
    incidence = route_incidence(net, routes).toarray()

    def surrogate(edges):
        return np.minimum(incidence[:, list(edges)].sum(axis=1), 2).sum()

    k = 4
    best = max(surrogate(c) for c in itertools.combinations(range(net.n_edges), k))
    got = surrogate(greedy_edges(net, k, routes, min_reads=2))
    assert (1 - 1 / math.e) * best <= got <= best


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 20))
def test_share_of_trips_read_never_falls_when_a_camera_is_added(seed, n):
    net = grid_network(5, 5, rng=np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    edges = rng.choice(net.n_edges, size=n + 1, replace=False)
    sim_small = small_sim(net, edges[:n], seed)
    sim_large = small_sim(net, edges, seed)
    assert sim_large >= sim_small


def small_sim(net, edges, seed):
    from sim.reads import read_passes
    from sim.routing import route_crossings
    from sim.traffic import simulate
    from datetime import datetime

    layout = make_layout(net, np.asarray(edges, dtype=np.int64), read_rate=1.0)
    trips = uniform_trips(net, 80, 1, np.random.default_rng(seed))
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    timed, passes = simulate(trips, routes, route_crossings(net, routes, *watch_pairs(layout, net)))
    reads = read_passes(passes, timed, layout, datetime(2023, 1, 1), np.random.default_rng(0))
    return reads["trip_id"].nunique() / len(trips)


def networkx_min_cut_size(net, mask, outside):
    """Minimum edge cut between district and outside with networkx on an undirected simple graph.

    Super nodes join each side through many node-disjoint two-step paths, so
    that cutting them never pays."""
    g = nx.Graph()
    g.add_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist()))
    width = net.n_edges + 1
    for side, nodes in (("S", np.flatnonzero(mask)), ("T", np.flatnonzero(outside))):
        for n in nodes:
            for j in range(width):
                g.add_edge(side, (side, int(n), j))
                g.add_edge((side, int(n), j), int(n))
    return len(nx.minimum_edge_cut(g, "S", "T"))


@pytest.mark.parametrize("seed, nodes", [(0, [5, 6, 9, 10]), (1, [0, 1, 4]), (2, [6, 7, 10, 11, 14])])
def test_curtain_seals_the_district_with_a_minimum_cut(seed, nodes):
    net = grid_network(4, 4, rng=np.random.default_rng(seed), one_way_share=0.0)
    mask = np.isin(net.nodes, nodes)
    layout = place_cameras(net, "curtain", count=0, read_rate=1.0, rng=np.random.default_rng(0), district=mask)
    watched = watch_pairs(layout, net)[1]
    assert is_sealed(net, mask, watched)
    assert len(layout) == networkx_min_cut_size(net, mask, ~mask)
    # one fewer camera is never enough
    for drop in range(len(layout)):
        fewer = watch_pairs(layout.drop(index=drop), net)[1]
        assert not is_sealed(net, mask, fewer)


def test_four_cameras_fence_in_a_neighbourhood_with_four_ways_out():
    # The east bank of a river city is reachable only over 4 bridges: fencing a
    # district there off from the west bank takes 4 cameras on the bridges,
    # far fewer than watching the district's own boundary.
    net = river_network(8, 8, bridges=4, one_way_share=0.0, rng=np.random.default_rng(3))
    east = np.array([net.graph.nodes[n]["jurisdiction"] == "east-bank" for n in net.nodes])
    district = east & (net.x > np.percentile(net.x[east], 60))
    layout = place_cameras(net, "curtain", count=0, read_rate=1.0, rng=np.random.default_rng(0),
                           district=district, outside=~east)
    assert len(layout) == 4
    assert set(layout["direction"]) == {"both"}
    far = ~east
    assert is_sealed(net, district, watch_pairs(layout, net)[1], far)
    assert len(seal_cut(net, district)) > 4  # sealing at its own boundary costs more


def test_cordon_watches_every_crossing_edge_and_nothing_inside():
    net = grid_network(6, 6, rng=np.random.default_rng(0))
    mask = np.isin(net.nodes, [14, 15, 20, 21])
    layout = place_cameras(net, "cordon", count=0, read_rate=1.0, rng=np.random.default_rng(0), district=mask)
    watched = set(watch_pairs(layout, net)[1].tolist())
    crossing = {e for e in range(net.n_edges) if mask[net.edge_u[e]] != mask[net.edge_v[e]]}
    assert watched == crossing == set(boundary_edges(net, mask).tolist())
    inside = {e for e in range(net.n_edges) if mask[net.edge_u[e]] and mask[net.edge_v[e]]}
    assert not watched & inside


def test_route_id_distinguishes_every_route():
    net = grid_network(4, 4, rng=np.random.default_rng(1))
    routes = trip_routes(net, 40, 2)
    edges, share = route_id_edges(net, net.n_edges, routes)
    assert share == 1.0
    signatures = {}
    for i in range(len(routes.travel_time)):
        route = frozenset(routes.route(i).tolist())
        signature = frozenset(route & set(edges.tolist()))
        assert signatures.setdefault(signature, route) == route  # same cameras ⇒ same route
    assert len(edges) < net.n_edges  # it needs far fewer than every edge


@pytest.mark.parametrize("strategy", ["random", "betweenness", "volume", "greedy", "route_id"])
def test_same_seed_same_layout(strategy):
    a = simulate_scenario(small_scenario(f"cameras.strategy='{strategy}'")).layout
    b = simulate_scenario(small_scenario(f"cameras.strategy='{strategy}'")).layout
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 12


def test_volume_picks_the_busiest_edges():
    net = grid_network(5, 5, rng=np.random.default_rng(0))
    routes = trip_routes(net, 200, 0)
    volume = np.bincount(routes.edges, minlength=net.n_edges)
    layout = place_cameras(net, "volume", count=5, read_rate=1.0, rng=np.random.default_rng(0), routes=routes)
    chosen = [net.edge_id(u, v, k) for u, v, k in layout[["u", "v", "key"]].itertuples(index=False)]
    assert sorted(volume[chosen]) == sorted(np.sort(volume)[-5:])


def test_count_larger_than_edges_is_a_clear_error():
    net = grid_network(3, 3, rng=np.random.default_rng(0))
    with pytest.raises(CameraError, match=f"cameras.count = 999 but the network has {net.n_edges} edges"):
        place_cameras(net, "random", count=999, read_rate=1.0, rng=np.random.default_rng(0))


def test_bad_camera_csv_lists_every_bad_row(tmp_path):
    net = grid_network(3, 3, rng=np.random.default_rng(0))
    path = tmp_path / "cams.csv"
    path.write_text("camera_id,u,v,key,direction,read_rate\n"
                    "a,0,1,0,forward,0.9\n"
                    "b,0,1,0,sideways,0.9\n"
                    "c,0,1,0,forward,1.5\n"
                    "d,0,8,0,forward,0.5\n")
    with pytest.raises(CameraError) as info:
        read_cameras_csv(path, net)
    message = str(info.value)
    # each bad row named by its line in the file (the header is line 1) with the value it holds
    assert "cams.csv" in message and "line 3 ('sideways'): direction" in message
    assert "line 4 (1.5): read_rate" in message
    path.write_text("camera_id,u,v,key,direction,read_rate\na,0,8,0,forward,0.5\n")
    with pytest.raises(CameraError, match=r"line 2 \('0, 8, 0'\): \(u, v, key\) is not an edge of the network"):
        read_cameras_csv(path, net)


def test_a_camera_with_no_edge_to_watch_is_named_by_its_id():
    """camera_edges is given selections of a layout (watch_pairs): its error names cameras by id, not by a row of
    the selection. Camera "one-way" watches backward on a road that runs one way only."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for i in range(3):
        g.add_node(i, x=100.0 * i, y=0.0)
    g.add_edge(0, 1, highway="residential")
    g.add_edge(1, 0, highway="residential")
    g.add_edge(1, 2, highway="residential")
    net = from_graph(g)
    layout = pd.DataFrame({"camera_id": ["two-way", "one-way"], "u": [0, 1], "v": [1, 2], "key": [0, 0],
                           "direction": "backward", "read_rate": 1.0})
    with pytest.raises(CameraError, match="^camera_id one-way: no backward edge to watch$"):
        camera_edges(layout, net, "backward")


def test_a_bad_camera_csv_names_the_lines_an_editor_shows(tmp_path):
    """A camera file with a blank line, a quoted id over two lines and a repeated id: each problem names the line
    on which an editor shows its row (counted from the header, line 1), not the row's position in the table."""
    net = grid_network(3, 3, rng=np.random.default_rng(0))
    lines = ["camera_id,u,v,key,direction,read_rate",  # line 1
             "a,0,1,0,forward,0.9",
             "",
             "b,1,2,0,forward,0.9",                    # line 4
             '"c',
             'd",1,2,0,forward,2.0',                   # a row on lines 5-6, its rate out of range
             "b,0,3,0,sideways,0.9"]                   # line 7: b again, and a bad direction
    path = tmp_path / "cams.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CameraError) as info:
        read_cameras_csv(path, net)
    message = str(info.value)
    assert "lines 4 ('b'), 7 ('b'): camera_id is repeated" in message
    assert "line 5 (2): read_rate must be a number between 0 and 1" in message
    assert "line 7 ('sideways'): direction must be" in message


# --- real camera maps --------------------------------------------------------

def buffalo_grid(features):
    """A 200 m street grid covering the Buffalo cameras, in UTM 17N metres."""
    from pyproj import Transformer

    buffalo = [f for f in features if "Buffalo" in str(f["properties"].get("operator"))]
    lon = np.array([f["geometry"]["coordinates"][0] for f in buffalo])
    lat = np.array([f["geometry"]["coordinates"][1] for f in buffalo])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32617", always_xy=True).transform(lon, lat)
    x0, y0 = x.min() - 300, y.min() - 300
    cols, rows = int((x.max() - x0) // 200) + 3, int((y.max() - y0) // 200) + 3
    g = nx.MultiDiGraph(crs="EPSG:32617")
    for r in range(rows):
        for c in range(cols):
            g.add_node(r * cols + c, x=x0 + c * 200.0, y=y0 + r * 200.0)
    for r in range(rows):
        for c in range(cols):
            n = r * cols + c
            for m in ([n + 1] if c + 1 < cols else []) + ([n + cols] if r + 1 < rows else []):
                g.add_edge(n, m, highway="residential")
                g.add_edge(m, n, highway="residential")
    return from_graph(g), len(buffalo)


def point_segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def test_real_alpr_points_snap_to_the_nearest_edge_or_are_reported(data):
    from pyproj import Transformer

    path = data("deflock-new-york")
    features = json.loads(path.read_text())["features"]
    net, n_buffalo = buffalo_grid(features)
    layout, unsnapped = read_cameras_geojson(path, net, max_snap_m=50.0)
    assert len(layout) + len(unsnapped) == len(features) == 625
    assert 0 < len(layout) <= n_buffalo
    # brute force: distance of every point to every edge
    lon = np.array([f["geometry"]["coordinates"][0] for f in features])
    lat = np.array([f["geometry"]["coordinates"][1] for f in features])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32617", always_xy=True).transform(lon, lat)
    ax, ay = net.x[net.edge_u], net.y[net.edge_u]
    bx, by = net.x[net.edge_v], net.y[net.edge_v]
    nearest = np.array([point_segment_distance(px, py, ax, ay, bx, by).min() for px, py in zip(x, y)])
    ids = np.array([f"osm-{f['properties']['id']}" for f in features])
    assert set(layout["camera_id"]) == set(ids[nearest <= 50.0])
    np.testing.assert_allclose(layout["snap_m"].to_numpy(),
                               nearest[pd.Index(ids).get_indexer(layout["camera_id"])], atol=1e-6)
    operator_of = {f"osm-{f['properties']['id']}": f["properties"].get("operator") or "unknown" for f in features}
    assert layout["operator"].tolist() == [operator_of[c] for c in layout["camera_id"]]
    assert (layout["operator"] == "Buffalo Police Department").mean() > 0.9


def east_road():
    """A two-way road running east from node 0 to node 1 (400 m, UTM 18N), and (lon, lat) of a point 10 m off it."""
    from pyproj import Transformer

    g = nx.MultiDiGraph(crs="EPSG:32618")
    g.add_node(0, x=500_000.0, y=4_500_000.0)
    g.add_node(1, x=500_400.0, y=4_500_000.0)
    g.add_edge(0, 1, highway="residential")
    g.add_edge(1, 0, highway="residential")
    lon, lat = Transformer.from_crs("EPSG:32618", "EPSG:4326", always_xy=True).transform(500_200.0, 4_500_010.0)
    return from_graph(g), lon, lat


def test_direction_tag_picks_the_travel_direction(tmp_path):
    net, lon, lat = east_road()
    tags = ["90", "W", "90;270", None]
    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"id": i, "direction": t, "tags": {"manufacturer": "Flock Safety"}}}
        for i, t in enumerate(tags)]}))
    layout, unsnapped = read_cameras_geojson(path, net)
    assert len(unsnapped) == 0
    east_on = [(u, v) == (0, 1) for u, v in zip(layout["u"], layout["v"])]
    travel = [("east" if (d == "forward") == e else "west") if d != "both" else "both"
              for d, e in zip(layout["direction"], east_on)]
    assert travel == ["east", "west", "both", "both"]
    assert set(layout["vendor"]) == {"Flock Safety"}
    assert set(layout["misread_rate"]) == {0.0}  # a map says nothing of misreads: the group's rate, 0 by default
    assert set(read_cameras_geojson(path, net, misread_rate=0.02)[0]["misread_rate"]) == {0.02}


@pytest.mark.parametrize("first_group, named", [
    ('strategy = "file"\npath = "a.csv"', "cameras (a.csv)"),  # two files: found by the checks, before routing
    ("count = 3", "cameras (cam)"),  # a placed group (ids cam-0001 …): found once its cameras are placed
])
def test_an_id_in_two_camera_groups_is_named_with_the_groups_not_a_row_of_their_union(tmp_path, first_group,
                                                                                        named):
    """b.csv reuses ids of the first group. Each file is right on its own; the problem is named by the id and
    the two groups holding it, not by rows of the groups' combined table (row 4 of no file)."""
    (tmp_path / "a.csv").write_text("camera_id,u,v,key,direction,read_rate\ncam-0001,0,1,0,forward,0.9\n"
                                    "cam-0002,1,2,0,forward,0.9\ncam-0003,2,3,0,forward,0.9\n")
    (tmp_path / "b.csv").write_text("camera_id,u,v,key,direction,read_rate\ncam-0003,4,5,0,forward,0.9\n"
                                    "cam-0002,5,6,0,forward,0.9\n")
    (tmp_path / "s.toml").write_text(f'name = "two-groups"\n[network]\nrows = 4\ncols = 4\n[demand]\ntrips = 50\n'
                                     f'[cameras]\n{first_group}\n'
                                     '[[camera_groups]]\nstrategy = "file"\npath = "b.csv"\n')
    with pytest.raises(ValueError) as info:
        simulate_scenario(load_scenario(tmp_path / "s.toml"))
    message = str(info.value)
    assert f"camera_id 'cam-0002', 'cam-0003' in {named} and camera_groups[0] (b.csv): ids must be unique " \
           "across camera groups" in message
    assert "rows" not in message


def test_a_camera_files_cameras_take_what_the_file_leaves_out_from_their_group(tmp_path):
    """A camera CSV with the six required columns, in a scenario whose [cameras] group names the operator "city"
    (declared), a vendor and a misread rate: its cameras are the city's, with that vendor and rate. A second file
    with an operator column names the county for one camera and leaves the other's cell empty: the file's
    operator where it gives one, the group's where it does not."""
    (tmp_path / "cams.csv").write_text("camera_id,u,v,key,direction,read_rate\nc1,0,1,0,forward,0.9\n"
                                       "c2,1,2,0,forward,0.9\n")
    (tmp_path / "mixed.csv").write_text("camera_id,u,v,key,direction,read_rate,operator\n"
                                        "c1,0,1,0,forward,0.9,county\nc2,1,2,0,forward,0.9,\n")
    text = ('name = "file-cams"\n[network]\nrows = 4\ncols = 4\n[demand]\ntrips = 50\n'
            '[cameras]\nstrategy = "file"\npath = "cams.csv"\noperator = "city"\nvendor = "Acme"\n'
            'misread_rate = 0.01\n[[operators]]\nname = "city"\nretention_days = 30\n'
            '[[operators]]\nname = "county"\nretention_days = 30\n')
    (tmp_path / "s.toml").write_text(text)
    layout = simulate_scenario(load_scenario(tmp_path / "s.toml")).layout
    assert layout[["operator", "vendor", "misread_rate"]].values.tolist() == [["city", "Acme", 0.01]] * 2
    (tmp_path / "s.toml").write_text(text.replace('path = "cams.csv"', 'path = "mixed.csv"'))
    assert simulate_scenario(load_scenario(tmp_path / "s.toml")).layout["operator"].tolist() == ["county", "city"]


def test_a_camera_geojson_names_the_features_of_the_file(tmp_path):
    """Two points with the same id, features 1 and 4 of the file: the message names those, not their rows among
    the cameras placed (feature 2 lies too far from the road to be placed, feature 3 is selected out)."""
    net, lon, lat = east_road()

    def point(i, lon, operator="city"):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": i, "operator": operator}}

    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        point(1, lon), point(2, lon + 0.5), point(3, lon, "county"), point(1, lon)]}))
    with pytest.raises(CameraError, match=r"\(features counted from 1.*\n  features 1 \('osm-1'\), 4 \('osm-1'\): "
                                          "camera_id is repeated"):
        read_cameras_geojson(path, net, selection=Selection(operator="city"))


def test_a_camera_geojson_point_without_an_id_is_named_by_its_feature_in_the_file(tmp_path):
    """Features without an id are osm-<feature number>: the same camera keeps its id whatever a selection keeps,
    and the id agrees with the feature a message names (feature 3 was 'osm-2' once feature 1 was selected out)."""
    net, lon, lat = east_road()
    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {"operator": op}}
        for op in ("county", "city", "city")]}))
    assert read_cameras_geojson(path, net)[0]["camera_id"].tolist() == ["osm-1", "osm-2", "osm-3"]
    selected = read_cameras_geojson(path, net, selection=Selection(operator="city"))[0]
    assert selected["camera_id"].tolist() == ["osm-2", "osm-3"]


def test_geojson_that_is_not_points(tmp_path):
    net = grid_network(3, 3, rng=np.random.default_rng(0))
    path = tmp_path / "lines.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}}]}))
    with pytest.raises(CameraError, match=r"lines.geojson: feature 1: not a Point.*\(features counted from 1"):
        read_cameras_geojson(path, net)


@pytest.mark.parametrize("strategy", ["curtain", "cordon"])
def test_scenario_with_a_district_reports_the_seal(strategy):
    sim = simulate_scenario(small_scenario(f"cameras.strategy='{strategy}'",
                                           "cameras.district={nodes=[27, 28, 35, 36]}",
                                           "network.one_way_share=0.0"))
    m = sim.metrics
    assert m["district_sealed"] is True
    assert m["min_cut_to_seal_district"] == 8  # a 2 x 2 block inside a grid: 8 streets leave it
    assert m["n_cameras"] == (8 if strategy == "curtain" else 16)
    assert m["district_fence_cameras"] == m["n_cameras"]


def test_a_fence_from_a_file_is_counted_from_where_it_stands_and_a_gap_unseals_it(tmp_path):
    """The cordon's 16 cameras written to a CSV and read back (ids renamed, so no prefix can tell): the fence
    still counts 16; without one camera the district is no longer sealed, in that camera's direction only."""
    fence = ["cameras.district={nodes=[27, 28, 35, 36]}", "network.one_way_share=0.0"]
    layout = simulate_scenario(small_scenario("cameras.strategy='cordon'", *fence)).layout
    inside = {27, 28, 35, 36}
    renamed = layout.assign(camera_id=[f"pole{i}" for i in range(len(layout))])
    full, gap = tmp_path / "fence.csv", tmp_path / "gap.csv"
    renamed.to_csv(full, index=False)
    # drop one camera reading traffic that leaves the district (its road's tail is inside)
    leaving = [i for i, (u, v) in enumerate(zip(layout["u"], layout["v"])) if u in inside and v not in inside]
    renamed.drop(index=leaving[0]).to_csv(gap, index=False)
    m = simulate_scenario(small_scenario("cameras.strategy='file'", f"cameras.path='{full}'", *fence)).metrics
    assert (m["district_fence_cameras"], m["district_sealed"]) == (16, True)
    m = simulate_scenario(small_scenario("cameras.strategy='file'", f"cameras.path='{gap}'", *fence)).metrics
    assert m["district_fence_cameras"] == 15
    assert (m["district_sealed"], m["district_sealed_in"], m["district_sealed_out"]) == (False, True, False)


def test_installed_and_removed_times_limit_reads(tmp_path):
    from sim.cameras import not_installed

    net = grid_network(3, 3, rng=np.random.default_rng(0))
    path = tmp_path / "cams.csv"
    path.write_text("camera_id,u,v,key,direction,read_rate,installed_s,removed_s\n"
                    "a,0,1,0,forward,1.0,100,\n"
                    "b,1,2,0,forward,1.0,,500\n")
    layout = read_cameras_csv(path, net)
    passes = pd.DataFrame({"camera": [0, 0, 1, 1], "time_s": [50.0, 150.0, 499.0, 500.0]})
    assert not_installed(passes, layout).tolist() == [True, False, False, True]
    path.write_text("camera_id,u,v,key,direction,read_rate,installed_s,removed_s\na,0,1,0,forward,1.0,9,5\n")
    with pytest.raises(CameraError, match="line 2: removed_s must come after installed_s"):
        read_cameras_csv(path, net)


def test_budget_sets_the_camera_count():
    from sim.scenario import load_scenario
    from sim import ScenarioError

    shrink = ["network.rows=8", "network.cols=8", "demand.trips=200", "metrics.pair_samples=50"]
    sim = simulate_scenario(load_scenario(overrides=shrink + ["cameras.budget=50000", "cameras.cost_per_camera=7000"]))
    assert sim.metrics["n_cameras"] == 7  # 50,000 buys 7 cameras at 7,000
    assert load_scenario(overrides=["cameras.budget=10", "cameras.cost_per_camera=3"]).cameras.count == 3
    with pytest.raises(ScenarioError, match="budget and cost_per_camera go together"):
        load_scenario(overrides=["cameras.budget=10"])


def test_polygon_district_holds_exactly_the_nodes_inside(tmp_path):
    from pyproj import Transformer

    from sim.district import district_mask

    from sim.geo import place_on_earth

    net = place_on_earth(grid_network(6, 6, rng=np.random.default_rng(0)), 36.85, -76.29)
    # a box around the middle in projected metres, written as longitude/latitude
    x0, x1 = np.percentile(net.x, [30, 70])
    y0, y1 = np.percentile(net.y, [30, 70])
    to_lonlat = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True).transform
    ring = [list(to_lonlat(x, y)) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    mask = district_mask(net, {"polygon": str(path)})
    inside = (net.x > x0) & (net.x < x1) & (net.y > y0) & (net.y < y1)
    assert mask.sum() > 0
    assert (mask == inside).all()
    with pytest.raises(CameraError, match="nothere.geojson: polygon file not found"):
        district_mask(net, {"polygon": str(tmp_path / "nothere.geojson")})
    with pytest.raises(CameraError, match="area.geojson gives longitude/latitude, but the network is a synthetic"):
        district_mask(grid_network(6, 6, rng=np.random.default_rng(0)), {"polygon": str(path)})


# --- spacing and intersection sites ------------------------------------------------------------------------

def site_xy(net, edges, site):
    edges = np.asarray(edges)
    if site == "intersection":
        return np.column_stack([net.x[net.edge_v[edges]], net.y[net.edge_v[edges]]]), net.edge_v[edges]
    return (np.column_stack([(net.x[net.edge_u[edges]] + net.x[net.edge_v[edges]]) / 2,
                             (net.y[net.edge_u[edges]] + net.y[net.edge_v[edges]]) / 2]), edges)


@pytest.mark.parametrize("strategy", ["random", "betweenness", "volume", "greedy"])
@pytest.mark.parametrize("site, approaches", [("edge", 1), ("intersection", 1), ("intersection", 2)])
def test_no_two_sites_of_a_group_closer_than_the_spacing(strategy, site, approaches):
    from sim.placement import Placement, place_camera_group

    net = grid_network(12, 12, rng=np.random.default_rng(2), block_m=100)
    trips = uniform_trips(net, 400, 1, np.random.default_rng(3))
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    placement = Placement(strategy, count=12, read_rate=1.0, min_spacing_m=250, site=site, approaches=approaches)
    layout, report = place_camera_group(net, placement, rng=np.random.default_rng(4), routes=routes)
    edges = [net.edge_id(u, v, k) for u, v, k in zip(layout["u"], layout["v"], layout["key"])]
    xy, sites = site_xy(net, edges, site)
    assert len(layout) == 12
    for i in range(len(edges)):  # brute force over every pair
        for j in range(i + 1, len(edges)):
            if sites[i] != sites[j]:
                assert np.hypot(*(xy[i] - xy[j])) >= 250
    assert max(np.unique(sites, return_counts=True)[1]) <= approaches
    distinct = {s: xy[i] for i, s in enumerate(sites)}
    pts = np.array(list(distinct.values()))
    closest = min(np.hypot(*(pts[i] - pts[j])) for i in range(len(pts)) for j in range(i + 1, len(pts)))
    assert report["nearest_site_m"] == pytest.approx(closest)


def test_spacing_turns_down_the_candidates_a_hand_count_does():
    """Volume placement with spacing equals walking the roads busiest first and keeping those far enough."""
    from sim.placement import Placement, edge_volume, place_camera_group

    net = grid_network(10, 10, rng=np.random.default_rng(5), block_m=120)
    trips = uniform_trips(net, 500, 1, np.random.default_rng(6))
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    layout, report = place_camera_group(net, Placement("volume", count=8, read_rate=1.0, min_spacing_m=300),
                                        rng=np.random.default_rng(0), routes=routes)
    volume = edge_volume(net, routes)
    xy, _ = site_xy(net, np.arange(net.n_edges), "edge")
    kept, turned_down = [], 0
    for e in sorted(range(net.n_edges), key=lambda e: (-volume[e], e)):
        if len(kept) == 8:
            break
        if all(np.hypot(*(xy[e] - xy[k])) >= 300 for k in kept):
            kept.append(e)
        else:
            turned_down += 1
    placed = sorted(net.edge_id(u, v, k) for u, v, k in zip(layout["u"], layout["v"], layout["key"]))
    assert placed == sorted(kept)
    assert report["n_prevented"] == turned_down > 0


def test_a_count_that_does_not_fit_the_spacing_is_a_clear_error():
    net = grid_network(4, 4, rng=np.random.default_rng(0), block_m=100)
    with pytest.raises(CameraError, match=r"only \d+ of 30 cameras fit 500 m apart.*lower min_spacing_m"):
        place_cameras(net, "random", count=30, read_rate=1.0, rng=np.random.default_rng(0), min_spacing_m=500)


def test_the_default_spacing_comes_from_norfolks_mapped_cameras(data):
    """DEFAULT_MIN_SPACING_M: median distance from a Norfolk ALPR site (cameras within 80 m merged) to the next."""
    import json

    from pyproj import Transformer
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    from sim.placement import DEFAULT_MIN_SPACING_M
    from sim.scenario import CameraSpec

    features = json.loads(data("deflock-virginia").read_text())["features"]
    lonlat = np.array([f["geometry"]["coordinates"][:2] for f in features])
    norfolk = (lonlat[:, 0] > -76.35) & (lonlat[:, 0] < -76.17) & (lonlat[:, 1] > 36.82) & (lonlat[:, 1] < 36.97)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32618", always_xy=True).transform(*lonlat[norfolk].T)
    points = np.column_stack([x, y])
    pairs = np.array(sorted(cKDTree(points).query_pairs(80.0)))
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(points),) * 2)
    n_sites, label = connected_components(graph, directed=False)
    centres = np.array([points[label == i].mean(axis=0) for i in range(n_sites)])
    nearest = cKDTree(centres).query(centres, k=2)[0][:, 1]
    assert n_sites > 100
    assert np.median(nearest) == pytest.approx(DEFAULT_MIN_SPACING_M, rel=0.05)
    assert CameraSpec().min_spacing_m == DEFAULT_MIN_SPACING_M


# --- which nodes a district holds, by hand -------------------------------------------------------------------------

def test_a_district_of_listed_nodes_may_hold_the_first_node_and_names_every_unknown_one():
    from sim import CameraError
    from sim.district import district_mask

    net = grid_network(4, 4, jitter_m=0, rng=np.random.default_rng(0))
    assert np.flatnonzero(district_mask(net, {"nodes": [0, 1]})).tolist() == [0, 1]  # node index 0 is a node
    unknown = list(range(100, 112))  # twelve unknown ids: the message lists the first ten, and only those
    with pytest.raises(CameraError) as error:
        district_mask(net, {"nodes": [5, *unknown]})
    assert str(error.value) == f"district.nodes: {unknown[:10]} are not nodes of the network"


def test_a_district_by_centre_and_radius_holds_the_nodes_within_it_edge_included():
    from sim import CameraError
    from sim.district import district_mask

    net = grid_network(5, 5, jitter_m=0, rng=np.random.default_rng(0))
    cx, cy = float(net.x[12]), float(net.y[12])
    radius = float(np.hypot(net.x[13] - cx, net.y[13] - cy))  # exactly one block: the four neighbours lie on it
    by_hand = [i for i in range(net.n_nodes) if ((net.x[i] - cx) ** 2 + (net.y[i] - cy) ** 2) ** 0.5 <= radius]
    assert len(by_hand) == 5
    assert np.flatnonzero(district_mask(net, {"center": [cx, cy], "radius_m": radius})).tolist() == by_hand
    with pytest.raises(CameraError, match=r"^district.center needs radius_m \(metres\)$"):
        district_mask(net, {"center": [cx, cy]})
    with pytest.raises(CameraError, match="contains no node"):
        district_mask(net, {"center": [cx + 1e6, cy], "radius_m": 10.0})
    with pytest.raises(CameraError, match="contains every node"):
        district_mask(net, {"center": [cx, cy], "radius_m": 1e7})


def test_a_district_by_jurisdiction_holds_the_nodes_tagged_with_it():
    from sim.district import district_mask

    net = grid_network(4, 4, jitter_m=0, rng=np.random.default_rng(0))
    for n in list(net.graph.nodes)[:6]:
        net.graph.nodes[n]["jurisdiction"] = "Ville"
    assert district_mask(net, {"jurisdiction": "Ville"}).sum() == 6
    assert np.flatnonzero(district_mask(net, {"jurisdiction": "Ville"})).tolist() == [
        i for i, n in enumerate(net.nodes) if net.graph.nodes[n].get("jurisdiction") == "Ville"]


def parallel_and_single_roads(k: int, m: int):
    """A district (node 0) joined to node 1 by k parallel two-way roads; node 1 joined to the outside (node 99)
    by m separate two-way roads, each through its own node. The fewest segments to watch: min(k, m)."""
    import networkx as nx

    from sim.network import from_graph

    g = nx.MultiDiGraph(crs="EPSG:32618")
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=100.0, y=0.0)
    g.add_node(99, x=300.0, y=0.0)
    for key in range(k):
        g.add_edge(0, 1, key=key, length=100.0, travel_time=10.0)
        g.add_edge(1, 0, key=key, length=100.0, travel_time=10.0)
    for i in range(m):
        via = 10 + i
        g.add_node(via, x=200.0, y=50.0 * i)
        for a, b in ((1, via), (via, 99)):
            g.add_edge(a, b, key=0, length=100.0, travel_time=10.0)
            g.add_edge(b, a, key=0, length=100.0, travel_time=10.0)
    net = from_graph(g)
    mask = np.isin(net.nodes, [0])
    outside = np.isin(net.nodes, [99])
    return net, mask, outside


@pytest.mark.parametrize("k, m", [(3, 4), (4, 3), (2, 2)])
def test_parallel_roads_each_count_in_the_cut(k, m):
    """By hand: the cheaper of k parallel segments (next to the district) and m separate ones (further out)."""
    from sim.district import directed_seal_cuts, seal_cut

    net, mask, outside = parallel_and_single_roads(k, m)
    assert len(seal_cut(net, mask, outside=outside)) == min(k, m)
    ways_out, ways_in = directed_seal_cuts(net, mask, outside=outside)
    assert (len(ways_out), len(ways_in)) == (min(k, m), min(k, m))
    # the cut stands where it is cheaper: next to the district when k < m, further out when m < k
    cut_nodes = {int(n) for e in seal_cut(net, mask, outside=outside) for n in (net.edge_u[e], net.edge_v[e])}
    if k < m:
        assert cut_nodes == {0, 1}
    elif m < k:
        assert 0 not in cut_nodes


def test_nodes_beyond_the_buffer_are_outside_and_the_fence_may_stand_within_it():
    """A 5 x 5 grid of 100 m blocks, the district its middle node. Outside with buffer_m = 100: nodes more than
    100 m away (the 4 neighbours at exactly 100 m are not): 25 - 1 - 4 = 20. With 150 m the 4 diagonal
    neighbours (141 m) are within too: 16. Sealing the middle node alone takes 4 segments; the same count
    with the buffer (the fence may stand on the ring, 4 segments still the fewest)."""
    from sim import CameraError
    from sim.district import far_from, seal_cut

    net = grid_network(5, 5, jitter_m=0, one_way_share=0, block_m=100, rng=np.random.default_rng(0))
    mask = np.isin(net.nodes, [12])
    assert int(far_from(net, mask, 100.0).sum()) == 20 and not far_from(net, mask, 100.0)[mask].any()
    assert int(far_from(net, mask, 150.0).sum()) == 16
    assert far_from(net, mask, 0).tolist() == (~mask).tolist()
    assert len(seal_cut(net, mask)) == 4
    # outside given explicitly: only the corners; a district node is never outside
    corners = np.isin(net.nodes, [0, 4, 20, 24, 12])
    assert len(seal_cut(net, mask, outside=corners)) == 4
    with pytest.raises(CameraError, match=r"^no node lies more than buffer_m = 1000.0 m from the district$"):
        far_from(net, mask, 1000.0)


def test_the_district_errors_say_what_is_wrong_in_full():
    from sim import CameraError
    from sim.district import district_mask

    net = grid_network(4, 4, jitter_m=0, rng=np.random.default_rng(0))
    with pytest.raises(CameraError) as error:
        district_mask(net, {"nodes": [0, 100]})  # node index 0 is known: only 100 is named
    assert str(error.value) == "district.nodes: [100] are not nodes of the network"
    with pytest.raises(CameraError) as error:
        district_mask(net, {})
    assert str(error.value) == "a district needs nodes, polygon, center + radius_m, or jurisdiction"
    with pytest.raises(CameraError) as error:
        district_mask(net, {"center": [1e7, 1e7], "radius_m": 1.0})
    assert str(error.value) == "the district {'center': [10000000.0, 10000000.0], 'radius_m': 1.0} contains no " \
                               "node of the network"
    with pytest.raises(CameraError) as error:
        district_mask(net, {"nodes": list(range(16))})
    assert str(error.value).endswith("contains every node; nothing is outside it")


def test_a_self_loop_road_does_not_stop_the_cut_from_seeing_the_others():
    """OpenStreetMap has roads that start and end at one node (a turning loop). One at the district's node, the
    first segment in order, must be skipped, not end the count: 4 parallel roads next to the district and 3
    further out still take 3 (were the loop to end the count, no road would be seen and the 4 next to the
    district would be returned)."""
    from sim.district import seal_cut
    from sim.network import from_graph

    net, mask, outside = parallel_and_single_roads(4, 3)
    g = net.graph.copy()
    g.add_edge(0, 0, key=0, length=50.0, travel_time=5.0)
    looped = from_graph(g)
    assert len(seal_cut(looped, np.isin(looped.nodes, [0]), outside=np.isin(looped.nodes, [99]))) == 3
