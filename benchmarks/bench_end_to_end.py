"""`curtain run` end to end on a city given as files, side by side with the naive baseline.

The workload: a 100 × 100 grid city (10,000 intersections) saved as GraphML,
300 cameras in a CSV, 100,000 trips in a CSV, and a scenario that names
them. Curtain: ``curtain run`` in a fresh process, timed from process start
to the output folder written (figures, map and report included), with the
stage times it records in run.json. The baseline is what a researcher would
write first: ``networkx.shortest_path`` per trip, then the cameras on the
path — timed on a random sample of the trips and scaled to all of them
(all 100,000 would take most of an hour). Prints both and the ratio.

Run:  python benchmarks/bench_end_to_end.py [--side 100] [--trips 100000] [--cameras 300] [--baseline-trips 600]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np


def write_inputs(folder: Path, side: int, n_trips: int, n_cameras: int, seed: int,
                 route_noise: float) -> tuple[Path, object]:
    from sim.cameras import make_layout
    from sim.demand import uniform_trips
    from sim.generators import grid_network

    rng = np.random.default_rng(seed)
    net = grid_network(side, side, rng=rng)
    import osmnx as ox

    graph = nx.MultiDiGraph(net.graph)
    for *_, data in graph.edges(keys=True, data=True):
        data.pop("geometry", None)
    ox.save_graphml(graph, folder / "city.graphml")  # as a researcher's osmnx export would be
    edges = np.sort(rng.choice(net.n_edges, n_cameras, replace=False))
    make_layout(net, edges, read_rate=0.95).to_csv(folder / "cameras.csv", index=False)
    trips = uniform_trips(net, n_trips, 1, rng)
    trips.drop(columns=["plate"]).to_csv(folder / "trips.csv", index=False)
    (folder / "city.toml").write_text(f"""name = "city-files"
seed = {seed}

[network]
source = "graphml"
path = "city.graphml"

[cameras]
strategy = "file"
path = "cameras.csv"

[demand]
model = "file"
path = "trips.csv"

[traffic]
route_noise = {route_noise}
""")
    return folder / "city.toml", (net, trips, edges)


def baseline(net, trips, camera_edges: np.ndarray, sample: np.ndarray) -> float:
    """Seconds per trip: networkx shortest path, then the cameras met along it."""
    g = net.graph
    watched = {(net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]]) for e in camera_edges}
    start = time.perf_counter()
    for i in sample:
        path = nx.shortest_path(g, trips["origin"].iloc[i], trips["destination"].iloc[i], weight="travel_time")
        _ = [(a, b) for a, b in zip(path[:-1], path[1:]) if (a, b) in watched]
    return (time.perf_counter() - start) / len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description="curtain run end to end vs networkx per trip")
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--trips", type=int, default=100_000)
    parser.add_argument("--cameras", type=int, default=300)
    parser.add_argument("--baseline-trips", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--route-noise", type=float, default=0.0,
                        help="0 (default): everyone drives a fastest path, the baseline's work; the scenario "
                             "default 0.2 routes 8 driver classes, 8 times the trees")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario, (net, trips, camera_edges) = write_inputs(folder, args.side, args.trips, args.cameras, args.seed,
                                                            args.route_noise)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim.cli", "run", str(scenario), "-o", str(folder / "out")],
                       check=True, stdout=subprocess.DEVNULL)
        curtain_s = time.perf_counter() - start
        stages = json.loads((folder / "out" / "run.json").read_text())["wall_time_s"]
        engine = json.loads((folder / "out" / "metrics.json").read_text())["traffic_engine"]
        sample = np.random.default_rng(args.seed + 1).choice(len(trips), args.baseline_trips, replace=False)
        per_trip = baseline(net, trips, camera_edges, sample)
    naive_s = per_trip * len(trips)
    print(f"city: {net.n_nodes:,} intersections, {args.cameras} cameras, {len(trips):,} trips (files), "
          f"route_noise {args.route_noise}")
    print(f"curtain run, process start to folder written: {curtain_s:8.1f} s  (traffic engine: {engine})")
    for stage, seconds in stages.items():
        print(f"    {stage:<22} {seconds:8.1f} s")
    print(f"networkx per trip ({args.baseline_trips} sampled, scaled to all): {naive_s:8.0f} s")
    print(f"speed-up: {naive_s / curtain_s:.0f}x")


if __name__ == "__main__":
    main()
