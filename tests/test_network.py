"""Road networks and batched routing against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import NetworkError
from sim.generators import grid_network
from sim.network import from_graph
from sim.routing import fastest_routes


def random_strong_graph(seed: int, n: int, extra: int):
    """A random strongly connected multigraph: a ring plus random chords (some parallel)."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for i in range(n):
        g.add_node(i, x=float(rng.uniform(0, 1000)), y=float(rng.uniform(0, 1000)))
    for i in range(n):
        g.add_edge(i, (i + 1) % n, length=float(rng.uniform(10, 500)), speed_kph=float(rng.uniform(20, 80)))
    for _ in range(extra):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a != b:
            g.add_edge(a, b, length=float(rng.uniform(10, 500)), speed_kph=float(rng.uniform(20, 80)))
    return from_graph(g)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 25), extra=st.integers(0, 60))
def test_batched_routes_equal_networkx_shortest_path_length(seed, n, extra):
    net = random_strong_graph(seed, n, extra)
    rng = np.random.default_rng(seed)
    origins = rng.integers(0, net.n_nodes, 30)
    destinations = rng.integers(0, net.n_nodes, 30)
    routes = fastest_routes(net, origins, destinations)
    for i, (o, d) in enumerate(zip(origins, destinations)):
        expected = nx.shortest_path_length(net.graph, net.nodes[o], net.nodes[d], weight="travel_time")
        assert routes.travel_time[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        edges = routes.route(i)
        # the route is a connected walk from o to d whose times add up
        if len(edges):
            assert net.edge_u[edges[0]] == o and net.edge_v[edges[-1]] == d
            assert (net.edge_v[edges[:-1]] == net.edge_u[edges[1:]]).all()
        else:
            assert o == d
        assert net.edge_time[edges].sum() == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_grid_generator_is_seeded_and_strongly_connected():
    a = grid_network(12, 9, rng=np.random.default_rng(3))
    b = grid_network(12, 9, rng=np.random.default_rng(3))
    assert nx.is_strongly_connected(a.graph)
    assert a.n_nodes == 108
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.edge_u, b.edge_u)
    highways = {d["highway"] for *_, d in a.graph.edges(keys=True, data=True)}
    assert highways == {"primary", "residential"}
    assert any(d["oneway"] for *_, d in a.graph.edges(keys=True, data=True))


def test_from_graph_fills_travel_time_and_keeps_given_values():
    g = nx.MultiDiGraph()
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b", x=300.0, y=400.0)
    g.add_edge("a", "b", highway="residential")  # 500 m at 30 km/h = 60 s
    g.add_edge("b", "a", length=500.0, travel_time=42.0)
    net = from_graph(g)
    assert net.edge_time[net.edge_id("a", "b")] == pytest.approx(60.0)
    assert net.edge_time[net.edge_id("b", "a")] == 42.0


def test_from_graph_keeps_largest_strong_component():
    g = nx.MultiDiGraph()
    for i in range(4):
        g.add_node(i, x=float(i), y=0.0)
    g.add_edge(0, 1, length=1.0, speed_kph=10.0)
    g.add_edge(1, 0, length=1.0, speed_kph=10.0)
    g.add_edge(1, 2, length=1.0, speed_kph=10.0)  # 2 and 3 cannot get back
    g.add_edge(2, 3, length=1.0, speed_kph=10.0)
    assert sorted(from_graph(g).nodes.tolist()) == [0, 1]


@pytest.mark.parametrize("graph, message", [
    (nx.MultiDiGraph(), "no nodes"),
    (nx.MultiDiGraph([(0, 1)]), "lack 'x'/'y'"),
])
def test_bad_graphs_get_clear_errors(graph, message):
    with pytest.raises(NetworkError, match=message):
        from_graph(graph, source="city.graphml")


@pytest.mark.parametrize("closed", [False, True])
def test_tree_times_equal_networkx_path_lengths(closed):
    """Fastest times with compiled trees (many origin chunks), with and without closed (infinite-time) edges."""
    from sim.routing.trees import tree_times

    net = grid_network(7, 7, rng=np.random.default_rng(11))
    rng = np.random.default_rng(12)
    o, d = rng.integers(0, net.n_nodes, 300), rng.integers(0, net.n_nodes, 300)
    weights = net.edge_time.astype(float)
    shut = rng.choice(net.n_edges, 20, replace=False) if closed else np.zeros(0, np.int64)
    weights[shut] = np.inf
    got = tree_times(net, o, d, weights=weights)
    graph = nx.MultiDiGraph(net.graph)
    graph.remove_edges_from([(net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]], int(net.edge_key[e])) for e in shut])
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph, weight="travel_time"))
    want = np.array([lengths[net.nodes[a]].get(net.nodes[b], np.inf) for a, b in zip(o, d)])
    assert len(np.unique(o)) > 32
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_reverse_edges_of_every_edge_equal_the_one_by_one_lookup():
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for i, (x, y) in enumerate([(0, 0), (100, 0), (100, 100), (0, 100)]):
        g.add_node(i, x=float(x), y=float(y))
    for u, v in [(0, 1), (1, 0), (1, 2), (2, 3), (3, 0), (0, 3), (2, 1)]:
        g.add_edge(u, v, speed_kph=30.0)
    g.add_edge(0, 1, speed_kph=50.0)  # a parallel road (key 1) with no way back on key 1
    net = from_graph(g)
    one_by_one = np.array([net.reverse_edge(i) for i in range(net.n_edges)])
    assert np.array_equal(net.reverse_edges, one_by_one)
    assert (one_by_one == -1).sum() == 2  # 2→3 (one-way) and the parallel 0→1 key 1
