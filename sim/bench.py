"""Benchmarks that compare Curtain with the naive baseline, side by side in one process."""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from sim.generators import grid_network
from sim.routing import fastest_routes


def routing_benchmark(*, side: int = 141, trips: int = 200_000, baseline_trips: int = 300,
                      seed: int = 1) -> list[str]:
    """Batched routing vs ``networkx.shortest_path`` per trip; returns the printed table's lines.

    The baseline runs on a random sample of the trips (all of them would take
    hours); both rates are in trips per second.
    """
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    net = grid_network(side, side, rng=rng)
    build_s = time.perf_counter() - t0
    origins = rng.integers(0, net.n_nodes, trips)
    destinations = rng.integers(0, net.n_nodes, trips)
    t0 = time.perf_counter()
    routes = fastest_routes(net, origins, destinations)
    curtain_s = time.perf_counter() - t0
    sample = rng.choice(trips, size=min(baseline_trips, trips), replace=False)
    t0 = time.perf_counter()
    paths = [nx.shortest_path(net.graph, net.nodes[origins[i]], net.nodes[destinations[i]], weight="travel_time")
             for i in sample]
    baseline_s = time.perf_counter() - t0
    compared = [(i, p) for i, p in zip(sample, paths) if len(p) > 1]
    agree = sum([net.nodes[net.edge_u[e]] for e in routes.route(i)] + [net.nodes[destinations[i]]] == p
                for i, p in compared)
    curtain_rate, baseline_rate = trips / curtain_s, len(sample) / baseline_s
    return [
        f"network: {net.n_nodes:,} nodes, {net.n_edges:,} edges (built in {build_s:.1f} s)",
        f"{'method':<42}{'trips':>10}{'seconds':>10}{'trips/s':>12}",
        f"{'curtain fastest_routes (batched)':<42}{trips:>10,}{curtain_s:>10.2f}{curtain_rate:>12,.0f}",
        f"{'networkx.shortest_path per trip':<42}{len(sample):>10,}{baseline_s:>10.2f}{baseline_rate:>12,.1f}",
        f"speed-up: {curtain_rate / baseline_rate:,.0f}x   (identical paths on {agree}/{len(compared)} sampled trips)",
        f"mean route: {np.diff(routes.offsets).mean():.1f} edges, {routes.travel_time.mean() / 60:.1f} min",
    ]
