"""Goal-directed pair searches (A* with landmarks) find the very paths the trees and networkx find."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.generators import grid_network
from sim.routing import choose_routes
from sim.routing import landmarks as lm
from sim.routing import choice as routes_module
from sim.routing.trees import OriginTrees, routes_on_trees


def _perceived(side: int, seed: int) -> tuple[object, np.ndarray]:
    rng = np.random.default_rng(seed)
    net = grid_network(side, side, rng=rng)
    return net, net.edge_time * rng.lognormal(0.0, 0.2, net.n_edges)


def _pairs(trees: OriginTrees, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, ...]:
    marks = lm.landmark_times(trees.indptr, trees.heads, trees.weights,
                              lm.choose_landmarks(trees.indptr, trees.heads, trees.weights))
    return lm.goal_routes(trees.indptr, trees.heads, trees.weights, trees.tails, trees.csr_edge, marks, origins,
                          destinations)


def test_pair_searches_find_the_trees_paths_on_perceived_times() -> None:
    net, weights = _perceived(30, 4)
    trees = OriginTrees.of(net, weights, heap=True)
    rng = np.random.default_rng(5)
    origins, destinations = rng.integers(0, net.n_nodes, 3000), rng.integers(0, net.n_nodes, 3000)
    destinations[:20] = origins[:20]  # a trip that starts where it ends: no edge, no time
    offsets, edges, travel = _pairs(trees, origins, destinations)
    ref = routes_on_trees(trees, origins, destinations)
    assert np.array_equal(offsets, ref.offsets) and np.array_equal(edges, ref.edges)
    assert np.array_equal(travel, ref.travel_time)
    assert (np.diff(offsets)[:20] == 0).all() and (travel[:20] == 0).all()


def test_pair_searches_agree_with_networkx() -> None:
    """An independent check: networkx's Dijkstra on the perceived times, path by path."""
    net, weights = _perceived(12, 8)
    trees = OriginTrees.of(net, weights, heap=True)
    graph = nx.DiGraph()
    for e in range(net.n_edges):
        u, v, w = int(net.edge_u[e]), int(net.edge_v[e]), float(weights[e])
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w, edge=e)
    rng = np.random.default_rng(9)
    origins, destinations = rng.integers(0, net.n_nodes, 200), rng.integers(0, net.n_nodes, 200)
    offsets, edges, travel = _pairs(trees, origins, destinations)
    for i, (o, d) in enumerate(zip(origins.tolist(), destinations.tolist())):
        nodes = nx.dijkstra_path(graph, o, d, weight="weight")
        expected = [graph[a][b]["edge"] for a, b in zip(nodes[:-1], nodes[1:])]
        assert edges[offsets[i] : offsets[i + 1]].tolist() == expected
        assert travel[i] == pytest.approx(nx.path_weight(graph, nodes, "weight"), rel=1e-12)


def test_paths_longer_than_the_buffer_are_searched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    net, weights = _perceived(20, 2)
    trees = OriginTrees.of(net, weights, heap=True)
    rng = np.random.default_rng(3)
    origins, destinations = rng.integers(0, net.n_nodes, 500), rng.integers(0, net.n_nodes, 500)
    wide = _pairs(trees, origins, destinations)
    monkeypatch.setattr(lm, "PATH_WIDTH", 8)
    monkeypatch.setattr(lm, "PAIR_CHUNK", 97)
    narrow = _pairs(trees, origins, destinations)
    assert (np.diff(narrow[0]) > 8).mean() > 0.5  # most paths overflow the buffer
    for a, b in zip(wide, narrow):
        assert np.array_equal(a, b)


def test_an_unreachable_destination_gets_no_path_and_infinite_time() -> None:
    # 0 → 1 → 2, and 3 alone with an edge out to 0: nothing reaches 3
    indptr = np.array([0, 1, 2, 2, 3])
    heads = np.array([1, 2, 0])
    weights = np.array([1.5, 2.5, 1.0])
    tails = np.array([0, 1, 3])
    marks = lm.landmark_times(indptr, heads, weights, lm.choose_landmarks(indptr, heads, weights, k=2))
    offsets, edges, travel = lm.goal_routes(indptr, heads, weights, tails, np.array([10, 11, 12]), marks,
                                            np.array([0, 0, 3]), np.array([3, 2, 2]))
    assert travel[0] == np.inf and offsets[1] == 0
    assert travel[1] == 4.0 and edges[offsets[1] : offsets[2]].tolist() == [10, 11]
    assert travel[2] == 5.0 and edges[offsets[2] : offsets[3]].tolist() == [12, 10, 11]


