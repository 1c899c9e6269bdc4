"""Traffic and reads against hand-computed and brute-force answers."""

from __future__ import annotations

from datetime import datetime

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.cameras import make_layout, watch_pairs
from sim.demand import uniform_trips
from sim.routing import fastest_routes
from sim.reads import read_passes
from sim.routing import route_crossings
from sim.traffic import ENGINES, drive, merged_passes, simulate

from conftest import straight_road

START = datetime(2023, 1, 23)


@pytest.fixture(params=ENGINES)
def engine(request):
    """Every verification test runs on every traffic engine (the engines' contract: the same results)."""
    return request.param


def run_traffic(net, layout, trips, engine="simpy"):
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    traffic = drive(net, trips, routes, layout, engine=engine)
    reads = read_passes(traffic.passes, traffic.trips, layout, START, np.random.default_rng(0))
    return traffic.trips, reads


def trips_frame(rows):
    return pd.DataFrame(rows, columns=["trip_id", "vehicle_id", "plate", "origin", "destination", "depart_s"])


@pytest.mark.parametrize("direction, reverse_reads", [("forward", 0), ("backward", 3), ("both", 3)])
def test_straight_road_three_cameras_read_at_distance_over_speed(direction, reverse_reads, engine):
    # Three 1 km segments at 36 km/h = 10 m/s; a camera at the middle of each.
    net = straight_road([1000.0, 1000.0, 1000.0])
    edges = [net.edge_id(0, 1), net.edge_id(1, 2), net.edge_id(2, 3)]
    layout = make_layout(net, np.array(edges), read_rate=1.0, direction=direction)
    trips = trips_frame([(0, 0, "AAA1111", 0, 3, 100.0), (1, 1, "BBB2222", 3, 0, 500.0)])
    timed, reads = run_traffic(net, layout, trips, engine)
    east = reads[reads["trip_id"] == 0]
    west = reads[reads["trip_id"] == 1]
    forward_reads = 0 if direction == "backward" else 3
    assert len(east) == forward_reads
    assert len(west) == reverse_reads
    # midpoints at 500, 1500, 2500 m → 50, 150, 250 s after leaving at 100 s (east)
    # or at 500 s (west, from x = 3000 m)
    assert east["time_s"].tolist() == [150.0, 250.0, 350.0][: forward_reads]
    assert west["time_s"].tolist() == [550.0, 650.0, 750.0][: reverse_reads]
    assert timed["arrive_s"].tolist() == [400.0, 800.0]
    first = pd.Timestamp("2023-01-23 00:02:30") if forward_reads else pd.Timestamp("2023-01-23 00:09:10")
    assert reads["timestamp"].iloc[0] == first


def test_vehicle_departs_late_when_previous_trip_is_not_over(engine):
    net = straight_road([1000.0, 1000.0])
    layout = make_layout(net, np.array([net.edge_id(1, 0)]), read_rate=1.0)
    trips = trips_frame([(0, 0, "AAA1111", 0, 2, 0.0), (1, 0, "AAA1111", 2, 0, 100.0)])
    timed, reads = run_traffic(net, layout, trips, engine)
    # first trip takes 200 s, so the second leaves at 200 s, not 100 s
    assert timed["depart_s"].tolist() == [0.0, 200.0]
    assert reads["time_s"].tolist() == [200.0 + 100.0 + 50.0]


def test_reads_equal_brute_force_networkx_on_random_grid(grid10, engine):
    net = grid10
    rng = np.random.default_rng(5)
    edges = np.sort(rng.choice(net.n_edges, size=40, replace=False))
    layout = make_layout(net, edges, read_rate=1.0)
    trips = uniform_trips(net, 400, 1, np.random.default_rng(6))
    _, reads = run_traffic(net, layout, trips, engine)
    got = {(int(t), c, round(float(s), 6)) for t, c, s in zip(reads["trip_id"], reads["camera_id"], reads["time_s"])}

    camera_at = {(u, v, k): cid for cid, u, v, k in layout[["camera_id", "u", "v", "key"]].itertuples(index=False)}
    expected = set()
    g = net.graph
    for trip in trips.itertuples(index=False):
        path = nx.shortest_path(g, trip.origin, trip.destination, weight="travel_time")
        clock = trip.depart_s
        for a, b in zip(path[:-1], path[1:]):
            key = min(g[a][b], key=lambda k: (g[a][b][k]["travel_time"], k))
            tt = g.edges[a, b, key]["travel_time"]
            if (a, b, key) in camera_at:
                expected.add((trip.trip_id, camera_at[(a, b, key)], round(clock + tt / 2, 6)))
            clock += tt
    assert len(expected) > 100
    assert got == expected


