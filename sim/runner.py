"""Run a scenario end to end and write its output folder.

The stages are in :mod:`sim.pipeline`; the files in :mod:`sim.io.run`; the
figures, map and report in :mod:`sim.figures`. The output folder is written
atomically: into a temporary sibling, renamed into place only when every
file is complete.
"""

from __future__ import annotations

import json
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sim.allocator import release_freed_memory
from sim.io.folders import atomic_directory, check_output_folder
from sim.shard import n_workers
from sim.seeds import stage_rngs
from sim.figures import draw_run
from sim.io.run import versions, write_run
from sim.pipeline import STAGES, Progress, simulate_scenario
from sim.simulation import Simulation
from sim.scenario import Scenario
from sim.stages.network import build_network
from sim.analyze import run_analysis

__all__ = ["STAGES", "RunResult", "Simulation", "run_scenario", "simulate_scenario", "versions"]



@dataclass
class RunResult:
    """What a run produced: where, the summary metrics and stage wall times (s)."""

    out_dir: Path
    metrics: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    #: what was in the old folder that Curtain had not written, carried over into the new one
    carried: list[str] = field(default_factory=list)



def run_scenario(scenario: Scenario, out_dir: str | Path, progress: Progress | None = None) -> RunResult:
    """Simulate ``scenario`` and write the output directory atomically.

    Returns
    -------
    RunResult
    """
    started = datetime.now(timezone.utc)
    out_dir = Path(out_dir)
    # refuse a folder Curtain did not write before any work, not after minutes of simulation
    check_output_folder(out_dir, "analysis" if scenario.reads.source == "file" else "run")
    if scenario.reads.source == "file":
        return _analyze_scenario(scenario, out_dir, progress)
    sim = simulate_scenario(scenario, progress)
    # the files and figures are made from what a run folder holds (as `curtain plot` makes them from read_run's),
    # never from the all-reads reconstruction: it is let go first (a county week's 0.7 GB, held through the write)
    sim.recon = None
    release_freed_memory()
    clock = time.perf_counter()
    carried: list[str] = []
    with atomic_directory(out_dir, carried=carried) as tmp, ThreadPoolExecutor(max_workers=1) as pool:
        # the data files (pyarrow, which lets go of the GIL) are written while the figures are drawn;
        # each side only reads the simulation, and they write different files
        data = pool.submit(write_run, sim, tmp)
        draw_run(sim, tmp)
        data.result()
        sim.timings["write"] = round(time.perf_counter() - clock, 4)
        run_info = {
            "started_utc": started.isoformat(timespec="seconds"),
            "host": platform.node(),
            "platform": platform.platform(),
            "wall_time_s": sim.timings,
            # per kind of shard: tasks, their seconds summed where they ran (a worker or this process), the
            # longest: what a cluster would divide among its workers (docs/scale.md)
            "shards": sim.shards,
            # what did the work: routes grow on compiled (numba) Dijkstra trees, one per origin, on every
            # core; vehicles are driven by the traffic engine metrics.json also records
            "engines": {"routing": "compiled Dijkstra trees (numba)", "traffic": sim.metrics.get("traffic_engine"),
                        "dask_workers": n_workers()},
            "out_dir": str(out_dir.resolve()),
            "overrides": scenario.overrides,
        }
        (tmp / "run.json").write_text(json.dumps(run_info, indent=2) + "\n", encoding="utf-8")
    if progress:
        progress("write")
    return RunResult(out_dir, sim.metrics, sim.timings, carried)



def _analyze_scenario(scenario: Scenario, out_dir: Path, progress: Progress | None) -> RunResult:
    """``[reads] source = "file"``: analyse a real reads file (as ``curtain analyze``) instead of simulating."""
    spec = scenario.reads
    clock = time.perf_counter()
    net = build_network(scenario, stage_rngs(scenario.seed)["network"]) if spec.snap_to_network else None
    analysis = run_analysis(scenario.resolve(str(spec.path)), out_dir, columns=spec.column_map(),
                            time_format=spec.time_format, delimiter=spec.delimiter, net=net,
                            network_label=scenario.network.path or scenario.network.source if net else None,
                            max_snap_m=spec.max_snap_m, seed=scenario.seed, figures=scenario.output.figures)
    if progress:
        progress("analyze")
    return RunResult(out_dir, analysis.metrics, {"analyze": round(time.perf_counter() - clock, 4)})