def test_route_choice_gives_the_same_routes_with_or_without_pair_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The split between trees and pair searches is a speed choice only: every route is the same."""
    rng = np.random.default_rng(11)
    net = grid_network(25, 25, rng=rng)
    origins = rng.integers(0, net.n_nodes, 4000)
    destinations = rng.integers(0, net.n_nodes, 4000)
    from sim.routing import trees as trees_module

    monkeypatch.setattr(trees_module, "GOAL_MIN_ORIGINS", 1)  # pair searches however few origins qualify
    runs = []
    for goal_trips in (0, 3, 10**9):
        monkeypatch.setattr(routes_module, "GOAL_TRIPS", goal_trips)
        runs.append(choose_routes(net, origins, destinations, noise=0.2, classes=8, rng=np.random.default_rng(1)))
    for other in runs[1:]:
        assert np.array_equal(other.offsets, runs[0].offsets) and np.array_equal(other.edges, runs[0].edges)
        assert np.array_equal(other.travel_time, runs[0].travel_time)


def test_landmarks_are_spread_out() -> None:
    """On a line of nodes the first two landmarks are its two ends."""
    n = 9
    indptr = np.concatenate([[0], np.cumsum([1] + [2] * (n - 2) + [1])])
    heads = np.array([1] + [x for i in range(1, n - 1) for x in (i - 1, i + 1)] + [n - 2])
    chosen = lm.choose_landmarks(indptr, heads, np.ones(len(heads)), k=2)
    assert sorted(chosen.tolist()) == [0, n - 1]


def test_tree_times_are_the_same_by_trees_or_by_pair_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Times of real (tied) and perceived (untied) travel times; the scipy trees are the independent check."""
    from scipy.sparse.csgraph import dijkstra

    from sim.network import adjacency_matrix
    from sim.routing import trees as trees_module

    monkeypatch.setattr(trees_module, "GOAL_MIN_ORIGINS", 1)
    net, perceived = _perceived(15, 21)
    rng = np.random.default_rng(2)
    origins, destinations = rng.integers(0, net.n_nodes, 800), rng.integers(0, net.n_nodes, 800)
    for weights in (None, perceived):
        runs = []
        for goal in (0, 10**9):
            monkeypatch.setattr(trees_module, "TIME_GOAL_TRIPS", goal)
            runs.append(trees_module.tree_times(net, origins, destinations, weights=weights))
        matrix = adjacency_matrix(net, weights=weights) if weights is not None else net.adjacency
        scipy = dijkstra(matrix, indices=np.unique(origins))
        expected = scipy[np.searchsorted(np.unique(origins), origins), destinations]
        for times in runs:
            np.testing.assert_allclose(times, expected, rtol=1e-12)
        if weights is not None:
            assert np.array_equal(runs[0], runs[1])


def test_equal_edge_weights_keep_the_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where two edges weigh the same (zero-length streets floored to 1e-6 s), equally fast paths can exist and a
    search could take another one than the tree: such a class is routed on trees only, and the routes are the
    trees' whatever the split."""
    from sim.routing import trees as trees_module

    monkeypatch.setattr(trees_module, "GOAL_MIN_ORIGINS", 1)
    net, weights = _perceived(12, 4)
    weights[: net.n_edges // 3] = 1e-6  # a third of the edges tie
    assert OriginTrees.of(net, weights, heap=True, goal_trips=8).goal_trips == 0
    _, untied = _perceived(12, 4)
    assert OriginTrees.of(net, untied, heap=True, goal_trips=8).goal_trips == 8


def test_node_indices_out_of_range_are_refused() -> None:
    from sim.routing.trees import tree_times

    net, _ = _perceived(5, 1)
    with pytest.raises(ValueError, match="node indices"):
        tree_times(net, np.array([0]), np.array([net.n_nodes]))
    with pytest.raises(ValueError, match="node indices"):
        tree_times(net, np.array([-1]), np.array([0]))