def test_read_rate_thins_reads_binomially(grid10):
    net = grid10
    layout = make_layout(net, np.arange(0, net.n_edges, 3), read_rate=0.5)
    trips = uniform_trips(net, 2000, 1, np.random.default_rng(1))
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    crossings = route_crossings(net, routes, *watch_pairs(layout, net))
    timed, passes = simulate(trips, routes, crossings)
    reads = read_passes(passes, timed, layout, START, np.random.default_rng(2))
    n = len(passes)
    # within 4 standard deviations of n/2
    assert abs(len(reads) - n / 2) < 4 * np.sqrt(n / 4)


def test_misread_changes_exactly_one_character(grid10):
    net = grid10
    layout = make_layout(net, np.arange(0, net.n_edges, 2), read_rate=1.0, misread_rate=1.0)
    trips = uniform_trips(net, 200, 1, np.random.default_rng(3))
    _, reads = run_traffic(net, layout, trips)
    truth = trips.set_index("trip_id")["plate"].reindex(reads["trip_id"]).to_numpy()
    diffs = [sum(a != b for a, b in zip(p, t)) for p, t in zip(reads["plate_read"], truth)]
    assert len(diffs) > 0 and set(diffs) == {1}


def test_route_noise_routes_are_valid_walks_with_real_times(grid10):
    from sim.routing import choose_routes

    net = grid10
    rng = np.random.default_rng(0)
    o, d = rng.integers(0, net.n_nodes, 300), rng.integers(0, net.n_nodes, 300)
    fastest = fastest_routes(net, o, d)
    noisy = choose_routes(net, o, d, noise=0.5, classes=4, rng=np.random.default_rng(1))
    differ = 0
    for i in range(300):
        edges = noisy.route(i)
        if len(edges):
            assert net.edge_u[edges[0]] == o[i] and net.edge_v[edges[-1]] == d[i]
            assert (net.edge_v[edges[:-1]] == net.edge_u[edges[1:]]).all()
        assert noisy.travel_time[i] == pytest.approx(net.edge_time[edges].sum())
        assert noisy.travel_time[i] >= fastest.travel_time[i] - 1e-9
        differ += not np.array_equal(edges, fastest.route(i))
    assert differ > 30  # noise really changes routes


def test_straight_road_outage_window_loses_exactly_the_reads_inside_it():
    from sim.traffic import during_outage

    net = straight_road([1000.0, 1000.0, 1000.0])
    layout = make_layout(net, np.array([net.edge_id(0, 1), net.edge_id(1, 2), net.edge_id(2, 3)]), read_rate=1.0)
    trips = trips_frame([(0, 0, "AAA1111", 0, 3, 100.0), (1, 1, "BBB2222", 0, 3, 1000.0)])
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    timed, passes = simulate(trips, routes, route_crossings(net, routes, *watch_pairs(layout, net)))
    # camera 2 (row 1) is down from 200 s to 300 s; camera 3 (row 2) from 1200 s to 1400 s
    outages = pd.DataFrame({"camera": [1, 2], "start_s": [200.0, 1200.0], "end_s": [300.0, 1400.0]})
    kept = passes[~during_outage(passes, outages)]
    # trip 0 passes at 150, 250, 350 s; trip 1 at 1050, 1150, 1250 s
    assert kept["time_s"].tolist() == [150.0, 350.0, 1050.0, 1150.0]


def test_simpy_outages_are_seeded_and_down_about_mttr_over_cycle():
    from sim.traffic import camera_outages

    a = camera_outages(200, 30 * 86_400, mtbf_s=20 * 3600, mttr_s=4 * 3600, rng=np.random.default_rng(3))
    b = camera_outages(200, 30 * 86_400, mtbf_s=20 * 3600, mttr_s=4 * 3600, rng=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b)
    down = (a["end_s"] - a["start_s"]).sum() / (200 * 30 * 86_400)
    assert down == pytest.approx(4 / 24, rel=0.1)


