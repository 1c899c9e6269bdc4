"""Where a run's memory peaks: each stage's and each registered metric's time and resident memory, in process.

    python benchmarks/profile_metrics.py                                    # westchester-sanctuary, one day
    python benchmarks/profile_metrics.py scenarios/westchester-sanctuary.toml --set demand.days=7
    python benchmarks/profile_metrics.py SCENARIO --set demand.days=7 --peak-sites 25   # what is held at the peak
    python benchmarks/profile_metrics.py norfolk-curtain --set demand.days=7            # a library scenario by name

Runs :func:`sim.pipeline.simulate_scenario` in this process (no output folder is written) with every metric of
:data:`sim.metrics.registry.METRICS` timed, while a thread reads the process's resident memory every 0.05 s.
Prints, per stage and per metric (in the order they ran): the memory at the start, the peak during it and the
memory at the end, then the metrics ranked by how far they rose above their start: the transient arrays a
metric makes, which decide the run's peak when they come on top of what the run holds. ``bench_week.py``
measures the command as a user runs it (the process tree's peak per stage); this script says which metric
within a stage to look at. ``--peak-sites N`` (needs ``pip install memray``) also records every allocation
with memray and prints the N largest sites of what was held at the run's high-water mark, each as its chain
of ``sim`` frames (innermost first): the arrays that make the peak, and the line that made each. Arrow then
allocates from the system allocator (``ARROW_DEFAULT_MEMORY_POOL=system``), so that its strings are
attributed to the line that made them, not to the first line that reserved the pool's arena. A benchmark, not
a test: it takes as long as the run (the whole Westchester fleet's week: about 3 minutes and 6.5 GB on 2
cores; with ``--peak-sites``, about a minute more).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

if any(arg.startswith("--peak-sites") for arg in sys.argv):  # before pyarrow's first allocation picks its pool
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from sim.library import find_scenario
from sim.metrics import registry
from sim.pipeline import simulate_scenario
from sim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "westchester-sanctuary.toml"


class Sampler:
    """The process's resident memory (bytes) every ``every_s`` seconds, on a thread of its own."""

    def __init__(self, every_s: float = 0.05) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._process = psutil.Process()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)

    def _run(self, every_s: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self._process.memory_info().rss))
            time.sleep(every_s)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def at(self, t: float) -> float:
        """GB resident at time ``t`` (the last sample before it)."""
        before = [rss for when, rss in self.samples if when <= t]
        return (before[-1] if before else self.samples[0][1]) / 1e9

    def peak(self, t0: float, t1: float) -> float:
        """GB: the highest sample in ``[t0, t1]`` (the memory at ``t0`` when none fell inside)."""
        inside = [rss for when, rss in self.samples if t0 <= when <= t1]
        return max(inside) / 1e9 if inside else self.at(t0)


def resident_gb() -> float:
    """The process's resident memory now (GB): a step's start is read when it starts, not from the last sample
    (up to 0.05 s old: from before the memory the previous step freed was given back)."""
    return psutil.Process().memory_info().rss / 1e9


def timed_metrics(events: list[tuple[str, float, float, float]]) -> Callable[[], None]:
    """Wrap every registered metric so that each call adds ``(name, start, end, GB at start)`` to ``events``;
    returns the function that puts the registry back."""
    original = dict(registry.METRICS)

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def clocked(*args: Any, **kwargs: Any) -> Any:
            start, held = time.perf_counter(), resident_gb()
            try:
                return function(*args, **kwargs)
            finally:
                events.append((name, start, time.perf_counter(), held))
        return clocked

    for key, m in original.items():
        registry.METRICS[key] = dataclasses.replace(m, function=wrap(m.name, m.function))
    return lambda: registry.METRICS.update(original)


def peak_sites(capture: Path, n: int) -> list[tuple[int, str]]:
    """The ``n`` largest (bytes, site) held at the high-water mark of a memray ``capture``; a site is the chain
    of ``sim`` frames (function:file:line, innermost first, at most four) of the allocations it sums."""
    import memray

    held: collections.Counter[str] = collections.Counter()
    for record in memray.FileReader(capture).get_high_watermark_allocation_records(merge_threads=True):
        frames = [f for f in record.stack_trace() if f"{os.sep}sim{os.sep}" in f[1]]
        site = " < ".join(f"{f[0]}:{f[1][f[1].rfind(os.sep + 'sim' + os.sep) + 1:]}:{f[2]}" for f in frames[:4])
        held[site or "(outside sim)"] += record.size
    return [(size, site) for site, size in held.most_common(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description="time and memory of each stage and metric of a run, in process")
    parser.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--peak-sites", type=int, default=0, metavar="N",
                        help="also print the N largest allocation sites held at the peak (needs memray)")
    args = parser.parse_args()
    tracker: Any = contextlib.nullcontext()
    if args.peak_sites:
        import memray

        capture = Path(tempfile.mkdtemp(prefix="curtain-peak-")) / "run.bin"
        tracker = memray.Tracker(capture, file_format=memray.FileFormat.AGGREGATED_ALLOCATIONS)
    # a library scenario by its name, as `curtain run NAME` takes it (a file of that name comes first)
    named = None if args.scenario.exists() else find_scenario(str(args.scenario))
    scenario = load_scenario(named or args.scenario, overrides=args.overrides)
    stages: list[tuple[str, float, float, float]] = []
    metrics: list[tuple[str, float, float, float]] = []
    clock = [time.perf_counter(), resident_gb()]

    def progress(name: str) -> None:
        now = time.perf_counter()
        stages.append((name, clock[0], now, clock[1]))
        clock[0], clock[1] = now, resident_gb()

    restore = timed_metrics(metrics)
    try:
        with Sampler() as memory, tracker:
            clock[0], clock[1] = time.perf_counter(), resident_gb()
            simulate_scenario(scenario, progress)
    finally:
        restore()
    print(f"{scenario.name}: {' '.join(args.overrides) or 'as written'}")
    print(f"{'':36s} {'seconds':>8s} {'start GB':>9s} {'peak GB':>8s} {'end GB':>7s}")
    for kind, rows in (("stage", stages), ("metric", metrics)):
        for name, t0, t1, held in rows:
            print(f"{kind + ' ' + name:36s} {t1 - t0:8.1f} {held:9.2f} {max(memory.peak(t0, t1), held):8.2f} "
                  f"{memory.at(t1):7.2f}")
    print("metrics by how far they rose above their start (GB):")
    rises = sorted(((max(memory.peak(t0, t1), held) - held, name) for name, t0, t1, held in metrics), reverse=True)
    for rise, name in rises[:10]:
        print(f"  {name:34s} {rise:5.2f}")
    if args.peak_sites:
        sites = peak_sites(capture, args.peak_sites)
        print(f"held at the high-water mark (memray), the {len(sites)} largest sites:")
        for size, site in sites:
            print(f"  {size / 1e9:6.3f} GB  {site}")
        capture.unlink()
        capture.parent.rmdir()


if __name__ == "__main__":
    main()
