"""Batched routing vs the naive baseline, side by side in one process.

Curtain routes all trips with one shortest-path tree per distinct origin
(scipy.sparse.csgraph) and walks every trip of an origin back through it at
once. The baseline is what a researcher would write first:
``networkx.shortest_path(G, o, d, weight="travel_time")`` per trip. The
baseline is timed on a random sample of the trips (it would take hours on all
of them) and its rate is reported in trips per second, like Curtain's.

Run:  python benchmarks/bench_routing.py [--side 141] [--trips 200000] [--baseline-trips 300]
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from sim.generators import grid_network
from sim.network import fastest_routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=141, help="grid side (141 → 19,881 nodes)")
    parser.add_argument("--trips", type=int, default=200_000)
    parser.add_argument("--baseline-trips", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    net = grid_network(args.side, args.side, rng=rng)
    build_s = time.perf_counter() - t0
    origins = rng.integers(0, net.n_nodes, args.trips)
    destinations = rng.integers(0, net.n_nodes, args.trips)

    t0 = time.perf_counter()
    routes = fastest_routes(net, origins, destinations)
    curtain_s = time.perf_counter() - t0

    sample = rng.choice(args.trips, size=min(args.baseline_trips, args.trips), replace=False)
    g = net.graph
    t0 = time.perf_counter()
    baseline_paths = [nx.shortest_path(g, net.nodes[origins[i]], net.nodes[destinations[i]], weight="travel_time")
                      for i in sample]
    baseline_s = time.perf_counter() - t0

    agree = sum(
        [net.nodes[net.edge_u[e]] for e in routes.route(i)] + [net.nodes[destinations[i]]] == path
        for i, path in zip(sample, baseline_paths)
        if len(path) > 1
    )
    curtain_rate = args.trips / curtain_s
    baseline_rate = len(sample) / baseline_s
    print(f"network: {net.n_nodes:,} nodes, {net.n_edges:,} edges (built in {build_s:.1f} s)")
    print(f"{'method':<42}{'trips':>10}{'seconds':>10}{'trips/s':>12}")
    print(f"{'curtain fastest_routes (batched)':<42}{args.trips:>10,}{curtain_s:>10.2f}{curtain_rate:>12,.0f}")
    print(f"{'networkx.shortest_path per trip':<42}{len(sample):>10,}{baseline_s:>10.2f}{baseline_rate:>12,.1f}")
    print(f"speed-up: {curtain_rate / baseline_rate:,.0f}x   "
          f"(identical paths on {agree}/{sum(len(p) > 1 for p in baseline_paths)} sampled trips)")
    print(f"mean route: {np.diff(routes.offsets).mean():.1f} edges, {routes.travel_time.mean() / 60:.1f} min")


if __name__ == "__main__":
    main()