def test_engines_agree_bit_for_bit_on_a_week_of_a_population(grid10):
    """The contract behind ``traffic.engine``: same timed trips, same passes, same volumes, to the last bit."""
    from sim.demand import population_trips
    from sim.routing import choose_routes

    trips, _ = population_trips(grid10, 300, 3, np.random.default_rng(3))
    # half the vehicles leave on each trip 10 s after the previous departure: they leave late (the rule is exercised)
    rushed = trips["vehicle_id"].to_numpy() % 2 == 0
    first = trips.groupby("vehicle_id")["depart_s"].transform("first").to_numpy()
    order = trips.groupby("vehicle_id").cumcount().to_numpy()
    trips.loc[rushed, "depart_s"] = first[rushed] + 10.0 * order[rushed]
    routes = choose_routes(grid10, grid10.node_indices(trips["origin"]), grid10.node_indices(trips["destination"]),
                           noise=0.3, rng=np.random.default_rng(4))
    layout = make_layout(grid10, np.arange(0, grid10.n_edges, 4), read_rate=1.0)
    a, b = (drive(grid10, trips, routes, layout, engine=e) for e in ENGINES)
    assert (a.trips["depart_s"].to_numpy() > trips["depart_s"].to_numpy()).any()
    assert len(a.passes) > 1000
    pd.testing.assert_frame_equal(a.trips, b.trips, check_exact=True)
    pd.testing.assert_frame_equal(a.passes, b.passes, check_exact=True)
    assert np.array_equal(a.volume, b.volume)
    assert (a.engine, b.engine) == ENGINES


def test_the_engine_that_ran_is_recorded_and_changes_no_number():
    from sim import load_scenario, simulate_scenario
    from sim.io.run import plain

    base = ["network.rows=7", "network.cols=7", "demand.trips=400", "cameras.count=10", "metrics.pair_samples=50"]
    runs = [simulate_scenario(load_scenario(overrides=base + [f"traffic.engine={e!r}"])) for e in ENGINES]
    assert [r.metrics["traffic_engine"] for r in runs] == list(ENGINES)
    same = [plain({k: v for k, v in r.metrics.items() if k != "traffic_engine"}) for r in runs]
    assert same[0] == same[1]
    pd.testing.assert_frame_equal(runs[0].reads, runs[1].reads, check_exact=True)


def test_an_unknown_engine_is_refused_with_the_choices(grid10):
    from sim import ScenarioError
    from sim import load_scenario

    with pytest.raises(ScenarioError, match="traffic.engine"):
        load_scenario(overrides=["traffic.engine='fast'"])
    with pytest.raises(ValueError, match="simpy, compiled"):
        drive(grid10, pd.DataFrame(), None, pd.DataFrame(), engine="fast")


@pytest.mark.parametrize("perceived", [True, False])
def test_compiled_tree_routes_equal_scipy_routes(grid10, perceived):
    """fastest_routes (compiled trees) gives the very routes scipy's dijkstra gives, at perceived and at
    free-flow times (a jittered grid: no two paths equally fast)."""
    from sim.routing import fastest_routes
    from sim.routing.reference import scipy_routes

    rng = np.random.default_rng(8)
    o, d = rng.integers(0, grid10.n_nodes, 2_000), rng.integers(0, grid10.n_nodes, 2_000)
    weights = grid10.edge_time * rng.lognormal(0.0, 0.3, grid10.n_edges) if perceived else None
    a = scipy_routes(grid10, o, d, weights=weights)
    b = fastest_routes(grid10, o, d, weights=weights)
    assert np.array_equal(a.offsets, b.offsets) and len(a.edges) > 10_000
    assert np.array_equal(a.edges, b.edges)
    np.testing.assert_allclose(a.travel_time, b.travel_time, rtol=1e-12)


def test_blocks_passes_merge_as_the_joined_passes_sort():
    """Blocks of whole vehicles' passes, each sorted, merged by one stable sort on time: the same table as joining
    them and sorting by time, trip and camera (pandas), with many passes at one time (times on a 3 s grid)."""
    rng = np.random.default_rng(7)
    sizes, trips_per_block = [0, 40, 1, 300, 77], [3, 9, 1, 50, 20]
    firsts = np.concatenate([[0], np.cumsum(trips_per_block)[:-1]])
    parts = []
    for n, k in zip(sizes, trips_per_block):
        part = pd.DataFrame({"trip": rng.integers(0, k, n), "camera": rng.integers(0, 6, n),
                             "edge": rng.integers(0, 50, n), "backward": rng.random(n) < 0.5,
                             "time_s": rng.integers(0, 40, n) * 3.0})
        parts.append(part.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True))
    joined = pd.concat([p.assign(trip=p["trip"] + r0) for p, r0 in zip(parts, firsts)], ignore_index=True)
    expected = joined.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(merged_passes(parts, firsts), expected)
