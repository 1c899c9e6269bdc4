"""Batched routing vs the naive baseline, side by side in one process.

Curtain routes all trips with one shortest-path tree per distinct origin
(``sim.routing.fastest_routes``: compiled Dijkstra trees on both cores) and
walks every trip of an origin back through it at once. The baseline is what a researcher would write first:
``networkx.shortest_path(G, o, d, weight="travel_time")`` per trip, timed on a
random sample of the trips (all of them would take hours) and compared in
trips per second. Same code as ``curtain bench``.

Run:  python benchmarks/bench_routing.py [--side 141] [--trips 200000] [--baseline-trips 300]
"""

from __future__ import annotations

import argparse

from sim.bench import routing_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description="Batched routing vs networkx per trip")
    parser.add_argument("--side", type=int, default=141, help="grid side (141 → 19,881 nodes)")
    parser.add_argument("--trips", type=int, default=200_000)
    parser.add_argument("--baseline-trips", type=int, default=300)
    args = parser.parse_args()
    for line in routing_benchmark(side=args.side, trips=args.trips, baseline_trips=args.baseline_trips):
        print(line)


if __name__ == "__main__":
    main()
