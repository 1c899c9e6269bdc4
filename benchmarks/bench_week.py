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

from sim.pipeline import STAGE_NAMES

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "westchester-sanctuary.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description="A Westchester week from the scenario file")
    parser.add_argument("--scenario", type=Path, default=SCENARIO,
                        help="another scenario file (e.g. scenarios/norfolk-curtain.toml)")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/curtain-week"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.out.exists() and (args.out / ".curtain").exists():
        shutil.rmtree(args.out)
    command = [sys.executable, "-m", "sim.cli", "run", str(args.scenario), "--set", f"demand.days={args.days}",
               "--workers", str(args.workers), "-o", str(args.out)]
    for item in args.overrides:
        command += ["--set", item]
    print(" ".join(command[2:]))
    start = time.perf_counter()
    by_stage = run_sampled(command)
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
    print("peak memory of the process tree by stage (sampled every 0.2 s):")
    for stage, gb in by_stage.items():
        print(f"  {stage:<22}{gb:>8.1f} GB")
    shards = json.loads((args.out / "run.json").read_text()).get("shards", {})
    print_shards(shards, wall, n_reads, one_process=args.workers <= 1)


def print_shards(shards: dict[str, dict[str, float]], wall: float, n_reads: int, *, one_process: bool) -> None:
    """Each kind of shard's tasks and seconds (timed where they ran), and, from a one-process run, what
    ``N`` workers would take: the part outside shards as it is, each kind's work divided among ``N`` but never
    below its longest task (kinds run one after another)."""
    if not shards:
        return
    print(f"{'shard kind':<44}{'tasks':>7}{'seconds':>10}{'longest':>10}{'reads/s per worker':>20}")
    for kind, entry in shards.items():
        print(f"{kind:<44}{entry['tasks']:>7,}{entry['seconds']:>10.1f}{entry['longest_s']:>10.1f}"
              f"{n_reads / entry['seconds'] if entry['seconds'] else float('nan'):>20,.0f}")
    in_shards = sum(entry["seconds"] for entry in shards.values())
    print(f"in shards: {in_shards:.1f} s of work; the rest of the run: {wall - in_shards:.1f} s")
    if not one_process:
        return
    print("from these rates, on N workers of this machine's kind (the rest of the run unchanged):")
    for n in (1, 2, 8, 32, 100):
        spread = sum(max(entry["seconds"] / n, entry["longest_s"]) for entry in shards.values())
        print(f"  N = {n:<4}{wall - in_shards + spread:>8.1f} s")


#: the stages ``curtain run`` reports as done, in order
STAGES = STAGE_NAMES


def run_sampled(command: list[str]) -> dict[str, float]:
    """Run ``command``; the peak resident memory of its process tree (GB) during each stage it reports.

    The stage under way is the one after the last ``<stage>: done`` line the run printed; memory is read
    with psutil every 0.2 s (the run's own and its workers' processes summed).
    """
    import threading

    import psutil

    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done: list[str] = []
    peaks = {stage: 0.0 for stage in STAGES}

    def follow() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            name = line.split(":", 1)[0].strip()
            if name in STAGES and ": done" in line:
                done.append(name)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    process = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
        except psutil.Error:
            rss = 0
        stage = STAGES[min(len(done), len(STAGES) - 1)]
        peaks[stage] = max(peaks[stage], rss / 1024**3)
        time.sleep(0.2)
    reader.join()
    if child.returncode:
        raise SystemExit(f"the run failed (exit {child.returncode})")
    return peaks


if __name__ == "__main__":
    main()
