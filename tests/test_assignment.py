"""Static user equilibrium: SiouxFalls flows equal the published best-known solution; congestion in a run."""

from __future__ import annotations

import numpy as np
import pytest

from sim.assignment import bpr_parameters, bpr_time, user_equilibrium
from sim.io import osm, tntp
from sim.network import from_graph

from conftest import small_scenario


def test_sioux_falls_flows_within_one_percent_of_the_best_known(data):
    graph = tntp.tntp_graph(data("sioux-falls-net"), node_path=data("sioux-falls-node"))
    net = from_graph(osm.add_speeds_and_times(osm.project_graph(graph)))
    od = tntp.read_tntp_trips(data("sioux-falls-trips"))
    od = od[(od["flow"] > 0) & (od["origin"] != od["destination"])]
    result = user_equilibrium(net, net.node_indices(od["origin"]), net.node_indices(od["destination"]),
                              od["flow"].to_numpy(float), gap=1e-4)
    assert result.relative_gap <= 1e-4
    best = tntp.read_tntp_flows(data("sioux-falls-flow"))
    edges = np.array([net.edge_id(int(u), int(v)) for u, v in zip(best.iloc[:, 0], best.iloc[:, 1])])
    volume = best.iloc[:, 2].to_numpy(float)
    assert len(edges) == 76 and (edges >= 0).all()
    carrying = volume > 0.01 * volume.max()
    relative = np.abs(result.flow[edges] - volume) / volume
    assert relative[carrying].max() < 0.01
    # the published costs (minutes) follow from our flows through the same BPR functions
    capacity, b, power = bpr_parameters(net)
    cost_min = bpr_time(net.edge_time, result.flow, capacity, b, power)[edges] / 60
    np.testing.assert_allclose(cost_min, best.iloc[:, 3].to_numpy(float), rtol=0.01)


def test_equilibrium_equalises_used_routes_by_hand():
    """Two parallel roads of free-flow 60 s and 120 s, capacity 1000/h, 3000 vehicles/h: both used,
    equal times; the flows solve 60 (1 + 0.15 (x/1000)^4) = 120 (1 + 0.15 ((3000 - x)/1000)^4)."""
    import networkx as nx
    from scipy.optimize import brentq

    g = nx.MultiDiGraph(crs="EPSG:32618")
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=1000.0, y=0.0)
    g.add_edge(0, 1, length=1000.0, travel_time=60.0, capacity=1000.0)
    g.add_edge(0, 1, length=1000.0, travel_time=120.0, capacity=1000.0)
    g.add_edge(1, 0, length=1000.0, travel_time=60.0, capacity=1000.0)
    net = from_graph(g)
    result = user_equilibrium(net, np.array([0]), np.array([1]), np.array([3000.0]), gap=1e-8)
    x = brentq(lambda x: 60 * (1 + 0.15 * (x / 1000) ** 4) - 120 * (1 + 0.15 * ((3000 - x) / 1000) ** 4), 0, 3000)
    fast = net.edge_id(0, 1, 0)
    assert result.flow[fast] == pytest.approx(x, rel=1e-3)
    assert result.flow.sum() == pytest.approx(3000)


def test_congested_run_routes_by_equilibrium_times():
    from sim.runner import simulate_scenario

    free = simulate_scenario(small_scenario("demand.trips=30000"))
    jammed = simulate_scenario(small_scenario("demand.trips=30000", "traffic.congestion=ue",
                                              "traffic.peak_hour_share=1.0"))
    info = jammed.metrics["congestion"]
    assert info["relative_gap"] <= 1e-4 and info["delay_ratio"] > 1.05
    assert jammed.routes.travel_time.mean() > free.routes.travel_time.mean()
    # the vehicles' trips take the congested times
    np.testing.assert_allclose(jammed.trips["arrive_s"] - jammed.trips["depart_s"], jammed.routes.travel_time)
