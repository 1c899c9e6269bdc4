"""County-scale engine: compiled crossings equal the standard pipeline's; streamed reads; duplicate reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cameras import make_layout, watch_pairs
from sim.demand import population_trips
from sim.traffic.compiled import chain_times
from sim.routing.trees import tree_crossings
from sim.generators import grid_network
from sim.routing import fastest_routes
from sim.reads import stream_reads
from sim.routing import route_crossings
from sim.traffic import simulate

from conftest import small_scenario


@pytest.fixture(scope="module")
def week():
    net = grid_network(25, 25, rng=np.random.default_rng(1))
    rng = np.random.default_rng(2)
    trips, _ = population_trips(net, 1500, 3, rng, zone_km=0.5)
    layout = make_layout(net, rng.choice(net.n_edges, 60, replace=False), read_rate=0.9)
    return net, trips, layout


def test_fast_crossings_equal_the_standard_routes(week):
    net, trips, layout = week
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    camera, edge, backward = watch_pairs(layout, net)
    routes = fastest_routes(net, origins, destinations)
    standard = route_crossings(net, routes, camera, edge, backward)
    fast, summary = tree_crossings(net, origins, destinations, camera, edge, backward)
    np.testing.assert_allclose(summary.travel_time, routes.travel_time, rtol=1e-12)
    np.testing.assert_allclose(summary.length_m,
                               np.bincount(routes.trip_of_edge(), weights=net.edge_length[routes.edges],
                                           minlength=len(trips)))
    np.testing.assert_array_equal(summary.n_edges, np.diff(routes.offsets))
    order = np.lexsort((standard.camera, standard.offset_s, standard.trip))
    for name in ("trip", "camera", "edge", "backward"):
        np.testing.assert_array_equal(getattr(standard, name)[order], getattr(fast, name))
    np.testing.assert_allclose(standard.offset_s[order], fast.offset_s, rtol=1e-9)


def test_compiled_chain_equals_simpy_bit_for_bit(week):
    net, trips, layout = week
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    camera, edge, backward = watch_pairs(layout, net)
    crossings, summary = tree_crossings(net, origins, destinations, camera, edge, backward)

    class Timed:  # what simulate() reads of the routes
        travel_time = summary.travel_time

    timed, passes = simulate(trips, Timed, crossings)
    depart, arrive, when = chain_times(trips["vehicle_id"].to_numpy(), trips["depart_s"].to_numpy(),
                                       summary.travel_time, crossings)
    np.testing.assert_array_equal(depart, timed["depart_s"].to_numpy())
    np.testing.assert_array_equal(arrive, timed["arrive_s"].to_numpy())
    ours = pd.DataFrame({"trip": crossings.trip, "camera": crossings.camera, "time_s": when})
    ours = ours.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    np.testing.assert_array_equal(ours["time_s"].to_numpy(), passes["time_s"].to_numpy())
    np.testing.assert_array_equal(ours["trip"].to_numpy(), passes["trip"].to_numpy())


def test_reads_stream_to_one_row_group_per_day(week, tmp_path):
    import datetime

    net, trips, layout = week
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    camera, edge, backward = watch_pairs(layout, net)
    crossings, summary = tree_crossings(net, origins, destinations, camera, edge, backward)
    _, _, when = chain_times(trips["vehicle_id"].to_numpy(), trips["depart_s"].to_numpy(), summary.travel_time,
                             crossings)
    passes = pd.DataFrame({"trip": crossings.trip, "camera": crossings.camera, "edge": crossings.edge,
                           "backward": crossings.backward, "time_s": when}).sort_values("time_s", ignore_index=True)
    counts = stream_reads(passes, trips, layout, datetime.datetime(2023, 1, 23), np.random.default_rng(0),
                          str(tmp_path / "reads.parquet"))
    meta = pq.ParquetFile(tmp_path / "reads.parquet").metadata
    days = np.bincount((passes["time_s"] // 86_400).astype(int))
    assert meta.num_row_groups == len(days) == len(counts)
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == counts
    reads = pd.read_parquet(tmp_path / "reads.parquet")
    assert (reads["read_id"].to_numpy() == np.arange(len(reads))).all()
    assert ((reads["time_s"] // 86_400).value_counts().sort_index().to_numpy() == counts).all()
    # read rate 0.9 of the passes, within sampling error
    assert abs(len(reads) / len(passes) - 0.9) < 4 * np.sqrt(0.09 / len(passes))


def test_duplicate_reads_follow_their_original():
    from sim.runner import simulate_scenario

    plain = simulate_scenario(small_scenario())
    doubled = simulate_scenario(small_scenario("reads.duplicate_rate=0.3"))
    a, b = plain.reads, doubled.reads
    extra = len(b) - len(a)
    assert abs(extra / len(a) - 0.3) < 4 * np.sqrt(0.21 / len(a))
    # every read of the plain run is there, and each copy sits 1-3 s after a read of the same camera and plate
    key = ["camera_id", "plate_read", "time_s"]
    merged = b.merge(a[key], on=key, how="left", indicator=True)
    copies = merged[merged["_merge"] == "left_only"]
    assert len(copies) == extra
    for _, copy in copies.iterrows():
        same = a[(a["camera_id"] == copy["camera_id"]) & (a["plate_read"] == copy["plate_read"])]
        gap = copy["time_s"] - same["time_s"]
        assert ((gap >= 1) & (gap <= 3)).any()
    # a duplicate does not split a trip or change what is reconstructed
    assert doubled.metrics["route_recall_mean"] == pytest.approx(plain.metrics["route_recall_mean"])
    assert doubled.metrics["share_trips_read_ge1"] == plain.metrics["share_trips_read_ge1"]


def test_edge_volumes_equal_counting_the_routes(week):
    from sim.routing.trees import edge_volumes

    net, trips, _ = week
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    routes = fastest_routes(net, origins, destinations)
    np.testing.assert_array_equal(edge_volumes(net, origins, destinations),
                                  np.bincount(routes.edges, minlength=net.n_edges))


def test_heap_dijkstra_serves_networks_with_near_zero_edge_times():
    """A zero-length edge makes Dial's buckets useless; the binary-heap Dijkstra takes over, same routes."""
    import networkx as nx

    from sim.routing.trees import OriginTrees
    from sim.network import from_graph

    g = nx.MultiDiGraph(grid_network(6, 6, rng=np.random.default_rng(4), one_way_share=0.0).graph)
    g.add_node("x", x=g.nodes[0]["x"], y=g.nodes[0]["y"])
    for a, b in ((0, "x"), ("x", 0)):
        g.add_edge(a, b, length=0.0, speed_kph=30.0, travel_time=0.0, highway="service")
    net = from_graph(g)
    assert OriginTrees.of(net).width == 0.0  # the heap is used
    rng = np.random.default_rng(5)
    o, d = rng.integers(0, net.n_nodes, 300), rng.integers(0, net.n_nodes, 300)
    layout = make_layout(net, rng.choice(net.n_edges, 20, replace=False), read_rate=1.0)
    camera, edge, backward = watch_pairs(layout, net)
    routes = fastest_routes(net, o, d)
    crossings, summary = tree_crossings(net, o, d, camera, edge, backward)
    np.testing.assert_allclose(summary.travel_time, routes.travel_time, rtol=1e-12)
    np.testing.assert_array_equal(summary.n_edges, np.diff(routes.offsets))
    standard = route_crossings(net, routes, camera, edge, backward)
    assert len(standard.trip) == len(crossings.trip)


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_runs_reads_are_written_one_row_group_per_day_in_order_or_not(tmp_path, shuffled):
    from sim.io.run import write_reads

    g = np.random.default_rng(3)
    time_s = np.sort(np.r_[-10.0, g.uniform(0.0, 4 * 86_400.0, 4_999)])  # (a read before the start is day -1's)
    reads = pd.DataFrame({"read_id": np.arange(5_000), "camera_id": pd.Series(g.choice(["a", "b"], 5_000), dtype="str"),
                          "time_s": time_s})
    if shuffled:
        reads = reads.sample(frac=1.0, random_state=0).reset_index(drop=True)
    write_reads(reads, tmp_path / "reads.parquet")
    file = pq.ParquetFile(tmp_path / "reads.parquet")
    day = reads["time_s"].to_numpy() // 86_400
    assert file.metadata.num_row_groups == len(np.unique(day)) == 5
    for i, d in enumerate(np.unique(day)):
        group = file.read_row_group(i).to_pandas()
        pd.testing.assert_frame_equal(group, reads[day == d].reset_index(drop=True), check_dtype=False)
