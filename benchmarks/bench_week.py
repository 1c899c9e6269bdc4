"""A Westchester week from the scenario file, measured: wall time per stage, throughput, peak memory.

Runs, in a fresh process, exactly what a researcher would type:

    curtain run scenarios/westchester-sanctuary.toml --set demand.days=7 -o OUT

and prints the stage times ``run.json`` records, trips/s and reads/s, and the
peak resident memory of the run (``/usr/bin/time``-style, from the child's
``ru_maxrss``). Add ``--workers 2`` to run route choice and traffic on a local
Dask cluster (the outputs are the same; memory is then spread over processes
and the parent's peak no longer covers the workers).

Run:  python benchmarks/bench_week.py [--days 7] [--workers 1] [--out /tmp/curtain-week] [--set key=value ...]

This is a benchmark, not a test: it takes about 1.3 minutes and 4 GB (the whole
fleet, ``--set demand.sample_share=1``: about 5 minutes and 13.3 GB).
The engine-level county benchmark (1,000,000 vehicles on the origin-tree
engine, driven by hand) is ``bench_county_engine.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "westchester-sanctuary.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description="A Westchester week from the scenario file")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/curtain-week"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.out.exists() and (args.out / ".curtain").exists():
        shutil.rmtree(args.out)
    command = [sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--set", f"demand.days={args.days}",
               "--workers", str(args.workers), "-o", str(args.out)]
    for item in args.overrides:
        command += ["--set", item]
    print(" ".join(command[2:]))
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    stages = json.loads((args.out / "run.json").read_text())["wall_time_s"]
    metrics = json.loads((args.out / "metrics.json").read_text())
    n_reads = pq.ParquetFile(args.out / "reads.parquet").metadata.num_rows
    print(f"{'stage':<22}{'seconds':>10}")
    for stage, seconds in stages.items():
        print(f"{stage:<22}{seconds:>10.1f}")
    print(f"{'total (process)':<22}{wall:>10.1f}")
    print(f"trips {metrics['n_trips']:,}  reads {n_reads:,}  cameras {metrics['n_cameras']:,}  "
          f"engine {metrics['traffic_engine']}  workers {args.workers}")
    print(f"throughput: {metrics['n_trips'] / wall:,.0f} trips/s, {n_reads / wall:,.0f} reads/s (whole run)")
    print(f"peak memory (largest process): {peak_gb:.1f} GB")


if __name__ == "__main__":
    main()
