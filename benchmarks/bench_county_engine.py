"""A county for a week: ~50,000 intersections, 480 cameras, a synthetic population driving 7 days.

End to end: network → population (homes, work places, schedules) → 480
cameras on the busiest road segments of a pilot sample → camera crossings of every trip (compiled
shortest-path trees, one per origin, on both cores) → vehicles chained in
time (compiled; equal to the SimPy engine bit for bit, see
tests/test_fastroute.py) → reads streamed to Parquet one day at a time.
Prints each stage's seconds, trips/s, reads/s and the peak memory; then,
side by side on a sample of the same trips, the standard engine
(fastest_routes' full routes + route_crossings + SimPy) and the ratio.

Run:  python benchmarks/bench_county_engine.py [--side 224] [--vehicles 1000000] [--days 7] [--out /tmp/curtain-week]
"""

from __future__ import annotations

import argparse
import datetime
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    from sim.cameras import make_layout, watch_pairs
    from sim.demand import population_trips
    from sim.traffic.compiled import chain_times
    from sim.routing.trees import edge_volumes, tree_crossings
    from sim.generators import grid_network
    from sim.routing import fastest_routes
    from sim.reads import stream_reads
    from sim.routing import route_crossings
    from sim.traffic import simulate

    parser = argparse.ArgumentParser(description="A county-sized week, end to end")
    parser.add_argument("--side", type=int, default=224, help="grid side (224 → 50,176 intersections)")
    parser.add_argument("--block-m", type=float, default=160.0)
    parser.add_argument("--vehicles", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--cameras", type=int, default=480)
    parser.add_argument("--places-per-zone", type=int, default=8, help="trip ends per km² zone (see README)")
    parser.add_argument("--pilot-origins", type=int, default=500, help="origins whose trips place the cameras")
    parser.add_argument("--baseline-origins", type=int, default=100, help="origins whose trips are timed twice")
    parser.add_argument("--out", type=Path, default=Path("/tmp/curtain-week"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    stages: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = now - clock
        clock = now
        print(f"  {name:<34} {stages[name]:8.1f} s   peak {peak_gb():5.2f} GB", flush=True)

    print(f"county week: {args.side}×{args.side} grid, {args.vehicles:,} vehicles, {args.days} days, "
          f"{args.cameras} cameras")
    net = grid_network(args.side, args.side, rng=rng, block_m=args.block_m)
    lap(f"network ({net.n_nodes:,} nodes, {net.n_edges:,} edges)")
    trips, persons = population_trips(net, args.vehicles, args.days, rng, places_per_zone=args.places_per_zone)
    lap(f"population ({len(trips):,} trips)")
    origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
    # cameras where traffic is: the busiest road segments of a pilot sample of the week's trips —
    # every trip of a few origins, so the pilot needs few shortest-path trees
    pilot_origins = rng.choice(np.unique(origins), min(args.pilot_origins, len(np.unique(origins))), replace=False)
    pilot = np.flatnonzero(np.isin(origins, pilot_origins))
    volume = edge_volumes(net, origins[pilot], destinations[pilot])
    layout = make_layout(net, np.sort(np.argsort(-volume, kind="stable")[: args.cameras]), read_rate=0.95,
                         misread_rate=0.002)
    camera, edge, backward = watch_pairs(layout, net)
    lap(f"cameras ({len(pilot):,} pilot trips)")
    print(f"  ({len(np.unique(origins)):,} distinct origins)")
    crossings, summary = tree_crossings(net, origins, destinations, camera, edge, backward)
    lap(f"crossings ({len(crossings.trip):,})")
    _, _, when = chain_times(trips["vehicle_id"].to_numpy(), trips["depart_s"].to_numpy(), summary.travel_time,
                             crossings)
    passes = pd.DataFrame({"trip": crossings.trip, "camera": crossings.camera, "edge": crossings.edge,
                           "backward": crossings.backward, "time_s": when})
    passes = passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    del crossings, when
    lap("vehicles in time (compiled chain)")
    args.out.mkdir(parents=True, exist_ok=True)
    counts = stream_reads(passes, trips, layout, datetime.datetime(2023, 1, 23), rng, str(args.out / "reads.parquet"),
                          duplicate_rate=0.0)
    lap("reads → Parquet, one day at a time")
    total = sum(stages.values())
    n_reads = sum(counts)
    print(f"\n  trips {len(trips):,}  reads {n_reads:,}  ({n_reads / args.cameras / args.days:,.0f} per camera per "
          f"day; Westchester 2023: 4,820)")
    print(f"  end to end {total:,.0f} s ({total / 60:.1f} min): {len(trips) / total:,.0f} trips/s, "
          f"{n_reads / total:,.0f} reads/s; peak memory {peak_gb():.2f} GB")

    # side by side on a sample: the standard engine (full routes, SimPy) vs the county engine,
    # on every trip of a few origins (as the week has: ~1,500 trips per origin)
    chosen = rng.choice(np.unique(origins), args.baseline_origins, replace=False)
    sample = np.flatnonzero(np.isin(origins, chosen))
    part = trips.iloc[sample].reset_index(drop=True)
    o, d = origins[sample], destinations[sample]
    start = time.perf_counter()
    routes = fastest_routes(net, o, d)
    simulate(part, routes, route_crossings(net, routes, camera, edge, backward))
    standard = time.perf_counter() - start
    start = time.perf_counter()
    c, s = tree_crossings(net, o, d, camera, edge, backward)
    chain_times(part["vehicle_id"].to_numpy(), part["depart_s"].to_numpy(), s.travel_time, c)
    fast = time.perf_counter() - start
    print(f"\n  same {len(sample):,} sampled trips ({len(np.unique(o)):,} origins): standard engine {standard:.1f} s, "
          f"county engine {fast:.1f} s → {standard / fast:.1f}×")


if __name__ == "__main__":
    main()
